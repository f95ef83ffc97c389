#pragma once
// Chat delivery shared by several handlers: formatting of chat events and the fan-out of a
// stored room message. Room fan-out starts on the store thread right after the commit and
// goes on over the I/O threads (chat/fanout.hpp), so every subscriber sees a room's messages
// in the order the store gave them ids.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarmhub/store/store.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker::chat {

// The name a room goes by: "lobby" or the group's name.
std::string room_name(const store::room_message& m);

// `* ROOM <room> <sender> <text>`, or `* ROOM #<id> <room> <sender> <text>` (event_ids).
std::string room_event(const store::room_message& m, bool with_id = false);

// `* MSG <sender> <text>`, ready for session::deliver_direct.
std::shared_ptr<const std::string> direct_event(const store::direct_message& m);

// A direct message just committed, for its recipient's session on this tracker: queued at
// once, unless the session is still being handed its backlog of waiting ones (then a later
// page brings it, in order; one whose id the pages passed already, at once). On the store
// thread.
void offer_direct(const std::shared_ptr<session>& to, const store::direct_message& m);

// Queues for `to` the next page of direct messages `user` has waiting in the store (ids above
// `after`), and tells the session whether more wait (session::direct_page_queued): a long
// absence comes a page at a time, as the output drains. On the store thread.
void deliver_direct_page(tracker_core& core, store::backend& db, const std::shared_ptr<session>& to,
                         const std::string& user, std::int64_t after);

// Sends `m` to every session subscribed to its room except `sender_session`, and logs it
// (room_fanout::publish for one message; a committed batch goes there whole).
void publish(tracker_core& core, const store::room_message& m, std::uint64_t sender_session);

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
