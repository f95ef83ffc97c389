#pragma once
// The command table: every command of the line protocol, one row each, with the session
// states that may use it, its arity and its one-line help. The tracker dispatches from it
// (its handler is `tracker::handle<id>`, bound to the row by the id: see
// tracker/commands/handler.hpp), `help` prints it, the client completes from it and
// docs/protocol.md is checked against it.
//
// Adding a command: a command_id, a row below (in the same place), and the tracker's
// handle<command_id::...> specialisation. The build checks the rest.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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
constexpr state_mask awaiting_password_only = mask(session_state::awaiting_password);
constexpr state_mask anonymous_only = mask(session_state::anonymous);
constexpr state_mask logged_in_only = mask(session_state::logged_in);
constexpr state_mask connected_states = anonymous_only | logged_in_only;
constexpr state_mask any_state = awaiting_password_only | connected_states;

// One per row of command_rows, in the same order.
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
  change_password,
  create_group,
  list_groups,
  join_group,
  list_requests,
  accept_request,
  reject_request,
  remove_member,
  leave_group,
  list_members,
  list,
  away,
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
  remove_file,
  passkey,
  event_ids,
  group_mode,
  group_cert,
  add_layers,
  piece_layers,
  new_passkey,
};

// The topics `help` groups commands under, in this order. `internal` commands are what
// clients send on their user's behalf (add_file after hashing, passkey, resume, ...): they are
// listed only by `help all`.
enum class help_topic : std::uint8_t { basics, accounts, groups, chat, files, internal };

std::string_view topic_name(help_topic topic);

struct command_spec {
  command_id id;
  std::string_view name;
  std::array<std::string_view, 2> aliases{};  // other names for the same command ("" = none)
  state_mask allowed = 0;
  int min_args = 0;
  int max_args = 0;
  bool text_tail = false;  // the last argument is the rest of the line, spaces included
  bool secret = false;     // the arguments hold a password: clients keep them out of history
  std::string_view usage;
  std::string_view summary;
  help_topic topic = help_topic::basics;
};

