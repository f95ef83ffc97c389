#pragma once

#include <string>
#include <string_view>

namespace swarmhub::util {

// Lower-case hexadecimal of `bytes`, two digits per byte.
std::string to_hex(std::string_view bytes);

}  // namespace swarmhub::util
