#pragma once
// What the tracker says about a group and its files, read for the client's file commands:
// a file_info reply as metadata, and a group's mode from list_groups. Every field the
// tracker sends is checked: its text must not crash the client or choose a path.

#include <optional>
#include <string>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/p2p/engine.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

// The metadata in a successful file_info reply; nothing when a field is missing or unusable.
std::optional<p2p::metadata> metadata_from(const proto::reply& file_info);

// `group`'s mode as list_groups says it ("sealed" or "open"), or "" when the group is not
// listed; nothing when the tracker did not answer or refused.
awaitable<std::optional<std::string>> group_mode(tracker_link& link, const std::string& group);

}  // namespace swarmhub::client
