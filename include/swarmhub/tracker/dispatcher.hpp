#pragma once
// From a request line to a reply: finds the command in the table, does every generic check
// once (known? allowed in this state? arguments well-formed and as many as the table says?)
// and only then calls the command's handler.

#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::tracker {

class session;
struct tracker_core;

// What a handler sees. It writes exactly one reply into `reply`.
struct command_context {
  session& client;
  tracker_core& core;
  const proto::command_spec& spec;
  std::vector<std::string> args;
  proto::reply_builder& reply;
  std::vector<std::string> follow_ups;  // events sent right after the reply
  bool close_after_reply = false;       // set by `quit`, and by too many wrong passwords
  std::string close_reason;             // for the log; "quit" when empty

  void follow_up(std::string_view event_name, std::string_view text) {
    follow_ups.push_back(proto::format_event(event_name, text));
  }
};

struct dispatch_outcome {
  bool close_after_reply = false;
  std::string close_reason;
  std::vector<std::string> follow_ups;
};

// Handles one well-formed (valid UTF-8, no control characters) line.
awaitable<dispatch_outcome> dispatch(session& client, std::string_view line,
                                     proto::reply_builder& reply);

}  // namespace swarmhub::tracker
