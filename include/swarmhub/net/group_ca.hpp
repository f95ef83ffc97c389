#pragma once
// Sealed groups (docs/protocol.md): the tracker is each group's certificate authority, and a
// member proves membership to other members' peers with a short-lived certificate it signed.
// The CA's certificate is the `ssl-cert` of the group's torrents (libtorrent's SSL torrents):
// a peer accepts only peers whose certificate chains to it. Pure functions over PEM and DER
// text, so the tracker, the client and tests share them.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace swarmhub::net {

// A group's authority: an ECDSA P-256 key and its self-signed CA certificate, in PEM.
struct group_ca {
  std::string key_pem;
  std::string cert_pem;
};

// A fresh authority for `group`, valid for about a hundred years: it is the root every file
// of the group commits to (its info-hash covers the certificate), so it never changes.
group_ca make_group_ca(std::string_view group);

struct member_certificate {
  std::string cert_pem;
  std::int64_t expires = 0;  // unix seconds
};

// Signs `user`'s public key (DER SubjectPublicKeyInfo, an EC P-256 key) for `ca`'s group,
// valid from a minute ago (clock skew) for `lifetime`. Its subjectAltName is DNS "*", which
// libtorrent reads as "for every torrent of this root". Throws std::invalid_argument when
// the key is not a P-256 public key, std::runtime_error when OpenSSL fails.
member_certificate issue_member_certificate(const group_ca& ca, std::string_view public_key_der,
                                            std::string_view user, std::chrono::seconds lifetime);

// A client's key pair for its member certificates: made at start, never leaves the process.
struct member_key {
  std::string private_pem;
  std::string public_der;  // DER SubjectPublicKeyInfo, what the tracker signs
};
member_key make_member_key();

// Diffie-Hellman parameters (PEM, RFC 7919 ffdhe2048) for libtorrent's per-torrent TLS
// contexts, which ask for some even though ECDHE is what P-256 peers agree on.
const std::string& dh_params_pem();

}  // namespace swarmhub::net
