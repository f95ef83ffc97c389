#pragma once
// Who may speak plaintext (the line protocol or HTTP without TLS) to the tracker's port:
// `--plaintext allow|loopback|refuse`. Loopback stays open by default so that telnet and nc on
// the same machine keep working; everyone else must use TLS on the same port. A refused
// connection is told how to connect with TLS, once, then closed.

#include <optional>
#include <string_view>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker {

enum class plaintext_mode { allow, loopback, refuse };

// "allow", "loopback" or "refuse"; nullopt otherwise.
std::optional<plaintext_mode> parse_plaintext_mode(std::string_view text);

// Whether a plaintext connection from `remote` is served. Loopback means 127.0.0.0/8, ::1 and
// their IPv4-mapped forms.
bool plaintext_allowed(const asio::ip::address& remote, plaintext_mode mode);

// What a refused plaintext client is told (after `* CLOSING tls ` or in an HTTP 403 body).
inline constexpr std::string_view plaintext_refusal =
    "plaintext is not accepted from this address; connect with TLS to this same port, "
    "e.g. openssl s_client -quiet -connect HOST:PORT";

}  // namespace swarmhub::tracker
