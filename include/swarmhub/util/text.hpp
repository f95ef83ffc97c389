#pragma once
// Small, pure helpers over UTF-8 text. Nothing here allocates more than its result.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace swarmhub::util {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view s);

// True when `s` holds a C0 control character other than TAB, or DEL. Such bytes would let
// one user's text move another user's terminal cursor, so lines carrying them are refused.
bool has_control_chars(std::string_view s);

// A copy of `s` fit to echo back inside a one-line reply: control characters and invalid
// UTF-8 bytes become '?', and at most `max_bytes` bytes are kept (cut on a character
// boundary, with "..." appended when cut).
std::string printable(std::string_view s, std::size_t max_bytes = 64);

// A size for people: "512 B", "4.6 MiB" (binary units, one decimal). Exact byte counts
// stay where scripts read them (file_info, the tracker's list_files).
std::string human_size(std::int64_t bytes);

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
