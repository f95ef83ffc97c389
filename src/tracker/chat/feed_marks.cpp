#include "swarmhub/tracker/chat/feed_marks.hpp"

#include <algorithm>

namespace swarmhub::tracker {

bool feed_marks::first_time(std::int64_t id) {
  return ids_.insert(id);
}

std::int64_t feed_marks::refill_after() const {
  if (ids_.empty()) return start_;
  return std::max(start_, ids_.smallest() - 1);
}

}  // namespace swarmhub::tracker
