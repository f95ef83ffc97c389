#include "swarmhub/tracker/chat/seen_marks.hpp"

#include <algorithm>
#include <utility>

#include "swarmhub/tracker/core.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

void seen_marks::store(const std::string& user, std::vector<store::room_mark> marks) {
  if (marks.empty()) return;
  bool schedule = false;
  {
    const std::lock_guard lock(mutex_);
    for (auto& mark : marks) {
      auto& pending = pending_[util::ascii_lower(user) + '\t' + util::ascii_lower(mark.group)];
      if (mark.message_id <= pending.message_id) continue;
      mark.user = user;
      pending = std::move(mark);
    }
    schedule = !std::exchange(scheduled_, true);
  }
  if (schedule) core_.store->post([this](store::backend& db) { drain(db); });
}

void seen_marks::drain(store::backend& db) {
  std::vector<store::room_mark> marks;
  {
    const std::lock_guard lock(mutex_);
    marks.reserve(pending_.size());
    for (auto& [key, mark] : pending_) marks.push_back(std::move(mark));
    pending_.clear();
    scheduled_ = false;
  }
  db.mark_seen(marks);
}

}  // namespace swarmhub::tracker
