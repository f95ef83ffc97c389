#include "swarmhub/tracker/swarms/membership.hpp"

namespace swarmhub::tracker {

void membership_changed(tracker_core& core, std::string_view user, std::string_view group,
                        bool member) {
  if (user.empty()) {
    core.access.forget_group(group);
    if (!member) core.swarms.forget(group);
    return;
  }
  core.access.forget_member(user, group);
  if (!member) core.swarms.forget(group, user);
}

void file_removed(tracker_core& core, std::string_view group, std::string_view swarm_key) {
  core.access.forget_swarm(group, swarm_key);
  core.swarms.forget_swarm(group, swarm_key);
}

void passkey_replaced(tracker_core& core, std::string_view user, std::uint64_t current) {
  core.access.forget_user(user);
  core.swarms.forget_old_passkeys(user, current);
}

}  // namespace swarmhub::tracker
