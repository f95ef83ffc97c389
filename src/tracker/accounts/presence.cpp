#include "swarmhub/tracker/accounts/presence.hpp"

#include <algorithm>

#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

std::string presence::key(std::string_view user) {
  return util::ascii_lower(user);
}

bool presence::claim(const std::string& user, const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  return online_.try_emplace(key(user), holder{user, s->id(), s}).second;
}

void presence::release(const std::string& user, std::uint64_t session_id) {
  const std::lock_guard lock(mutex_);
  const auto it = online_.find(key(user));
  if (it != online_.end() && it->second.session_id == session_id) online_.erase(it);
}

std::shared_ptr<session> presence::find(std::string_view user) const {
  const std::lock_guard lock(mutex_);
  const auto it = online_.find(key(user));
  return it == online_.end() ? nullptr : it->second.where.lock();
}

std::vector<std::string> presence::users() const {
  std::vector<std::string> out;
  {
    const std::lock_guard lock(mutex_);
    out.reserve(online_.size());
    for (const auto& [k, h] : online_) out.push_back(h.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t presence::size() const {
  const std::lock_guard lock(mutex_);
  return online_.size();
}

}  // namespace swarmhub::tracker
