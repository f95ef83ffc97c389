#include "swarmhub/net/host_port.hpp"

#include <charconv>

namespace swarmhub::net {

std::string host_port::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<host_port> parse_host_port(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<host_port> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail("expected [IPV6]:PORT");
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return fail("an IPv6 host needs brackets");
    if (host.empty()) return fail("missing host before ':'");
  } else {
    port_text = text;
  }
  const auto port = parse_port(port_text);
  if (!port) return fail("port must be a number from 0 to 65535");
  return host_port{std::string(host), *port};
}

}  // namespace swarmhub::net
