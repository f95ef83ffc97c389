#pragma once
// SHA-256 certificate fingerprints as people write them: "AB:CD:…" (32 bytes, uppercase hex
// with colons, as `openssl x509 -noout -fingerprint -sha256` prints them). Pure text; the
// digest itself is computed in tls_certificate.hpp.

#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::net {

// "AB:CD:…" of 32 raw digest bytes.
std::string format_sha256_fingerprint(std::string_view digest);

// Accepts a fingerprint with or without colons, in either case, with or without a leading
// "sha256=" or "SHA256 Fingerprint=", and returns it in the canonical "AB:CD:…" form; nullopt
// unless it is exactly 32 bytes of hex.
std::optional<std::string> parse_sha256_fingerprint(std::string_view text);

}  // namespace swarmhub::net