inline constexpr std::array command_rows{
    command_spec{.id = command_id::help,
                 .name = "help",
                 .allowed = any_state,
                 .min_args = 0,
                 .max_args = 1,
                 .usage = "help [all|command]",
                 .summary = "the commands by topic (all: the internal ones too), or one command's "
                            "usage",
                 .topic = help_topic::basics},
    command_spec{.id = command_id::quit,
                 .name = "quit",
                 .aliases = {"exit"},
                 .allowed = any_state,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "quit",
                 .summary = "say goodbye (reply 'OK Bye.') and close the connection",
                 .topic = help_topic::basics},
    command_spec{.id = command_id::ping,
                 .name = "ping",
                 .allowed = any_state,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "ping",
                 .summary = "check that the tracker answers (reply 'OK pong')",
                 .topic = help_topic::basics},
    command_spec{
        .id = command_id::auth,
        .name = "auth",
        .allowed = awaiting_password_only,
        .min_args = 1,
        .max_args = 1,
        .text_tail = true,
        .secret = true,
        .usage = "auth <server-password>",
        .summary = "give the tracker's server password (the rest of the line); 3 wrong tries close",
        .topic = help_topic::accounts},
    command_spec{.id = command_id::whoami,
                 .name = "whoami",
                 .allowed = connected_states,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "whoami",
                 .summary = "say who is logged in on this connection",
                 .topic = help_topic::basics},
    command_spec{.id = command_id::create_user,
                 .name = "create_user",
                 .allowed = anonymous_only,
                 .min_args = 2,
                 .max_args = 2,
                 .secret = true,
                 .usage = "create_user <name> <password>",
                 .summary = "create an account (then log in)",
                 .topic = help_topic::accounts},
    command_spec{.id = command_id::login,
                 .name = "login",
                 .allowed = anonymous_only,
                 .min_args = 2,
                 .max_args = 2,
                 .secret = true,
                 .usage = "login <name> <password>",
                 .summary = "log in; one live login per user",
                 .topic = help_topic::accounts},
    command_spec{.id = command_id::resume,
                 .name = "resume",
                 .allowed = anonymous_only,
                 .min_args = 2,
                 .max_args = 2,
                 .secret = true,
                 .usage = "resume <name> <token>",
                 .summary = "log in again with a token from resume_token (a client moving to "
                            "another tracker); the token is used up and the reply's data line "
                            "is the next one; takes over the login from a tracker that died",
                 .topic = help_topic::internal},
    command_spec{
        .id = command_id::resume_token,
        .name = "resume_token",
        .allowed = logged_in_only,
        .min_args = 0,
        .max_args = 0,
        .usage = "resume_token",
        .summary =
            "a token that logs this user in again without the password (for 7 days, until logout)",
        .topic = help_topic::internal},
    command_spec{.id = command_id::logout,
                 .name = "logout",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "logout",
                 .summary = "log out and stay connected",
                 .topic = help_topic::accounts},
    command_spec{.id = command_id::change_password,
                 .name = "change_password",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .secret = true,
                 .usage = "change_password <old> <new>",
                 .summary = "set a new password; revokes every resume token of this user",
                 .topic = help_topic::accounts},
    command_spec{.id = command_id::create_group,
                 .name = "create_group",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "create_group <group>",
                 .summary = "create a group; you become its owner",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::list_groups,
                 .name = "list_groups",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "list_groups",
                 .summary = "every group with its owner and member count",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::join_group,
                 .name = "join_group",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "join_group <group>",
                 .summary = "ask the group's owner to let you in",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::list_requests,
                 .name = "list_requests",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "list_requests <group>",
                 .summary = "pending join requests of a group you own",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::accept_request,
                 .name = "accept_request",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "accept_request <group> <user>",
                 .summary = "let a user who asked into your group",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::reject_request,
                 .name = "reject_request",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "reject_request <group> <user>",
                 .summary = "turn down a user's request to join your group",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::remove_member,
                 .name = "remove_member",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "remove_member <group> <user>",
                 .summary = "take a member out of your group, as if they had left (you leave "
                            "with leave_group)",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::leave_group,
                 .name = "leave_group",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "leave_group <group>",
                 .summary = "leave a group (or withdraw your request); an owner hands over to the "
                            "earliest-joined member",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::list_members,
                 .name = "list_members",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "list_members <group>",
                 .summary = "the members of a group you belong to",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::list,
                 .name = "list",
                 .aliases = {"who"},
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "list",
                 .summary = "who is online now",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::away,
                 .name = "away",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 1,
                 .text_tail = true,
                 .usage = "away [text]",
                 .summary = "mark yourself away with a text (at most 200 bytes), or back without "
                            "one; list and everyone in the lobby see it",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::msg,
                 .name = "msg",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .text_tail = true,
                 .usage = "msg <user> <text>",
                 .summary = "a direct message; kept for the user if offline",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::say,
                 .name = "say",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .text_tail = true,
                 .usage = "say <text>",
                 .summary = "post to your current room (any line that is no command does the same)",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::room,
                 .name = "room",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 1,
                 .usage = "room [lobby|pair|<group>]",
                 .summary = "show or change your current room",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::rooms,
                 .name = "rooms",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "rooms",
                 .summary = "the rooms you can post to",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::history,
                 .name = "history",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 2,
                 .usage = "history <room> [n]",
                 .summary = "the last n (default 20, at most 500) messages of a room you may read",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::pair,
                 .name = "pair",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "pair",
                 .summary = "wait for a partner; the next one to ask joins you in a room for two",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::unpair,
                 .name = "unpair",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "unpair",
                 .summary = "leave your pair (or the queue for one)",
                 .topic = help_topic::chat},
    command_spec{.id = command_id::add_file,
                 .name = "add_file",
                 .allowed = logged_in_only,
                 .min_args = 5,
                 .max_args = 5,
                 .usage = "add_file <group> <name> <size> <info-hash> <info>",
                 .summary = "register a file's BitTorrent v2 metadata in a group (the client's "
                            "upload_file sends it)",
                 .topic = help_topic::internal},
    command_spec{.id = command_id::list_files,
                 .name = "list_files",
                 .allowed = logged_in_only,
                 .min_args = 1,
                 .max_args = 1,
                 .usage = "list_files <group>",
                 .summary = "a group's files: size, uploader, seeders and leechers online now",
                 .topic = help_topic::files},
    command_spec{
        .id = command_id::file_info,
        .name = "file_info",
        .allowed = logged_in_only,
        .min_args = 2,
        .max_args = 2,
        .usage = "file_info <group> <name>",
        .summary = "a file's metadata, for downloading it (the client's download_file asks it)",
        .topic = help_topic::internal},
    command_spec{.id = command_id::remove_file,
                 .name = "remove_file",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "remove_file <group> <name>",
                 .summary = "the member who shared it or the group's owner: take a file out of the "
                            "group (its swarm ends; copies stay where they are)",
                 .topic = help_topic::files},
    command_spec{.id = command_id::passkey,
                 .name = "passkey",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "passkey",
                 .summary = "your key for the tracker's BitTorrent announces",
                 .topic = help_topic::internal},
    command_spec{
        .id = command_id::event_ids,
        .name = "event_ids",
        .allowed = any_state,
        .min_args = 0,
        .max_args = 0,
        .usage = "event_ids",
        .summary = "from now on ROOM and MSG events carry their message id, to drop a repeat",
        .topic = help_topic::internal},
    command_spec{.id = command_id::group_mode,
                 .name = "group_mode",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "group_mode <group> sealed|open",
                 .summary = "owner: open gives members a .torrent with their passkey (GET "
                            "/torrents/<group>/<file>); sealed, the default, does not",
                 .topic = help_topic::groups},
    command_spec{.id = command_id::group_cert,
                 .name = "group_cert",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 2,
                 .usage = "group_cert <group> <public-key>",
                 .summary = "members: a short-lived certificate for the group's sealed swarms "
                            "(the client asks and renews it)",
                 .topic = help_topic::internal},
    command_spec{.id = command_id::add_layers,
                 .name = "add_layers",
                 .allowed = logged_in_only,
                 .min_args = 4,
                 .max_args = 4,
                 .usage = "add_layers <group> <name> <first-piece> <hashes>",
                 .summary = "give a v2 torrent's piece hashes (a folder's files' layers one "
                            "after the other; base64, at most 1024 from a multiple of 1024; the "
                            "client's upload_file sends them)",
                 .topic = help_topic::internal},
    command_spec{.id = command_id::piece_layers,
                 .name = "piece_layers",
                 .allowed = logged_in_only,
                 .min_args = 2,
                 .max_args = 3,
                 .usage = "piece_layers <group> <name> [first-piece]",
                 .summary = "a v2 torrent's piece hashes, so that a download need not ask peers "
                            "for them (the client's download_file asks)",
                 .topic = help_topic::internal},
    command_spec{.id = command_id::new_passkey,
                 .name = "new_passkey",
                 .allowed = logged_in_only,
                 .min_args = 0,
                 .max_args = 0,
                 .usage = "new_passkey",
                 .summary = "replace your passkey: the old one, and every .torrent and magnet link "
                            "made with it, stops working at once (the client announces anew)",
                 .topic = help_topic::files},
};

