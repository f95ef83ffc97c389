#pragma once
// How the client decides that a tracker's certificate is the tracker's, per connection:
//
//   pinned     a SHA-256 fingerprint was given (flag, or `sha256=` in tracker_info.txt): the
//              leaf certificate must be exactly that one, and then nothing else is checked
//              (issuer, name, expiry): a pin is the operator's explicit word for this key.
//   CA-signed  no pin, and the chain verifies against the client context's CAs and the
//              certificate names the host: accepted, and not recorded (a CA-signed
//              certificate is renewed often; the CA vouches for each one).
//   known      otherwise, `known_trackers` (ssh's known_hosts is the model) holds a line
//              `HOST:PORT sha256=FP` for this tracker: the leaf must match it, and a different
//              one is refused with both fingerprints and the line to remove.
//   first use  no line yet: accepted, and commit() after the handshake adds the line (0600).
//
// trust_mode::ca_only turns the last two off: no pin means the CA check or nothing.
//
//   auto trust = tls_trust::for_tracker("tracker.example:9001", pin, data_dir + "/known_trackers");
//   trust.install(stream);                 // before async_handshake
//   ... handshake fails  -> print trust.error() if not empty, else the handshake's error
//   ... handshake passes -> trust.commit() records a first use ("" or why it could not)
//
// A tls_trust is for one connection attempt; install() shares its state with the stream's
// callback, so the object may be moved afterwards.

#include <memory>
#include <string>

#include "swarmhub/net/asio.hpp"

#include <boost/asio/ssl.hpp>

namespace swarmhub::net {

enum class trust_mode { automatic, ca_only };
enum class trust_outcome { none, pinned, ca_signed, known, first_use };

class tls_trust {
 public:
  // `tracker` is HOST:PORT as the client dials it (the name checked in CA mode and the key of
  // known_trackers); `pin` is empty or a fingerprint in any form parse_sha256_fingerprint
  // takes; `known_trackers_path` may be empty (then there is no trust on first use).
  static tls_trust for_tracker(const std::string& tracker, const std::string& pin,
                               const std::string& known_trackers_path,
                               trust_mode mode = trust_mode::automatic);

  // The verify callback's logic (OpenSSL calls it for each certificate, root first).
  bool verify(bool preverified, asio::ssl::verify_context& context);

  // Makes `stream` verify the peer with this object and sends the host name (SNI) when it
  // is not an IP address.
  template <class Stream>
  void install(asio::ssl::stream<Stream>& stream) {
    stream.set_verify_mode(asio::ssl::verify_peer);
    stream.set_verify_callback([state = state_](bool preverified, asio::ssl::verify_context& c) {
      return tls_trust(state).verify(preverified, c);
    });
    set_server_name(stream.native_handle());
  }

  // After a successful handshake: records a first use in known_trackers. Returns "" or why
  // it could not (the connection may still be used; the next one will ask again).
  std::string commit();

  // Why the certificate was refused, for people ("" when it was not).
  const std::string& error() const;
  // The peer's leaf certificate, "AB:CD:…" ("" before the handshake reached it).
  const std::string& fingerprint() const;
  trust_outcome outcome() const;

 private:
  struct state;
  explicit tls_trust(std::shared_ptr<state> shared) : state_(std::move(shared)) {}
  void set_server_name(SSL* ssl) const;

  std::shared_ptr<state> state_;
};

}  // namespace swarmhub::net
