#include "swarmhub/net/fingerprint.hpp"

#include <cctype>

namespace swarmhub::net {
namespace {

constexpr char upper_digits[] = "0123456789ABCDEF";
constexpr std::size_t sha256_bytes = 32;

bool starts_with_ascii_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

}  // namespace

std::string format_sha256_fingerprint(std::string_view digest) {
  std::string out;
  out.reserve(digest.size() * 3);
  for (const char c : digest) {
    const auto b = static_cast<unsigned char>(c);
    if (!out.empty()) out += ':';
    out += upper_digits[b >> 4];
    out += upper_digits[b & 0xF];
  }
  return out;
}

std::optional<std::string> parse_sha256_fingerprint(std::string_view text) {
  for (const std::string_view prefix : {"sha256=", "sha256 fingerprint="}) {
    if (starts_with_ascii_nocase(text, prefix)) {
      text.remove_prefix(prefix.size());
      break;
    }
  }
  std::string digits;
  for (const char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (digits.size() != sha256_bytes * 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += digits.substr(i, 2);
  }
  return out;
}

}  // namespace swarmhub::net
