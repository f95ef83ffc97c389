#include "swarmhub/net/tracker_endpoint.hpp"

#include "swarmhub/net/asio.hpp"

namespace swarmhub::net {

std::string tracker_endpoint::to_string() const {
  return (scheme == tracker_scheme::tls ? "tls://" : "tcp://") + address.to_string();
}

std::optional<tracker_endpoint> parse_tracker_address(std::string_view text, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<tracker_endpoint> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  tracker_endpoint out;
  if (const auto sep = text.find("://"); sep != std::string_view::npos) {
    const auto scheme = text.substr(0, sep);
    if (scheme == "tls") {
      out.scheme = tracker_scheme::tls;
    } else if (scheme == "tcp") {
      out.scheme = tracker_scheme::plaintext;
    } else {
      return fail("unknown scheme '" + std::string(scheme) + "' (use tls:// or tcp://)");
    }
    text.remove_prefix(sep + 3);
  }
  std::string why;
  auto address = parse_host_port(text, &why);
  if (!address) return fail(why);
  if (address->host.empty()) return fail("a host is needed");
  if (address->port == 0) return fail("port 0 is not a tracker");
  out.address = std::move(*address);
  return out;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

}  // namespace swarmhub::net
