#pragma once
// Chat delivery shared by several handlers: formatting of chat events and the fan-out of a
// stored room message. Room fan-out runs on the store thread right after the commit, so every
// subscriber sees a room's messages in the order the store gave them ids.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarmhub/store/store.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker::chat {

// The name a room goes by: "lobby" or the group's name.
std::string room_name(const store::room_message& m);

// `* ROOM <room> <sender> <text>`
std::string room_event(const store::room_message& m);

// Sends `m` to every session subscribed to its room except `sender_session`, and logs it.
void publish(tracker_core& core, const store::room_message& m, std::uint64_t sender_session);

// publish() for several messages at once, in order (a committed batch): each session gets
// its share of them in one delivery.
void publish_all(tracker_core& core,
                 const std::vector<std::pair<store::room_message, std::uint64_t>>& messages);

// Sends an event to every session in `room` but `except` (lobby presence only while the
// lobby is small).
void announce(tracker_core& core, std::string_view room, std::string_view event,
              std::string_view text, std::uint64_t except = 0);

// announce() here, and in the same room on the other trackers of the store.
void announce_everywhere(tracker_core& core, std::string_view room, std::string_view event,
                         std::string_view text, std::uint64_t except = 0);

// Tells the sessions of a pair that `leaver` left (`why`): `* PAIR_ENDED` to the one left
// behind and, if it was paired again with someone waiting, `* PAIRED` to both of them.
void end_pair(tracker_core& core, const pairing::departure& gone, std::string_view leaver,
              std::string_view why);

}  // namespace swarmhub::tracker::chat
