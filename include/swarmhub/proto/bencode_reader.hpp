#pragma once
// Reads bencoded data (BEP 3) into a tree. Pure, bounded in depth, for the tracker's checks
// of the metadata a client registers.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace swarmhub::proto::bencode {

struct value;
using list = std::vector<value>;
using dict = std::map<std::string, value, std::less<>>;

struct value {
  std::variant<std::int64_t, std::string, list, dict> data;

  const std::string* as_string() const { return std::get_if<std::string>(&data); }
  const std::int64_t* as_int() const { return std::get_if<std::int64_t>(&data); }
  const dict* as_dict() const { return std::get_if<dict>(&data); }
  // The member `key` of a dictionary, or nullptr.
  const value* find(std::string_view key) const;
};

// The value `text` holds, entirely, or nothing if it is not valid bencode.
std::optional<value> parse(std::string_view text, int max_depth = 32);

}  // namespace swarmhub::proto::bencode
