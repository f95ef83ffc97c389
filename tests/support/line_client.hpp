#pragma once
// A blocking protocol client for tests: connects to 127.0.0.1:port (or another address), sends
// lines, reads replies and events with timeouts. Every wait ends on data, on EOF or at its timeout.
// line_client::tls() speaks the same through TLS (OpenSSL on the same descriptor), pinned on the
// tracker's certificate fingerprint.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmhub/proto/reply.hpp"

namespace swarmhub::test {

using namespace std::chrono_literals;

class line_client {
 public:
  // With `skip_hello`, the tracker's greeting is passed over by read_event() (it comes when
  // the client first speaks, or after the tracker's greeting delay).
  explicit line_client(std::uint16_t port, bool skip_hello = true);
  // The same on another address: "127.0.0.2", "::1".
  line_client(const std::string& host, std::uint16_t port, bool skip_hello = true);
  // The same from the local IPv4 address `from` ("127.0.0.2": another peer, to the tracker).
  line_client(const std::string& host, std::uint16_t port, const std::string& from,
              bool skip_hello = true);
  // A TLS connection whose certificate must have `fingerprint` ("AB:CD:…"): throws
  // std::runtime_error when the handshake fails or the certificate is another one.
  static line_client tls(const std::string& host, std::uint16_t port,
                         const std::string& fingerprint, bool skip_hello = true);
  ~line_client();
  line_client(line_client&& other) noexcept;
  line_client(const line_client&) = delete;
  line_client& operator=(const line_client&) = delete;

  void send_raw(const std::string& bytes);
  void send_line(const std::string& line) { send_raw(line + "\n"); }
  // Sends without blocking; returns how many bytes the kernel took.
  std::size_t try_send(const std::string& bytes);

  // Exactly `n` bytes (for HTTP bodies), or fewer on EOF or timeout.
  std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = 10s);

  // The next line, or nothing on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);

  // The next whole reply; events met on the way are kept in events(). Fails the test on
  // timeout or EOF.
  proto::reply read_reply(std::chrono::milliseconds timeout = 10s);

  // Sends a request and returns its reply.
  proto::reply request(const std::string& line, std::chrono::milliseconds timeout = 10s);

  // The next event named `name`, passing over presence events (JOINED, LEFT) unless they are
  // the ones asked for. Fails the test if another event or none comes.
  proto::event next_event(const std::string& name, std::chrono::milliseconds timeout = 10s);

  // The next event (also taken from events() first).
  std::optional<proto::event> read_event(std::chrono::milliseconds timeout = 10s);

  // True when the tracker closed the connection within the timeout (lines before the end
  // are dropped).
  bool closed_within(std::chrono::milliseconds timeout = 10s);

  std::vector<proto::event>& events() { return events_; }
  int fd() const { return fd_; }
  // The fingerprint of the tracker's certificate on a TLS connection, "" otherwise.
  const std::string& peer_fingerprint() const { return peer_fingerprint_; }
  // Whether the tracker ended TLS in order (close_notify) before the connection closed.
  bool close_notify_seen() const { return close_notify_seen_; }
  void close();

 private:
  struct tls_state;
  // Appends what arrives before `deadline` to pending_: the count (> 0), 0 at EOF or reset,
  // -1 at the deadline.
  long fill(std::chrono::steady_clock::time_point deadline);
  // Sends through TLS when it is on; false when the connection failed.
  bool send_all(const char* data, std::size_t size);

  int fd_ = -1;
  std::unique_ptr<tls_state> tls_;
  std::string peer_fingerprint_;
  std::string pending_;
  proto::reply_parser parser_;
  std::vector<proto::event> events_;
  bool skip_hello_ = true;
  bool close_notify_seen_ = false;
};

}  // namespace swarmhub::test
