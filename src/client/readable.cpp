#include "swarmhub/client/readable.hpp"

#include <charconv>
#include <cstdint>

#include "swarmhub/util/text.hpp"

namespace swarmhub::client {

std::string readable_file_line(std::string_view line) {
  constexpr std::string_view key = " size=";
  const auto at = line.rfind(key);  // after the name, which may hold anything quoted
  if (at == std::string_view::npos) return std::string(line);
  const auto digits = line.substr(at + key.size());
  std::int64_t bytes = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bytes);
  if (ec != std::errc() || (end != digits.data() + digits.size() && *end != ' ')) {
    return std::string(line);
  }
  std::string out(line.substr(0, at));
  out += ' ';
  out += util::human_size(bytes);
  out.append(end, digits.data() + digits.size());
  return out;
}

}  // namespace swarmhub::client
