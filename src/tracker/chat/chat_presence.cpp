#include "swarmhub/tracker/chat/chat_presence.hpp"

#include <algorithm>

namespace swarmhub::tracker {

bool chat_presence::allow_message() {
  if (!gate_.allow()) return false;
  refused_in_a_row_ = 0;
  return true;
}

bool chat_presence::note_queued(std::int64_t id, bool shared) {
  if (id > 0 && shared) {
    if (!recent_) recent_ = std::make_unique<recent_ids>();
    if (!recent_->insert(id)) return false;
  }
  seen_queued_ = std::max(seen_queued_, id);
  return true;
}

bool chat_presence::note_direct_queued(std::int64_t id) {
  if (!recent_direct_) recent_direct_ = std::make_unique<recent_ids>();
  return recent_direct_->insert(id);
}

std::int64_t chat_presence::take_mark(bool now, unsigned batch) {
  if (seen_ <= taken_ || (!now && unstored_ < batch)) return 0;
  taken_ = seen_;
  unstored_ = 0;
  return taken_;
}

void chat_presence::reset() {
  room_ = "lobby";
  seen_ = seen_queued_ = taken_ = 0;
  unstored_ = 0;
  recent_.reset();
  recent_direct_.reset();
}

}  // namespace swarmhub::tracker
