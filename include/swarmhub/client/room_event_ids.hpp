#pragma once
// ROOM and MSG events with their message ids (the event_ids command, docs/protocol.md): the
// id is taken off the event, and an event whose id was met already is dropped. A tracker may
// show the last few messages again after a failover or a crash; this makes that exactly
// once. Room and direct messages are numbered apart.
// Lives as long as the client's tracker link, across its connections.

#include <cstdint>

#include "swarmhub/proto/reply.hpp"
#include "swarmhub/util/recent_ids.hpp"

namespace swarmhub::client {

class room_event_ids {
 public:
  // False for a repeat, not to be shown. Otherwise true, and the event `e` is left as it
  // reads without ids (`<room> <sender> <text>`, `<sender> <text>`).
  bool accept(proto::event& e);

 private:
  util::recent_ids<8192> room_ids_;
  util::recent_ids<1024> direct_ids_;
};

}  // namespace swarmhub::client
