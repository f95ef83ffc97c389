#include "swarmhub/tracker/conn/plaintext_rule.hpp"

namespace swarmhub::tracker {

std::optional<plaintext_mode> parse_plaintext_mode(std::string_view text) {
  if (text == "allow") return plaintext_mode::allow;
  if (text == "loopback") return plaintext_mode::loopback;
  if (text == "refuse") return plaintext_mode::refuse;
  return std::nullopt;
}

bool plaintext_allowed(const asio::ip::address& remote, plaintext_mode mode) {
  switch (mode) {
    case plaintext_mode::allow:
      return true;
    case plaintext_mode::refuse:
      return false;
    case plaintext_mode::loopback:
      break;
  }
  if (remote.is_v6() && remote.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, remote.to_v6()).is_loopback();
  }
  return remote.is_loopback();
}

}  // namespace swarmhub::tracker
