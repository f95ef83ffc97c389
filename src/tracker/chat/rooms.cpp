#include "swarmhub/tracker/chat/rooms.hpp"

#include <algorithm>

#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

std::string room_registry::key(std::string_view room) {
  return util::ascii_lower(room);
}

void room_registry::subscribe(std::string_view room, const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  const std::string k = key(room);
  if (rooms_[k].try_emplace(s->id(), s).second) rooms_of_[s->id()].push_back(k);
}

void room_registry::unsubscribe(std::string_view room, std::uint64_t session_id) {
  const std::lock_guard lock(mutex_);
  const std::string k = key(room);
  if (auto it = rooms_.find(k); it != rooms_.end()) {
    it->second.erase(session_id);
    if (it->second.empty()) rooms_.erase(it);
  }
  if (auto it = rooms_of_.find(session_id); it != rooms_of_.end()) {
    std::erase(it->second, k);
    if (it->second.empty()) rooms_of_.erase(it);
  }
}

void room_registry::unsubscribe_all(std::uint64_t session_id) {
  const std::lock_guard lock(mutex_);
  const auto it = rooms_of_.find(session_id);
  if (it == rooms_of_.end()) return;
  for (const auto& k : it->second) {
    if (auto room = rooms_.find(k); room != rooms_.end()) {
      room->second.erase(session_id);
      if (room->second.empty()) rooms_.erase(room);
    }
  }
  rooms_of_.erase(it);
}

void room_registry::remove_room(std::string_view room) {
  const std::lock_guard lock(mutex_);
  const std::string k = key(room);
  const auto it = rooms_.find(k);
  if (it == rooms_.end()) return;
  for (const auto& [id, weak] : it->second) {
    if (auto of = rooms_of_.find(id); of != rooms_of_.end()) {
      std::erase(of->second, k);
      if (of->second.empty()) rooms_of_.erase(of);
    }
  }
  rooms_.erase(it);
}

std::vector<std::shared_ptr<session>> room_registry::subscribers(std::string_view room) const {
  std::vector<std::shared_ptr<session>> out;
  const std::lock_guard lock(mutex_);
  const auto it = rooms_.find(key(room));
  if (it == rooms_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [id, weak] : it->second) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> room_registry::rooms_of(std::uint64_t session_id) const {
  const std::lock_guard lock(mutex_);
  const auto it = rooms_of_.find(session_id);
  return it == rooms_of_.end() ? std::vector<std::string>{} : it->second;
}

std::size_t room_registry::size(std::string_view room) const {
  const std::lock_guard lock(mutex_);
  const auto it = rooms_.find(key(room));
  return it == rooms_.end() ? 0 : it->second.size();
}

}  // namespace swarmhub::tracker
