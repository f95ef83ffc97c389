#pragma once
// ROOM events with their message ids (the event_ids command, docs/protocol.md): the id is
// taken off the event, and an event whose id was met already is dropped. A tracker may show
// the last few messages again after a failover or a crash; this makes that exactly once.
// Lives as long as the client's tracker link, across its connections.

#include <cstdint>

#include "swarmhub/proto/reply.hpp"
#include "swarmhub/util/recent_ids.hpp"

namespace swarmhub::client {

class room_event_ids {
 public:
  // False for a repeat, not to be shown. Otherwise true, and a ROOM event `e` is left as it
  // reads without ids: `<room> <sender> <text>`.
  bool accept(proto::event& e);

 private:
  util::recent_ids<8192> ids_;
};

}  // namespace swarmhub::client