// The row of `id`: rows are in the order of command_id.
constexpr std::size_t row_index(command_id id) {
  return static_cast<std::size_t>(id);
}
constexpr const command_spec& spec_of(command_id id) {
  return command_rows[row_index(id)];
}

// The longest name or alias a command may have.
inline constexpr std::size_t longest_command_name = 32;

namespace detail {
constexpr bool rows_follow_ids() {
  for (std::size_t i = 0; i < command_rows.size(); ++i) {
    if (row_index(command_rows[i].id) != i) return false;
  }
  return true;
}
// find_command looks a verb up folded to lower case, on the stack: every name must fit.
// (Indexed loops over references: GCC 12 rejects copies of the rows' string_views here.)
constexpr bool names_are_lower_case_and_fit() {
  const auto fits = [](const std::string_view& name) {
    if (name.size() > longest_command_name) return false;
    for (std::size_t c = 0; c < name.size(); ++c) {
      if (name[c] >= 'A' && name[c] <= 'Z') return false;
    }
    return true;
  };
  for (std::size_t i = 0; i < command_rows.size(); ++i) {
    if (!fits(command_rows[i].name)) return false;
    for (std::size_t a = 0; a < command_rows[i].aliases.size(); ++a) {
      if (!fits(command_rows[i].aliases[a])) return false;
    }
  }
  return true;
}
}  // namespace detail
static_assert(detail::rows_follow_ids(), "command_rows must list every command_id once, in order");
static_assert(detail::names_are_lower_case_and_fit(),
              "command names and aliases must be lower case and at most longest_command_name");

std::span<const command_spec> command_table();

// The rule by which a typed verb names a command, written once for the tracker's table and
// the client's own commands: one leading '/' is ignored, so "/quit" and "quit" are the same
// command (the chat seeds used slashes, the file seed did not), and so is ASCII letter case
// ("QUIT").
bool names_command(std::string_view typed, std::string_view name);

// The command a request verb names (by names_command), or nullptr.
const command_spec* find_command(std::string_view verb);

// True for commands whose arguments hold a password: clients keep them out of history.
constexpr bool carries_secret(command_id id) {
  return spec_of(id).secret;
}

// One line of `help`, for a row of the table or a command a client answers itself.
struct help_entry {
  help_topic topic;
  std::string_view usage;
  std::string_view summary;
};

// What `help` shows: each topic's name, then its commands as typed with their summaries;
// `internal` ones only with `all`. `extra` adds a client's own commands.
std::vector<std::string> help_lines(bool all, std::span<const help_entry> extra = {});
// The text of help's OK after those lines.
std::string_view help_footer(bool all);

// Human-readable list of states, e.g. "anonymous, logged_in".
std::string describe_states(state_mask allowed);

// The command reference section of docs/protocol.md, rendered from the table.
std::string render_command_reference();

}  // namespace swarmhub::proto
