#include "swarmhub/proto/commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "swarmhub/util/string_hash.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::proto {

std::span<const command_spec> command_table() {
  return command_rows;
}

bool names_command(std::string_view typed, std::string_view name) {
  if (typed.starts_with('/')) typed.remove_prefix(1);
  return !name.empty() && util::iequals_ascii(typed, name);
}

namespace {

// Every command's name and aliases, to its row: find_command runs for every request line,
// so it is one hash probe, not a walk of the table. The names are lower case (a static_assert
// in commands.hpp holds the table to it), so a verb folded to lower case finds its row as
// names_command would.
const util::string_map<const command_spec*>& command_index() {
  static const auto index = [] {
    util::string_map<const command_spec*> out;
    for (const auto& spec : command_rows) {
      out.emplace(spec.name, &spec);
      for (const auto alias : spec.aliases) {
        if (!alias.empty()) out.emplace(alias, &spec);
      }
    }
    return out;
  }();
  return index;
}

}  // namespace

const command_spec* find_command(std::string_view typed) {
  if (typed.starts_with('/')) typed.remove_prefix(1);
  // Folded on the stack: a verb longer than every name names none.
  std::array<char, longest_command_name> folded;
  if (typed.empty() || typed.size() > folded.size()) return nullptr;
  std::transform(typed.begin(), typed.end(), folded.begin(),
                 [](char c) { return util::ascii_lower(c); });
  const auto& index = command_index();
  const auto found = index.find(std::string_view(folded.data(), typed.size()));
  return found == index.end() ? nullptr : found->second;
}

std::string_view topic_name(help_topic topic) {
  switch (topic) {
    case help_topic::basics:
      return "basics";
    case help_topic::accounts:
      return "accounts";
    case help_topic::groups:
      return "groups";
    case help_topic::chat:
      return "chat";
    case help_topic::files:
      return "files";
    case help_topic::internal:
      return "internal (sent by clients for you)";
  }
  return "other";
}

std::vector<std::string> help_lines(bool all, std::span<const help_entry> extra) {
  std::vector<help_entry> entries;
  for (const auto& spec : command_table())
    entries.push_back({spec.topic, spec.usage, spec.summary});
  entries.insert(entries.end(), extra.begin(), extra.end());
  std::erase_if(entries,
                [all](const help_entry& e) { return !all && e.topic == help_topic::internal; });
  std::stable_sort(entries.begin(), entries.end(),
                   [](const help_entry& a, const help_entry& b) { return a.topic < b.topic; });
  std::size_t width = 0;
  for (const auto& e : entries) width = std::max(width, e.usage.size());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i == 0 || entries[i].topic != entries[i - 1].topic) {
      out.push_back(fmt::format("{}:", topic_name(entries[i].topic)));
    }
    out.push_back(fmt::format("  {:<{}}  {}", entries[i].usage, width, entries[i].summary));
  }
  return out;
}

std::string_view help_footer(bool all) {
  return all ? "every command; help <command> shows one"
             : "help <command> shows one, help all the internal ones too; a line that is no "
               "command is sent as a message";
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
