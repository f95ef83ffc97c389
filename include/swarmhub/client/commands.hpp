#pragma once
// What the client makes of a line its user gives: the commands it answers itself (seed 001)
// and, for every line, one reading of it that all the rest of the client takes. Commands are
// named by the tracker's rule (proto::names_command): "/Upload_File" is upload_file.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/proto/request.hpp"

namespace swarmhub::client {

enum class local_command_id {
  upload_file,
  download_file,
  show_downloads,
  stop_share,
  wait_downloads,
  verify,
  torrent_file,
  magnet,
  me,     // chat: the rest of the line as an action (chat_mode.hpp)
  join,   // chat: to a group's room, asking to join it when not a member
  part,   // chat: back to the lobby
  query,  // chat: plain lines go to one user
};

struct local_command {
  local_command_id id;
  std::string_view name;
  int min_args;
  int max_args;
  std::string_view usage;
  std::string_view summary;
  proto::help_topic topic = proto::help_topic::files;  // where `help` lists it
};

// The commands the client answers itself (help and completion list them too).
std::span<const local_command> local_commands();

// One line the user gave, read once.
struct command_line {
  std::string text;                              // what goes to the tracker
  const local_command* local = nullptr;          // a command this client answers, or
  const proto::command_spec* tracker = nullptr;  // a tracker command, or neither (chat)
  proto::arguments args;                         // the arguments of either kind of command

  bool is(proto::command_id id) const { return tracker != nullptr && tracker->id == id; }
  // True when the line holds a password (kept out of the terminal's history).
  bool carries_secret() const { return tracker != nullptr && proto::carries_secret(tracker->id); }
};

// The client's own answer to `help` and `help all` (the tracker's commands and this client's,
// by topic) and to `help <one of its own commands>`; nothing for other lines, and for help
// on a tracker command, which the tracker answers.
std::optional<proto::reply> local_help(const command_line& line);

// The reading of `typed`; nothing for a blank line or a comment ('#').
std::optional<command_line> read_command_line(std::string_view typed);

}  // namespace swarmhub::client
