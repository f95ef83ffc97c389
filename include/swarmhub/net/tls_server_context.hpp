#pragma once
// The tracker's TLS settings and certificate. A connection takes `current()` when it starts
// its handshake and keeps that context for its whole life; `reload()` (on SIGHUP) builds a
// new context from the same files and swaps it in, so new connections get the new
// certificate while live ones are never dropped. A reload that fails keeps the old context.
//
// Policy: TLS 1.2 at least (1.3 preferred, as OpenSSL negotiates the highest both sides
// have), for 1.2 only ECDHE key exchange with AEAD ciphers, no compression, no
// renegotiation; session tickets stay on (they save a full handshake on reconnect).

#include <memory>
#include <mutex>
#include <string>

#include "swarmhub/net/asio.hpp"

#include <boost/asio/ssl.hpp>

namespace swarmhub::net {

namespace ssl = asio::ssl;

class tls_server_context {
 public:
  // Loads `cert_path` (PEM, the leaf first, then any intermediates) and `key_path` (PEM).
  // Throws std::runtime_error naming the file when they cannot be used.
  tls_server_context(std::string cert_path, std::string key_path);

  // The context for a connection starting now. Thread-safe.
  std::shared_ptr<ssl::context> current() const;

  // "AB:CD:…" of the leaf certificate in use, for the start-up log. Thread-safe.
  std::string fingerprint() const;

  // Re-reads the files into a new context and swaps it in. Returns "" on success; otherwise
  // what failed, and the old context stays in use. Thread-safe.
  std::string reload();

  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }

 private:
  struct loaded {
    std::shared_ptr<ssl::context> context;
    std::string fingerprint;
  };
  // Builds a context from the files, or throws std::runtime_error.
  loaded load() const;

  std::string cert_path_;
  std::string key_path_;
  mutable std::mutex mutex_;
  loaded current_;  // guarded by mutex_
};

// A client context with the same protocol floor, trusting the system's CAs, or only the PEM
// file `ca_file` when it is given (tests, private CAs). Verification itself is tls_trust's.
ssl::context make_tls_client_context(const std::string& ca_file = {});

}  // namespace swarmhub::net
