#pragma once
// What every session of one tracker shares: its options, counters and the set of sessions.
// Later parts (store, chat, swarms) hang here too. Owned by the server, outlives sessions.

#include "swarmhub/tracker/options.hpp"
#include "swarmhub/tracker/session_registry.hpp"
#include "swarmhub/tracker/stats.hpp"

namespace swarmhub::tracker {

struct tracker_core {
  explicit tracker_core(tracker_options opts) : options(std::move(opts)) {}

  const tracker_options options;
  tracker_stats stats;
  session_registry sessions;
};

}  // namespace swarmhub::tracker
