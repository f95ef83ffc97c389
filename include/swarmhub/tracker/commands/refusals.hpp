#pragma once
// The reply for each store outcome that is a refusal, worded once for every handler.

#include <string_view>

#include "swarmhub/store/store.hpp"
#include "swarmhub/tracker/commands/handler.hpp"

namespace swarmhub::tracker {

// Writes the error reply for `result` (anything but ok). `group` and `user` are as the caller
// typed them, or canonical when the store returned them.
void refuse(command_context& ctx, store::status result, std::string_view group,
            std::string_view user);

}  // namespace swarmhub::tracker
