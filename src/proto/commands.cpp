#include "swarmhub/proto/commands.hpp"

#include <fmt/format.h>

#include "swarmhub/util/text.hpp"

namespace swarmhub::proto {
namespace {

using enum session_state;

constexpr state_mask connected = mask(anonymous) | mask(logged_in);
constexpr state_mask guest = mask(anonymous);
constexpr state_mask user = mask(logged_in);

constexpr std::array table{
    command_spec{command_id::help,
                 "help",
                 {},
                 any_state,
                 0,
                 1,
                 false,
                 "help [command]",
                 "list the commands, or show one command's usage"},
    command_spec{command_id::quit,
                 "quit",
                 {"exit"},
                 any_state,
                 0,
                 0,
                 false,
                 "quit",
                 "say goodbye (reply 'OK Bye.') and close the connection"},
    command_spec{command_id::ping,
                 "ping",
                 {},
                 any_state,
                 0,
                 0,
                 false,
                 "ping",
                 "check that the tracker answers (reply 'OK pong')"},
    command_spec{command_id::auth,
                 "auth",
                 {},
                 mask(awaiting_password),
                 1,
                 1,
                 true,
                 "auth <server-password>",
                 "give the tracker's server password (the rest of the line); 3 wrong tries close"},
    command_spec{command_id::whoami,
                 "whoami",
                 {},
                 connected,
                 0,
                 0,
                 false,
                 "whoami",
                 "say who is logged in on this connection"},
    command_spec{command_id::create_user,
                 "create_user",
                 {},
                 guest,
                 2,
                 2,
                 false,
                 "create_user <name> <password>",
                 "create an account (then log in)"},
    command_spec{command_id::login,
                 "login",
                 {},
                 guest,
                 2,
                 2,
                 false,
                 "login <name> <password>",
                 "log in; one live login per user"},
    command_spec{command_id::resume,
                 "resume",
                 {},
                 guest,
                 2,
                 2,
                 false,
                 "resume <name> <token>",
                 "log in again with a token from resume_token (a client moving to another "
                 "tracker); takes over the login from a tracker that died"},
    command_spec{command_id::resume_token,
                 "resume_token",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "resume_token",
                 "a token that logs this user in again without the password (for 7 days, "
                 "until logout)"},
    command_spec{command_id::logout,
                 "logout",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "logout",
                 "log out and stay connected"},
    command_spec{command_id::create_group,
                 "create_group",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "create_group <group>",
                 "create a group; you become its owner"},
    command_spec{command_id::list_groups,
                 "list_groups",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "list_groups",
                 "every group with its owner and member count"},
    command_spec{command_id::join_group,
                 "join_group",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "join_group <group>",
                 "ask the group's owner to let you in"},
    command_spec{command_id::list_requests,
                 "list_requests",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "list_requests <group>",
                 "pending join requests of a group you own"},
    command_spec{command_id::accept_request,
                 "accept_request",
                 {},
                 user,
                 2,
                 2,
                 false,
                 "accept_request <group> <user>",
                 "let a user who asked into your group"},
    command_spec{command_id::reject_request,
                 "reject_request",
                 {},
                 user,
                 2,
                 2,
                 false,
                 "reject_request <group> <user>",
                 "turn down a user's request to join your group"},
    command_spec{command_id::leave_group,
                 "leave_group",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "leave_group <group>",
                 "leave a group (or withdraw your request); an owner hands over to the "
                 "earliest-joined member"},
    command_spec{command_id::list_members,
                 "list_members",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "list_members <group>",
                 "the members of a group you belong to"},
    command_spec{command_id::list, "list", {"who"}, user, 0, 0, false, "list", "who is online now"},
    command_spec{command_id::msg,
                 "msg",
                 {},
                 user,
                 2,
                 2,
                 true,
                 "msg <user> <text>",
                 "a direct message; kept for the user if offline"},
    command_spec{command_id::say,
                 "say",
                 {},
                 user,
                 1,
                 1,
                 true,
                 "say <text>",
                 "post to your current room (any line that is no command does the same)"},
    command_spec{command_id::room,
                 "room",
                 {},
                 user,
                 0,
                 1,
                 false,
                 "room [lobby|pair|<group>]",
                 "show or change your current room"},
    command_spec{
        command_id::rooms, "rooms", {}, user, 0, 0, false, "rooms", "the rooms you can post to"},
    command_spec{command_id::history,
                 "history",
                 {},
                 user,
                 1,
                 2,
                 false,
                 "history <room> [n]",
                 "the last n (default 20, at most 500) messages of a room you may read"},
    command_spec{command_id::pair,
                 "pair",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "pair",
                 "wait for a partner; the next one to ask joins you in a room for two"},
    command_spec{command_id::unpair,
                 "unpair",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "unpair",
                 "leave your pair (or the queue for one)"},
    command_spec{command_id::add_file,
                 "add_file",
                 {},
                 user,
                 5,
                 5,
                 false,
                 "add_file <group> <name> <size> <info-hash> <info>",
                 "register a file's BitTorrent v2 metadata in a group (the client's upload_file "
                 "sends it)"},
    command_spec{command_id::list_files,
                 "list_files",
                 {},
                 user,
                 1,
                 1,
                 false,
                 "list_files <group>",
                 "a group's files: size, uploader, seeders and leechers online now"},
    command_spec{command_id::file_info,
                 "file_info",
                 {},
                 user,
                 2,
                 2,
                 false,
                 "file_info <group> <name>",
                 "a file's metadata, for downloading it (the client's download_file asks it)"},
    command_spec{command_id::passkey,
                 "passkey",
                 {},
                 user,
                 0,
                 0,
                 false,
                 "passkey",
                 "your key for the tracker's BitTorrent announces"},
};

}  // namespace

std::span<const command_spec> command_table() {
  return table;
}

bool names_command(std::string_view typed, std::string_view name) {
  if (typed.starts_with('/')) typed.remove_prefix(1);
  return !name.empty() && util::iequals_ascii(typed, name);
}

const command_spec* find_command(std::string_view typed) {
  for (const auto& spec : table) {
    if (names_command(typed, spec.name)) return &spec;
    for (auto alias : spec.aliases) {
      if (names_command(typed, alias)) return &spec;
    }
  }
  return nullptr;
}

bool carries_secret(command_id id) {
  return id == command_id::auth || id == command_id::create_user || id == command_id::login ||
         id == command_id::resume;
}

std::string describe_states(state_mask allowed) {
  std::string out;
  const auto add = [&](session_state s, std::string_view name) {
    if ((allowed & mask(s)) == 0) return;
    if (!out.empty()) out += ", ";
    out += name;
  };
  add(awaiting_password, "awaiting_password");
  add(anonymous, "anonymous");
  add(logged_in, "logged_in");
  return out;
}

std::string render_command_reference() {
  std::string out =
      "| command | aliases | states | arguments | what it does |\n"
      "|---|---|---|---|---|\n";
  for (const auto& spec : table) {
    std::string aliases;
    for (auto alias : spec.aliases) {
      if (alias.empty()) continue;
      if (!aliases.empty()) aliases += ", ";
      aliases += fmt::format("`{}`", alias);
    }
    const std::string arity = spec.min_args == spec.max_args
                                  ? fmt::format("{}", spec.min_args)
                                  : fmt::format("{}–{}", spec.min_args, spec.max_args);
    out += fmt::format("| `{}` | {} | {} | {}{} | {} |\n", spec.usage, aliases,
                       describe_states(spec.allowed), arity, spec.text_tail ? ", last is text" : "",
                       spec.summary);
  }
  return out;
}

}  // namespace swarmhub::proto
