#pragma once
// "HOST:PORT" addresses as users write them: 127.0.0.1:7070, [::1]:7070, localhost:7070,
// or a bare port (which means every local address when listening). Pure parsing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::net {

struct host_port {
  std::string host;  // without brackets; empty when only a port was given
  std::uint16_t port = 0;

  // "host:port", with brackets around an IPv6 host.
  std::string to_string() const;
};

// Parses "HOST:PORT", "[V6]:PORT" or "PORT". On failure returns nullopt and, when `error`
// is given, says why.
std::optional<host_port> parse_host_port(std::string_view text, std::string* error = nullptr);

// Parses a decimal port 0–65535.
std::optional<std::uint16_t> parse_port(std::string_view text);

}  // namespace swarmhub::net
