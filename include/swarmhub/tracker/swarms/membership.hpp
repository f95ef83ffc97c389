#pragma once
// What a change of membership or of a passkey, or a file's removal, means for the swarms:
// the access cache forgets the entries it changes, and a leaver's peers leave the group's
// swarms at once (a removed file's swarm altogether), as do peers announced with a passkey
// that was replaced. Runs on the store thread, in the job that made the change or that
// handles the other trackers' event of it.

#include <cstdint>
#include <string_view>

#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {

// `user` joined (`member`) or left `group`; with no user, the group was made or removed.
void membership_changed(tracker_core& core, std::string_view user, std::string_view group,
                        bool member);

// The file of `group` whose swarm is `swarm_key` left the registry: later announces for it
// are refused (unknown torrent) and its peers are forgotten.
void file_removed(tracker_core& core, std::string_view group, std::string_view swarm_key);
// `user`'s passkey is now the one whose passkey_tag is `current`.
void passkey_replaced(tracker_core& core, std::string_view user, std::uint64_t current);

}  // namespace swarmhub::tracker
