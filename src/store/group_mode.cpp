// The words a group's mode is stored and shown as.

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

std::string_view mode_name(group_mode mode) {
  return mode == group_mode::open ? "open" : "sealed";
}

std::optional<group_mode> parse_mode(std::string_view text) {
  if (text == "open") return group_mode::open;
  if (text == "sealed") return group_mode::sealed;
  return std::nullopt;
}

}  // namespace swarmhub::store
