#pragma once
// Standard base64 (RFC 4648, with padding). Pure.

#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::util {

std::string to_base64(std::string_view bytes);
// Nothing when `text` is not padded base64 of the standard alphabet.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace swarmhub::util
