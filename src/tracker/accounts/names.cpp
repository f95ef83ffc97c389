#include "swarmhub/tracker/accounts/names.hpp"

namespace swarmhub::tracker {
namespace {

bool alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_length || !alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

bool valid_file_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  if (name.front() == ' ' || name.back() == ' ') return false;
  return name.find_first_of("/\\") == std::string_view::npos;
}

std::string_view password_problem(std::string_view password) {
  if (password.size() < min_password_length) return "password must have at least 6 characters";
  if (password.size() > max_password_length) return "password must have at most 256 bytes";
  return {};
}

}  // namespace swarmhub::tracker
