#pragma once
// From a request line to a reply: finds the command's row in the table, does every generic
// check once (known? allowed in this state? arguments well-formed and as many as the row
// says?) and only then calls the row's handler. A line that names no command is a chat
// message: the `say` command with the whole line as its text.

#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/chat/message_stamp.hpp"

namespace swarmhub::tracker {

class session;

struct dispatch_outcome {
  bool close_after_reply = false;
  std::string close_reason;
  std::vector<std::string> follow_ups;
  message_stamp stored;  // the message the command stored, if it did (command_context::stored)
};

// Handles one well-formed (valid UTF-8, no control characters) line.
awaitable<dispatch_outcome> dispatch(session& client, std::string_view line,
                                     proto::reply_builder& reply);

// dispatch in two halves, so that a request that needs no waiting costs no coroutine frame
// (pipelined requests, issue 20).
struct checked_request {
  const proto::command_spec* spec = nullptr;
  std::vector<std::string> args;
};

// The half that never waits: every refusal, and a command whose handler answers now
// (commands/handler.hpp) when no deferred reply is before it. True when the line is
// answered (`reply` and `outcome` set); false when its handler must run as a coroutine, with
// `request` the checked command for dispatch_rest and nothing else changed.
bool dispatch_now(session& client, std::string_view line, proto::reply_builder& reply,
                  dispatch_outcome& outcome, checked_request& request);
// The other half: the handler of a request dispatch_now left.
awaitable<dispatch_outcome> dispatch_rest(session& client, checked_request request,
                                          proto::reply_builder& reply);

}  // namespace swarmhub::tracker
