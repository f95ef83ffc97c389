#include "swarmhub/client/completions.hpp"

#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

using proto::command_id;

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto space = text.find(' ');
    if (space != 0) out.push_back(text.substr(0, space));
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

// The first argument of a listing's line (a name, quoted when it holds spaces).
std::string first_name(const std::string& line) {
  auto parsed = proto::split_arguments(line, 1, false);
  if (!parsed.error.empty() || parsed.values.empty()) return {};
  return parsed.values[0];
}

bool fit_to_offer(std::string_view name) {
  return !name.empty() && name.size() <= completions::max_name_bytes && util::is_valid_utf8(name) &&
         !util::has_control_chars(name);
}

}  // namespace

void completions::learn(const command_line& command, const proto::reply& reply) {
  if (!reply.ok) return;
  std::set<std::string>* into = nullptr;
  bool replace = false;
  if (command.is(command_id::list_groups)) {
    into = &groups_;
    replace = true;
  } else if (command.is(command_id::list)) {
    into = &users_;
  } else if (command.is(command_id::list_members) || command.is(command_id::list_requests)) {
    into = &users_;
  } else if (command.is(command_id::rooms)) {
    into = &rooms_;
    replace = true;
  } else if (command.is(command_id::list_files)) {
    into = &files_;
  } else {
    return;
  }
  if (replace) into->clear();
  for (const auto& line : reply.data) {
    if (into->size() >= max_names) break;
    if (auto name = first_name(line); fit_to_offer(name)) into->insert(std::move(name));
  }
}

std::optional<std::vector<std::string>> completions::candidates(std::string_view before) const {
  const auto typed = split_words(before);
  if (typed.empty()) return std::vector<std::string>{};
  const auto verb = typed[0];
  std::string_view usage;
  if (const auto line = read_command_line(verb); line && line->local) {
    usage = line->local->usage;
  } else if (line && line->tracker) {
    usage = line->tracker->usage;
  }
  std::vector<std::string> out;
  const auto add = [&out](const std::set<std::string>& names) {
    for (const auto& n : names) out.push_back(proto::quote_argument(n));
  };
  const auto places = split_words(usage);
  const std::size_t place = typed.size();  // 0 is the command itself
  if (usage.empty() || place >= places.size() ||
      places[place].find("<text>") != std::string_view::npos ||
      places[place].find("<action>") != std::string_view::npos) {
    if (usage.empty() || places.empty() || places.back().find("<text>") != std::string_view::npos ||
        places.back().find("<action>") != std::string_view::npos) {
      add(users_);  // chat text: nick completion
    }
    return out;
  }
  const auto p = places[place];
  if (p.find("<path>") != std::string_view::npos ||
      p.find("<destination>") != std::string_view::npos)
    return std::nullopt;
  if (p.find("lobby") != std::string_view::npos) {
    out.push_back("lobby");
    out.push_back("pair");
  }
  if (p.find("<room>") != std::string_view::npos) add(rooms_);
  if (p.find("group") != std::string_view::npos || p.find("<room>") != std::string_view::npos)
    add(groups_);
  if (p.find("user") != std::string_view::npos) add(users_);
  if (p.find("<file>") != std::string_view::npos) add(files_);
  return out;
}

}  // namespace swarmhub::client
