#pragma once
// One IRC message (modern.ircdocs.horse, IRCv3 message-tags): parsing what a client sends and
// formatting what the tracker sends. Pure functions over text, no sockets.
//
//   message = ["@" tags " "] [":" source " "] command *(" " param) [" :" trailing]

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmhub::tracker::irc {

// The limits of the modern protocol: 512 bytes for the message without its tags (CRLF
// included), 8191 for the tags ("@" and the space after them included).
inline constexpr std::size_t max_body = 512;
inline constexpr std::size_t max_tags = 8191;
inline constexpr std::size_t max_line = max_body + max_tags;

struct message {
  std::vector<std::pair<std::string, std::string>> tags;  // unescaped values
  std::string source;
  std::string command;  // as sent; compare with util::iequals_ascii
  std::vector<std::string> params;
};

// Why a line cannot be a message, or nothing when it is one.
enum class parse_problem { empty, too_long, no_command };

struct parsed {
  std::optional<message> msg;
  parse_problem problem = parse_problem::empty;
};

// `line` without its CR LF.
parsed parse(std::string_view line);

// The message as one line, CR LF included; the last parameter is written as a trailing one
// (after " :") when it must be (empty, holds a space, starts with ':') or `trailing` says so.
std::string format(const message& m, bool trailing = false);

// Tag values on the wire (\: \s \\ \r \n).
std::string escape_tag_value(std::string_view value);
std::string unescape_tag_value(std::string_view value);

// Space-separated words in lines of at most `max_bytes` each (a word longer than that alone
// on its line); at least one line, empty for no words (CAP LS across several lines).
std::vector<std::string> split_words(std::string_view words, std::size_t max_bytes);

// True when `line` (a connection's first) is how IRC clients start: CAP, NICK, USER or PASS,
// in upper case as they send it, followed by a space or the end.
bool starts_irc(std::string_view line);

}  // namespace swarmhub::tracker::irc
