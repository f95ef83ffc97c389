#pragma once
// Command handlers, one file per topic under src/tracker/handlers_*.cpp. Each writes one
// reply into ctx.reply; the dispatcher has already checked state and arity.

#include <string_view>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/tracker/dispatcher.hpp"

namespace swarmhub::tracker::handlers {

// handlers_basic.cpp
awaitable<void> help(command_context& ctx);
awaitable<void> quit(command_context& ctx);
awaitable<void> ping(command_context& ctx);

// A line that names no command: acknowledged (and, once chat exists, posted to the room).
awaitable<void> plain_text(session& client, std::string_view line, proto::reply_builder& reply);

}  // namespace swarmhub::tracker::handlers
