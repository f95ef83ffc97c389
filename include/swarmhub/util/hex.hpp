#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::util {

// Lower-case hexadecimal of `bytes`, two digits per byte.
std::string to_hex(std::string_view bytes);

// The bytes of an even number of hexadecimal digits (either case), or none.
std::optional<std::string> from_hex(std::string_view digits);

}  // namespace swarmhub::util
