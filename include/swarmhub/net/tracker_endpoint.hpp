#pragma once
// A tracker address as the client takes it: `tls://HOST:PORT`, `tcp://HOST:PORT` (plaintext),
// or a bare `HOST:PORT`, which means TLS. Pure parsing; the policy that plaintext goes only
// to loopback is the caller's, with is_loopback_host().

#include <optional>
#include <string>
#include <string_view>

#include "swarmhub/net/host_port.hpp"

namespace swarmhub::net {

enum class tracker_scheme { tls, plaintext };

struct tracker_endpoint {
  tracker_scheme scheme = tracker_scheme::tls;
  host_port address;

  // "tls://host:port" or "tcp://host:port".
  std::string to_string() const;
};

// Parses the forms above; a host and a port other than 0 are required. On failure returns
// nullopt and, when `error` is given, says why.
std::optional<tracker_endpoint> parse_tracker_address(std::string_view text,
                                                      std::string* error = nullptr);

// True for "localhost", 127.0.0.0/8 and ::1 (also as an IPv4-mapped address).
bool is_loopback_host(std::string_view host);

}  // namespace swarmhub::net
