#pragma once
// Which room messages the event feed brought to this tracker lately, so that a gap in the
// feed (its connection lost for a while) is filled from the store without publishing any
// message twice. Read and changed on the store thread only (relay::handle, relay::refill).

#include <cstdint>
#include <deque>
#include <unordered_set>

namespace swarmhub::tracker {

class feed_marks {
 public:
  // Messages up to `id` were committed before the feed started: a refill reads above it.
  void start_at(std::int64_t id) { start_ = id; }
  // True the first time message `id` is met, false for a repeat (not to be published).
  bool first_time(std::int64_t id);
  // A refill reads the messages above this id: below the oldest one remembered, since a
  // message committed late can carry a lower id than one already met.
  std::int64_t refill_after() const;

 private:
  static constexpr std::size_t limit = 4096;
  std::int64_t start_ = 0;
  std::unordered_set<std::int64_t> ids_;
  std::deque<std::int64_t> order_;
};

}  // namespace swarmhub::tracker
