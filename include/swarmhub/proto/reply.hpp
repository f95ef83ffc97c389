#pragma once
// The shape of what the tracker sends. Every request gets exactly one reply:
//
//   reply = *("- " data LF) ("OK" [" " text] LF | "ERR " CODE [" " text] LF)
//   event = "* " NAME [" " text] LF
//
// A reader knows a reply has ended when it sees a line starting with "OK" or "ERR"; a line
// starting with "* " is an event, which the tracker never places inside a reply.

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "swarmhub/proto/error_code.hpp"

namespace swarmhub::proto {

// Builds one whole reply in one buffer, so it reaches the socket in one piece.
class reply_builder {
 public:
  void data(std::string_view line);
  void ok(std::string_view text = {});
  void error(error_code code, std::string_view text);

  bool finished() const { return finished_; }
  std::string take() { return std::move(buffer_); }

 private:
  std::string buffer_;
  bool finished_ = false;
};

std::string format_event(std::string_view name, std::string_view text);

// --- the reading side (client, tests) ---

struct reply {
  bool ok = false;
  std::string code;  // error code for ERR replies, empty for OK
  std::string text;  // what follows OK or the code
  std::vector<std::string> data;
};

struct event {
  std::string name;
  std::string text;
};

struct protocol_violation {
  std::string line;
};

using parsed_line = std::variant<std::monostate, reply, event, protocol_violation>;

// Feeds lines one at a time and says when a reply or an event is complete.
class reply_parser {
 public:
  parsed_line feed(std::string_view line);
  bool in_reply() const { return !pending_.data.empty(); }

 private:
  reply pending_;
};

}  // namespace swarmhub::proto
