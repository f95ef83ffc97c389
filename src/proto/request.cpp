#include "swarmhub/proto/request.hpp"

#include "swarmhub/util/text.hpp"

namespace swarmhub::proto {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

verb_and_rest split_verb(std::string_view line) {
  line = util::trim(line);
  std::size_t end = 0;
  while (end < line.size() && !is_space(line[end])) ++end;
  return {line.substr(0, end), util::trim(line.substr(end))};
}

arguments split_arguments(std::string_view rest, int max_args, bool text_tail) {
  arguments out;
  std::size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < rest.size() && is_space(rest[i])) ++i;
  };
  skip_spaces();
  while (i < rest.size()) {
    if (text_tail && static_cast<int>(out.values.size()) == max_args - 1) {
      const auto tail = util::trim(rest.substr(i));
      out.values.emplace_back(tail == "\"\"" ? std::string_view() : tail);  // "" is empty
      return out;
    }
    std::string word;
    bool quoted = false;
    for (; i < rest.size() && (quoted || !is_space(rest[i])); ++i) {
      const char c = rest[i];
      if (c == '"') {
        quoted = !quoted;
      } else if (quoted && c == '\\' && i + 1 < rest.size() &&
                 (rest[i + 1] == '"' || rest[i + 1] == '\\')) {
        word += rest[++i];
      } else {
        word += c;
      }
    }
    if (quoted) {
      out.error = "unterminated quote";
      out.values.clear();
      return out;
    }
    out.values.push_back(std::move(word));
    skip_spaces();
  }
  return out;
}

std::string quote_argument(std::string_view value) {
  const bool plain = !value.empty() && value.find_first_of(" \t\"\\") == std::string_view::npos;
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace swarmhub::proto
