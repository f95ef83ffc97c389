#pragma once
// The command table: every command of the line protocol, with the session states that may
// use it, its arity and its one-line help. The tracker dispatches from it, `help` prints
// it, the client completes from it and docs/protocol.md is checked against it.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace swarmhub::proto {

// Where a connection stands. A tracker without a server password starts in `anonymous`.
enum class session_state : std::uint8_t {
  awaiting_password = 1 << 0,  // the server password has not been given yet
  anonymous = 1 << 1,          // connected (and past the password), nobody logged in
  logged_in = 1 << 2,          // a user is logged in on this connection
};

using state_mask = std::uint8_t;

constexpr state_mask mask(session_state s) {
  return static_cast<state_mask>(s);
}
constexpr state_mask any_state = mask(session_state::awaiting_password) |
                                 mask(session_state::anonymous) | mask(session_state::logged_in);

enum class command_id {
  help,
  quit,
  ping,
  auth,
  whoami,
  create_user,
  login,
  resume,
  resume_token,
  logout,
  create_group,
  list_groups,
  join_group,
  list_requests,
  accept_request,
  reject_request,
  leave_group,
  list_members,
  list,
  msg,
  say,
  room,
  rooms,
  history,
  pair,
  unpair,
  add_file,
  list_files,
  file_info,
  passkey,
};

struct command_spec {
  command_id id;
  std::string_view name;
  std::array<std::string_view, 2> aliases;  // other names for the same command ("" = none)
  state_mask allowed;
  int min_args;
  int max_args;
  bool text_tail;  // the last argument is the rest of the line, spaces included
  std::string_view usage;
  std::string_view summary;
};

std::span<const command_spec> command_table();

// The rule by which a typed verb names a command, written once for the tracker's table and
// the client's own commands: one leading '/' is ignored, so "/quit" and "quit" are the same
// command (the chat seeds used slashes, the file seed did not), and so is ASCII letter case
// ("QUIT").
bool names_command(std::string_view typed, std::string_view name);

// The command a request verb names (by names_command), or nullptr.
const command_spec* find_command(std::string_view verb);

// True for commands whose arguments hold a password: clients keep them out of history.
bool carries_secret(command_id id);

// Human-readable list of states, e.g. "anonymous, logged_in".
std::string describe_states(state_mask allowed);

// The command reference section of docs/protocol.md, rendered from the table.
std::string render_command_reference();

}  // namespace swarmhub::proto
