#include "swarmhub/tracker/irc/message.hpp"

#include <array>

namespace swarmhub::tracker::irc {
namespace {

std::string_view next_word(std::string_view& rest) {
  const auto space = rest.find(' ');
  const std::string_view word = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  while (rest.starts_with(' ')) rest.remove_prefix(1);
  return word;
}

}  // namespace

std::string escape_tag_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case ';':
        out += "\\:";
        break;
      case ' ':
        out += "\\s";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string unescape_tag_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) break;  // a lone trailing backslash is dropped
    switch (value[i]) {
      case ':':
        out += ';';
        break;
      case 's':
        out += ' ';
        break;
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      default:
        out += value[i];  // "\\" and any other escaped character stand for themselves
    }
  }
  return out;
}

parsed parse(std::string_view line) {
  parsed out;
  std::string_view rest = line;
  while (rest.starts_with(' ')) rest.remove_prefix(1);
  message m;
  if (rest.starts_with('@')) {
    std::string_view tags = next_word(rest);
    if (tags.size() + 1 > max_tags) return parsed{std::nullopt, parse_problem::too_long};
    tags.remove_prefix(1);
    while (!tags.empty()) {
      const auto semi = tags.find(';');
      const std::string_view tag = tags.substr(0, semi);
      tags = semi == std::string_view::npos ? std::string_view() : tags.substr(semi + 1);
      if (tag.empty()) continue;
      const auto eq = tag.find('=');
      m.tags.emplace_back(
          std::string(tag.substr(0, eq)),
          eq == std::string_view::npos ? std::string() : unescape_tag_value(tag.substr(eq + 1)));
    }
  }
  if (rest.size() + 2 > max_body) return parsed{std::nullopt, parse_problem::too_long};
  if (rest.starts_with(':')) m.source = std::string(next_word(rest).substr(1));
  m.command = std::string(next_word(rest));
  if (m.command.empty()) {
    return parsed{std::nullopt, line.empty() ? parse_problem::empty : parse_problem::no_command};
  }
  while (!rest.empty()) {
    if (rest.starts_with(':')) {
      m.params.emplace_back(rest.substr(1));
      break;
    }
    m.params.emplace_back(next_word(rest));
  }
  out.msg = std::move(m);
  return out;
}

std::string format(const message& m, bool trailing) {
  std::string out;
  if (!m.tags.empty()) {
    out += '@';
    for (std::size_t i = 0; i < m.tags.size(); ++i) {
      if (i > 0) out += ';';
      out += m.tags[i].first;
      if (!m.tags[i].second.empty()) {
        out += '=';
        out += escape_tag_value(m.tags[i].second);
      }
    }
    out += ' ';
  }
  if (!m.source.empty()) {
    out += ':';
    out += m.source;
    out += ' ';
  }
  out += m.command;
  for (std::size_t i = 0; i < m.params.size(); ++i) {
    const std::string& p = m.params[i];
    const bool last = i + 1 == m.params.size();
    // CR and LF become spaces below, so they need the trailing form as a space does.
    const bool must =
        p.empty() || p.find_first_of(" \r\n") != std::string::npos || p.starts_with(':');
    out += ' ';
    if (last && (trailing || must)) out += ':';
    // A parameter never ends the line early: CR and LF become spaces; and one before the
    // last never splits in two: its spaces become '_' (and an empty one is '*').
    if (!last && p.empty()) out += '*';
    for (char c : p) {
      if (c == '\r' || c == '\n' || c == ' ') c = last ? ' ' : '_';
      out += c;
    }
  }
  out += "\r\n";
  return out;
}

std::vector<std::string> split_words(std::string_view words, std::size_t max_bytes) {
  std::vector<std::string> lines(1);
  while (!words.empty()) {
    const auto space = words.find(' ');
    const std::string_view word = words.substr(0, space);
    words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
    if (word.empty()) continue;
    if (!lines.back().empty() && lines.back().size() + 1 + word.size() > max_bytes)
      lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
  }
  return lines;
}

bool starts_irc(std::string_view line) {
  static constexpr std::array<std::string_view, 4> openers{"CAP", "NICK", "USER", "PASS"};
  for (const auto opener : openers) {
    if (line.starts_with(opener) && (line.size() == opener.size() || line[opener.size()] == ' '))
      return true;
  }
  return false;
}

}  // namespace swarmhub::tracker::irc
