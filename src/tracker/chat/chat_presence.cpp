#include "swarmhub/tracker/chat/chat_presence.hpp"

#include <algorithm>

#include "swarmhub/tracker/chat/rooms.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

bool chat_presence::allow_message() {
  if (!gate_.allow()) return false;
  refused_in_a_row_ = 0;
  return true;
}

std::uint32_t chat_presence::room_slot(std::string_view room) {
  if (room.empty() || util::iequals_ascii(room, room_registry::lobby)) return 0;
  if (last_slot_ > 0 && util::iequals_ascii(rooms_[last_slot_ - 1].name, room)) return last_slot_;
  auto it = std::find_if(rooms_.begin(), rooms_.end(),
                         [room](const room_seen& r) { return util::iequals_ascii(r.name, room); });
  if (it == rooms_.end()) it = rooms_.insert(it, room_seen{std::string(room)});
  last_slot_ = static_cast<std::uint32_t>(it - rooms_.begin()) + 1;
  return last_slot_;
}

bool chat_presence::note_queued(std::int64_t id, bool shared, std::uint32_t slot) {
  if (id > 0 && shared) {
    if (!recent_) recent_ = std::make_unique<recent_ids>();
    if (!recent_->insert(id)) return false;
  }
  if (slot > 0) rooms_[slot - 1].queued = std::max(rooms_[slot - 1].queued, id);
  return true;
}

bool chat_presence::note_direct_queued(std::int64_t id) {
  if (!recent_direct_) recent_direct_ = std::make_unique<recent_ids>();
  return recent_direct_->insert(id);
}

void chat_presence::note_written(std::uint32_t slot, std::int64_t id) {
  if (slot == 0 || id <= 0) return;
  auto& r = rooms_[slot - 1];
  r.written = std::max(r.written, id);
  ++unstored_;
}

std::vector<store::room_mark> chat_presence::take_marks(bool now, unsigned batch) {
  std::vector<store::room_mark> out;
  if (unstored_ == 0 || (!now && unstored_ < batch)) return out;
  for (auto& r : rooms_) {
    if (r.written <= r.taken) continue;
    r.taken = r.written;
    out.push_back({{}, r.name, r.taken});
  }
  unstored_ = 0;
  return out;
}

std::vector<store::room_mark> chat_presence::seen(bool flushing) const {
  std::vector<store::room_mark> out;
  for (const auto& r : rooms_) {
    const auto mark = flushing ? std::max(r.written, r.queued) : r.written;
    if (mark > 0) out.push_back({{}, r.name, mark});
  }
  return out;
}

void chat_presence::reset() {
  room_ = "lobby";
  rooms_.clear();
  last_slot_ = 0;
  unstored_ = 0;
  recent_.reset();
  recent_direct_.reset();
}

}  // namespace swarmhub::tracker
