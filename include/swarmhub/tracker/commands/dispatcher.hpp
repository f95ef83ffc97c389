#pragma once
// From a request line to a reply: finds the command's row in the table, does every generic
// check once (known? allowed in this state? arguments well-formed and as many as the row
// says?) and only then calls the row's handler. A line that names no command is a chat
// message: the `say` command with the whole line as its text.

#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/asio.hpp"
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

}  // namespace swarmhub::tracker
