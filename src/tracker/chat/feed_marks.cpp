#include "swarmhub/tracker/chat/feed_marks.hpp"

#include <algorithm>

namespace swarmhub::tracker {

bool feed_marks::first_time(std::int64_t id) {
  if (!ids_.insert(id).second) return false;
  order_.push_back(id);
  if (order_.size() > limit) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

std::int64_t feed_marks::refill_after() const {
  if (ids_.empty()) return start_;
  return std::max(start_, *std::min_element(ids_.begin(), ids_.end()) - 1);
}

}  // namespace swarmhub::tracker
