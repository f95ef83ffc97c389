#pragma once
// What a change of membership means for the swarms: the access cache forgets the entries it
// changes, and a leaver's peers leave the group's swarms at once. Runs on the store thread,
// in the job that changed the membership or that handles the other trackers' event of it.

#include <string_view>

#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {

// `user` joined (`member`) or left `group`; with no user, the group was made or removed.
void membership_changed(tracker_core& core, std::string_view user, std::string_view group,
                        bool member);

}  // namespace swarmhub::tracker
