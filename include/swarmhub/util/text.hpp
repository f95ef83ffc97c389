#pragma once
// Small, pure helpers over UTF-8 text. Nothing here allocates more than its result.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::util {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

// True when `s` holds a C0 control character other than TAB, DEL, a C1 control (U+0080-009F)
// or a bidi embedding, override or isolate (U+202A-202E, U+2066-2069). Such characters would
// let one user's text move another user's terminal cursor or disguise a name or file name
// (an "exe.txt" that reads "txt.exe"), so lines carrying them are refused.
bool has_control_chars(std::string_view s);

// `s` fit for a terminal, every character kept visible: what has_control_chars() looks for
// is written as \xHH (C0, DEL, C1) or \uHHHH (bidi), and bytes that are not UTF-8 as \xHH,
// so nothing a peer sends can move the cursor or reorder what is shown.
std::string escaped(std::string_view s);
// escaped() line by line: the LFs that end lines are kept.
std::string escaped_lines(std::string_view s);

// A copy of `s` fit to echo back inside a one-line reply: control characters (as above) and invalid
// UTF-8 bytes become '?', and at most `max_bytes` bytes are kept (cut on a character
// boundary, with "..." appended when cut).
std::string printable(std::string_view s, std::size_t max_bytes = 64);

// True when `s` can name one file or folder inside a chosen one and nothing else: 1-255
// bytes of UTF-8 without '/', '\\', control characters (has_control_chars), not "." or "..".
bool is_path_component(std::string_view s);

// A size for people: "512 B", "4.6 MiB" (binary units, one decimal). Exact byte counts
// stay where scripts read them (file_info, the tracker's list_files).
std::string human_size(std::int64_t bytes);

// The whole of `text` as a count (decimal digits only, 0 or more, within int64); nothing for
// anything else (empty, a sign, a space, too large).
std::optional<std::int64_t> parse_count(std::string_view text);

// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

// The one case folding of the project: ASCII letters only. Names (users, groups, commands,
// HTTP header names) are ASCII by rule, so this is also what the store's case-insensitive
// columns compare (SQLite NOCASE, PostgreSQL citext on ASCII).
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string ascii_lower(std::string_view s);
bool iequals_ascii(std::string_view a, std::string_view b);

}  // namespace swarmhub::util
