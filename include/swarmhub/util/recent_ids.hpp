#pragma once
// A set of the last `Limit` ids met, the oldest forgotten first: how a receiver tells a
// message it was given already from a new one without keeping every id for ever.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_set>

namespace swarmhub::util {

template <std::size_t Limit>
class recent_ids {
 public:
  // True the first time `id` is met (it is then remembered), false for a repeat.
  bool insert(std::int64_t id) {
    if (!ids_.insert(id).second) return false;
    order_.push_back(id);
    if (order_.size() > Limit) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
    return true;
  }
  bool empty() const { return ids_.empty(); }
  // The smallest id remembered (not the oldest met: ids may arrive out of order).
  std::int64_t smallest() const { return *std::min_element(ids_.begin(), ids_.end()); }

 private:
  std::unordered_set<std::int64_t> ids_;
  std::deque<std::int64_t> order_;
};

}  // namespace swarmhub::util
