#pragma once
// What a command's handler sees, and the handlers themselves: `handle<id>`, one explicit
// specialisation per row of proto::command_rows, defined in the file of its topic
// (commands/basic_handlers.cpp, accounts/, chat/, swarms/). The dispatcher binds each row to
// `handle<row.id>` (commands/dispatcher.cpp), so a row without a handler fails the link
// (undefined reference to `handle<(command_id)N>`), and a second handler for one row fails
// it too (multiple definition). Nothing else lists the handlers.
//
// A handler writes exactly one reply into ctx.reply; the dispatcher has already checked the
// connection's state and the arguments against the row.

#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/chat/message_stamp.hpp"

namespace swarmhub::tracker {

class session;
struct tracker_core;

struct command_context {
  session& client;
  tracker_core& core;
  const proto::command_spec& spec;
  std::vector<std::string> args;
  proto::reply_builder& reply;
  std::vector<std::string> follow_ups;  // events sent right after the reply
  bool close_after_reply = false;       // set by `quit`, by too many wrong passwords, by flood
  std::string close_reason;             // for the log; "quit" when empty
  message_stamp stored;                 // the message the command stored (msg), for IRC's echo

  void follow_up(std::string_view event_name, std::string_view text) {
    follow_ups.push_back(proto::format_event(event_name, text));
  }
};

using proto::command_id;

template <command_id Id>
awaitable<void> handle(command_context& ctx);

// A command whose handler never waits may say so here and be given as `handle_now<id>`, a
// plain function, instead of `handle<id>`: its request is then answered without a coroutine
// frame or a suspension (pipelined requests, issue 20). A row marked here without a
// handle_now fails the link as a missing handle<id> does.
template <command_id Id>
inline constexpr bool answers_now = false;
template <>
inline constexpr bool answers_now<command_id::help> = true;
template <>
inline constexpr bool answers_now<command_id::quit> = true;
template <>
inline constexpr bool answers_now<command_id::ping> = true;

template <command_id Id>
void handle_now(command_context& ctx);

}  // namespace swarmhub::tracker
