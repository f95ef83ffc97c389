#include "swarmhub/proto/commands.hpp"

#include <cctype>

#include <fmt/format.h>

namespace swarmhub::proto {
namespace {

using enum session_state;

constexpr std::array table{
    command_spec{command_id::help, "help", {}, any_state, 0, 1, false, "help [command]",
                 "list the commands, or show one command's usage"},
    command_spec{command_id::quit, "quit", {"exit"}, any_state, 0, 0, false, "quit",
                 "say goodbye (reply 'OK Bye.') and close the connection"},
    command_spec{command_id::ping, "ping", {}, any_state, 0, 0, false, "ping",
                 "check that the tracker answers (reply 'OK pong')"},
};

}  // namespace

std::span<const command_spec> command_table() { return table; }

const command_spec* find_command(std::string_view typed) {
  if (typed.starts_with('/')) typed.remove_prefix(1);
  if (typed.empty() || typed.size() > 32) return nullptr;
  std::string verb(typed);
  for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& spec : table) {
    if (spec.name == verb) return &spec;
    for (auto alias : spec.aliases) {
      if (!alias.empty() && alias == verb) return &spec;
    }
  }
  return nullptr;
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
