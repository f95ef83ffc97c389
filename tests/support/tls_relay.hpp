#pragma once
// A TLS front for a tracker that speaks plaintext, in the test process: clients connect with
// TLS to 127.0.0.1:port(), each gets its own plaintext connection to the tracker, and bytes
// are pumped both ways. It records what clients sent twice: as it crossed the wire (what an
// eavesdropper would capture) and as it reached the tracker, so a test can assert that a
// secret is in the second and not in the first.
//
// Runs on a thread of its own from construction to destruction.

#include <cstdint>
#include <memory>
#include <string>

namespace swarmhub::test {

class tls_relay {
 public:
  // Serves the certificate chain and key of these PEM files in front of 127.0.0.1:tracker_port.
  tls_relay(const std::string& cert_path, const std::string& key_path, std::uint16_t tracker_port);
  ~tls_relay();
  tls_relay(const tls_relay&) = delete;
  tls_relay& operator=(const tls_relay&) = delete;

  std::uint16_t port() const;
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }

  // Everything clients sent so far, as it crossed the wire, and as the tracker received it.
  std::string wire_bytes() const;
  std::string tracker_bytes() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace swarmhub::test
