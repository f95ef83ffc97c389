#include "swarmhub/proto/commands.hpp"

#include <fmt/format.h>

#include "swarmhub/util/text.hpp"

namespace swarmhub::proto {

std::span<const command_spec> command_table() {
  return command_rows;
}

bool names_command(std::string_view typed, std::string_view name) {
  if (typed.starts_with('/')) typed.remove_prefix(1);
  return !name.empty() && util::iequals_ascii(typed, name);
}

const command_spec* find_command(std::string_view typed) {
  for (const auto& spec : command_rows) {
    if (names_command(typed, spec.name)) return &spec;
    for (auto alias : spec.aliases) {
      if (names_command(typed, alias)) return &spec;
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
  add(session_state::awaiting_password, "awaiting_password");
  add(session_state::anonymous, "anonymous");
  add(session_state::logged_in, "logged_in");
  return out;
}

std::string render_command_reference() {
  std::string out =
      "| command | aliases | states | arguments | what it does |\n"
      "|---|---|---|---|---|\n";
  for (const auto& spec : command_rows) {
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
