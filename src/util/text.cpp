#include "swarmhub/util/text.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>

namespace swarmhub::util {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well-formed.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool is_control(char c) {
  const auto b = static_cast<unsigned char>(c);
  return (b < 0x20 && b != '\t') || b == 0x7F;
}

// Whether the well-formed sequence of `n` bytes at s[i] is a character no user text may
// carry: a C0 control but TAB, DEL, a C1 control (U+0080-009F), or a bidi embedding,
// override or isolate (U+202A-202E, U+2066-2069), which reorder what a terminal shows.
bool is_unsafe(std::string_view s, std::size_t i, std::size_t n) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
  if (n == 1) return is_control(s[i]);
  if (n == 2) return byte(0) == 0xC2 && byte(1) <= 0x9F;
  if (n == 3 && byte(0) == 0xE2) {
    if (byte(1) == 0x80) return byte(2) >= 0xAA && byte(2) <= 0xAE;
    if (byte(1) == 0x81) return byte(2) >= 0xA6 && byte(2) <= 0xA9;
  }
  return false;
}

// The code point of the well-formed sequence of `n` bytes at s[i].
std::uint32_t code_point(std::string_view s, std::size_t i, std::size_t n) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  std::uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1Fu) : n == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<std::uint8_t>(s[i + k]) & 0x3Fu);
  return cp;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool has_control_chars(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      ++i;  // not UTF-8: is_valid_utf8's business
      continue;
    }
    if (is_unsafe(s, i, n)) return true;
    i += n;
  }
  return false;
}

std::string escaped(std::string_view s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      const auto b = static_cast<std::uint8_t>(s[i]);
      out += "\\x";
      out += digits[b >> 4];
      out += digits[b & 0xF];
      ++i;
      continue;
    }
    if (is_unsafe(s, i, n)) {
      const std::uint32_t cp = code_point(s, i, n);
      out += cp < 0x100 ? "\\x" : "\\u";
      for (int shift = cp < 0x100 ? 4 : 12; shift >= 0; shift -= 4)
        out += digits[(cp >> shift) & 0xF];
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

bool is_path_component(std::string_view s) {
  if (s.empty() || s.size() > 255 || s == "." || s == "..") return false;
  return s.find_first_of("/\\") == std::string_view::npos && is_valid_utf8(s) &&
         !has_control_chars(s);
}

std::string escaped_lines(std::string_view s) {
  std::string out;
  for (std::size_t start = 0; start < s.size();) {
    const auto end = s.find('\n', start);
    out += escaped(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

std::string printable(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(s.size() < max_bytes ? s.size() : max_bytes + 3);
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    const bool bad = n == 0 || is_unsafe(s, i, n);
    if (n == 0) n = 1;
    if (out.size() + (bad ? 1 : n) > max_bytes) {
      out += "...";
      return out;
    }
    if (bad) {
      out += '?';
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

}  // namespace swarmhub::util

namespace swarmhub::util {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string human_size(std::int64_t bytes) {
  constexpr std::array<std::string_view, 5> units{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  auto value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  char out[32];
  std::snprintf(out, sizeof out, "%.1f %.*s", value, static_cast<int>(units[unit].size()),
                units[unit].data());
  return out;
}

std::optional<std::int64_t> parse_count(std::string_view text) {
  std::int64_t n = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace swarmhub::util
