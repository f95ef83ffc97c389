#pragma once
// Which messages of one kind (room or direct: each has its own ids) the event feed brought to
// this tracker lately, so that a gap in the feed (its connection lost for a while) is filled
// from the store without publishing any message twice. Read and changed on the store thread
// only (relay::handle, relay::refill).

#include <cstdint>

#include "swarmhub/util/recent_ids.hpp"

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
  std::int64_t start_ = 0;
  util::recent_ids<4096> ids_;
};

}  // namespace swarmhub::tracker
