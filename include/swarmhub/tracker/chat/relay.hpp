#pragma once
// Live events between the trackers of one store (store/event_feed.hpp): what one tracker
// tells a user, a room or a session that another tracker holds. Without a feed (SQLite: one
// tracker) every function here does nothing; the local delivery is the caller's, always.
//
// Payloads (tab-separated, the sending tracker's id second, so it can skip its own):
//   user <origin> <user> <EVENT> <text>        an event for one user
//   announce <origin> <room> <EVENT> <text>    an event for everyone in a room
//   subscribe <origin> <user> <group>          the user joined the group: subscribe them
//   access <origin> <user> <group> <in|out>    a membership changed (swarms/membership.hpp)
//   file <origin> <group> <swarm key>          a file left a group (swarms/membership.hpp)
//   passkey <origin> <user> <tag>              the user's passkey was replaced (likewise)
//   throttle <origin> <which> <change> <key>   a login throttle counted (share_throttles)

#include <cstdint>
#include <string_view>

#include "swarmhub/store/store.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker::relay {

bool shared(const tracker_core& core);

void to_user(tracker_core& core, std::string_view user, std::string_view event,
             std::string_view text);
void to_room(tracker_core& core, std::string_view room, std::string_view event,
             std::string_view text);
void subscribe(tracker_core& core, std::string_view user, std::string_view group);
void membership(tracker_core& core, std::string_view user, std::string_view group, bool member);
// From a store job, after the removal committed: its own notify keeps it in commit order.
void file_removed(tracker_core& core, store::backend& db, std::string_view group,
                  std::string_view swarm_key);
void passkey(tracker_core& core, std::string_view user, std::uint64_t tag);

// Makes the login throttles and the known addresses count together with those of the other
// trackers: each change here is sent to them, and theirs applied here (handle). Call once,
// before the tracker serves.
void share_throttles(tracker_core& core);

// After the feed lost events, on the store thread: publishes the room messages committed
// meanwhile that it did not bring (feed_marks), in id order, and gives the users logged in
// here the direct messages not delivered to them yet (each once, in id order).
void refill(tracker_core& core, store::backend& db);

// One event from the feed, on the store thread (in commit order).
void handle(tracker_core& core, std::string_view payload);

}  // namespace swarmhub::tracker::relay
