#include "swarmhub/net/tls_server_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

#include "swarmhub/net/tls_certificate.hpp"
#include "swarmhub/net/tls_socket.hpp"

namespace swarmhub::net {
namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only. TLS 1.3's own suites all qualify.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// TLS 1.3's suites, the server's order (see load()).
constexpr const char* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";

// What both sides share: the protocol floor, the cipher list, no compression.
void apply_common_policy(ssl::context& context) {
  context.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                      ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                      ssl::context::no_tlsv1_1);
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
    throw std::runtime_error("OpenSSL refused the TLS policy");
  // Idle connections hand their read and write buffers back (about 34 KiB each otherwise).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
}

}  // namespace

tls_server_context::tls_server_context(std::string cert_path, std::string key_path)
    : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)), current_(load()) {}

tls_server_context::loaded tls_server_context::load() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  apply_common_policy(*context);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  // No resumption: a tracker's clients hold one long connection each and reconnect seldom.
  // Without it every connection keeps one session instead of three (TLS 1.3 copies it for
  // each of the two tickets it would send) and the context caches none: less memory per idle
  // connection and less work per handshake.
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);  // TLS 1.2's tickets too
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  // TLS 1.3: AES-128-GCM with SHA-256 first (OpenSSL's default puts AES-256-GCM-SHA384
  // first). It is as safe for our use and cheaper to hold: an idle connection keeps its
  // transcript hash (SHA-256's state is half SHA-384's) besides the two cipher contexts.
  // ChaCha20 for a client that prefers it (one without AES in hardware).
  SSL_CTX_set_options(native, SSL_OP_PRIORITIZE_CHACHA);
  if (SSL_CTX_set_ciphersuites(native, tls13_suites) != 1)
    throw std::runtime_error("OpenSSL refused the TLS 1.3 suites");
  // TLS 1.3 connections leave OpenSSL after their handshake (an idle one keeps about 0.3 KiB
  // of TLS state instead of 14).
  tls_socket::prepare(native);
  error_code ec;
  context->use_certificate_chain_file(cert_path_, ec);
  if (ec) throw std::runtime_error("TLS certificate " + cert_path_ + ": " + ec.message());
  context->use_private_key_file(key_path_, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("TLS key " + key_path_ + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    throw std::runtime_error("TLS key " + key_path_ + " does not match " + cert_path_);
  auto leaf = read_certificate_file(cert_path_);
  if (!leaf) throw std::runtime_error("TLS certificate " + cert_path_ + ": cannot be read");
  return {std::move(context), fingerprint_sha256(leaf.get())};
}

std::shared_ptr<ssl::context> tls_server_context::current() const {
  std::lock_guard lock(mutex_);
  return current_.context;
}

std::string tls_server_context::fingerprint() const {
  std::lock_guard lock(mutex_);
  return current_.fingerprint;
}

std::string tls_server_context::reload() {
  try {
    auto fresh = load();  // outside the lock: reading files must not stall new connections
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

ssl::context make_tls_client_context(const std::string& ca_file) {
  ssl::context context(ssl::context::tls_client);
  apply_common_policy(context);
  if (ca_file.empty()) {
    context.set_default_verify_paths();
  } else {
    context.load_verify_file(ca_file);
  }
  return context;
}

}  // namespace swarmhub::net
