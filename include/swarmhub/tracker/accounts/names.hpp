#pragma once
// What user names, group names and passwords may be. Pure.

#include <cstddef>
#include <string_view>

namespace swarmhub::tracker {

constexpr std::size_t max_name_length = 32;
constexpr std::size_t min_password_length = 6;
constexpr std::size_t max_password_length = 256;

// 1–32 characters of A–Z a–z 0–9 _ . -, starting with a letter or digit. Names are unique
// regardless of letter case ("Alice" and "alice" are the same user).
bool valid_name(std::string_view name);

// A shared file's name: 1–255 bytes, no '/' or '\\', not "." or "..", no leading or trailing
// space. (Control characters never get this far: lines holding them are refused.)
bool valid_file_name(std::string_view name);

// Why `password` is unacceptable, or "" when it is fine.
std::string_view password_problem(std::string_view password);

}  // namespace swarmhub::tracker
