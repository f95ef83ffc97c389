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

// handlers_account.cpp
awaitable<void> auth(command_context& ctx);
awaitable<void> whoami(command_context& ctx);
awaitable<void> create_user(command_context& ctx);
awaitable<void> login(command_context& ctx);
awaitable<void> resume(command_context& ctx);
awaitable<void> resume_token(command_context& ctx);
awaitable<void> logout(command_context& ctx);

// handlers_group.cpp
awaitable<void> create_group(command_context& ctx);
awaitable<void> list_groups(command_context& ctx);
awaitable<void> join_group(command_context& ctx);
awaitable<void> list_requests(command_context& ctx);
awaitable<void> accept_request(command_context& ctx);
awaitable<void> reject_request(command_context& ctx);
awaitable<void> leave_group(command_context& ctx);
awaitable<void> list_members(command_context& ctx);

// handlers_chat.cpp
awaitable<void> list(command_context& ctx);
awaitable<void> msg(command_context& ctx);
awaitable<void> say(command_context& ctx);
awaitable<void> room(command_context& ctx);
awaitable<void> rooms(command_context& ctx);
awaitable<void> history(command_context& ctx);
awaitable<void> pair(command_context& ctx);
awaitable<void> unpair(command_context& ctx);

// handlers_file.cpp
awaitable<void> add_file(command_context& ctx);
awaitable<void> list_files(command_context& ctx);
awaitable<void> file_info(command_context& ctx);
awaitable<void> passkey(command_context& ctx);

// A line that names no command: acknowledged (and, once chat exists, posted to the room).
awaitable<void> plain_text(session& client, std::string_view line, proto::reply_builder& reply);

}  // namespace swarmhub::tracker::handlers
