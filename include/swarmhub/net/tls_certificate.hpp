#pragma once
// Keys and certificates through OpenSSL 3, owned by unique_ptrs: the tracker's self-signed
// certificate, made once in its data directory, and the same helpers for tests that need a
// small certificate authority of their own.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace swarmhub::net {

struct evp_pkey_free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct x509_free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

// A fresh ECDSA P-256 key. Throws std::runtime_error if OpenSSL cannot make one.
pkey_ptr make_ec_key();

// What a certificate says. Times are offsets from now; the serial number is always random.
struct certificate_spec {
  std::string common_name;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries ("127.0.0.1", "::1")
  std::chrono::seconds not_before{-std::chrono::hours(1)};        // a little slack for clock skew
  std::chrono::seconds not_after{std::chrono::hours(24 * 3653)};  // about ten years
  bool is_ca = false;
  bool client_auth = false;  // also for TLS clients (peers that both dial and accept)
};

// Signs a certificate for `key` with `issuer_key`; self-signed when `issuer` is null (then
// `issuer_key` should be `key`). Throws std::runtime_error on failure.
x509_ptr issue_certificate(const certificate_spec& spec, EVP_PKEY* key, X509* issuer,
                           EVP_PKEY* issuer_key);

// PEM text of a private key (unencrypted PKCS#8) or of a certificate.
std::string to_pem(EVP_PKEY* key);
std::string to_pem(X509* cert);

// The first certificate of a PEM file (the leaf of a chain), or null if there is none.
x509_ptr read_certificate_file(const std::string& path);

// "AB:CD:…", the SHA-256 of the certificate's DER encoding.
std::string fingerprint_sha256(X509* cert);
// Likewise for the leaf of a PEM file; "" when it cannot be read.
std::string fingerprint_sha256_of_file(const std::string& path);

struct self_signed_files {
  std::string cert_path;
  std::string key_path;
  bool created = false;  // true on the start that made them
};

// The tracker's own certificate when none is given: `data_dir`/tls/cert.pem and key.pem. The
// first call makes an ECDSA P-256 key and a self-signed certificate (CN "swarmhub tracker",
// subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1, valid about ten years), both 0600 in a
// 0700 directory; later calls keep them. Throws std::runtime_error on failure.
self_signed_files ensure_self_signed(const std::string& data_dir);

}  // namespace swarmhub::net
