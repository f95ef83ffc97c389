#pragma once
// The client's connection to a tracker: sends request lines, matches each reply to its
// request (replies come in request order), and hands events to a callback as they arrive.
// Over TLS unless the target says tcp://; a TLS tracker's certificate is checked with
// net::tls_trust (pin, else CA and name, else known_trackers) before any line is sent.
// ROOM events that carry ids (event_ids) reach the callback without them, each id once.
// Single-threaded: all of it runs on one executor.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <stdexcept>

#include "swarmhub/client/room_event_ids.hpp"
#include "swarmhub/client/tracker_target.hpp"
#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/tls_trust.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

// The name of the event under which a line that is neither a reply nor an event reaches the
// event handler, to be shown as it came: no event of the protocol is named so.
inline constexpr std::string_view unparsed = "?";

// Where the client's TLS trust comes from.
struct tls_settings {
  std::string ca_file;              // PEM CAs to trust instead of the system's ("": system's)
  std::string known_trackers_path;  // trust on first use; "" turns it off
};

// Why connect() failed, for people. `refused_certificate` tells a certificate that was
// refused (a wrong pin, a changed certificate) from a tracker that did not answer.
class connect_error : public std::runtime_error {
 public:
  connect_error(const std::string& why, bool refused) : runtime_error(why), refused_(refused) {}
  bool refused_certificate() const { return refused_; }

 private:
  bool refused_;
};

class tracker_link {
 public:
  using event_handler = std::function<void(const proto::event&)>;
  using closed_handler = std::function<void(const std::string& why)>;

  explicit tracker_link(asio::any_io_executor executor, tls_settings tls = {});

  // How TLS trackers are checked (the announce relay checks them the same way).
  const tls_settings& tls() const { return tls_settings_; }

  // Connects (again, after the connection ended: a fresh socket) and, for TLS, completes the
  // handshake and the certificate check, recording a first use in known_trackers. Throws
  // connect_error when nothing answers within `timeout` or the certificate is refused.
  awaitable<void> connect(const tracker_target& where,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // How the current connection's certificate was trusted (none for plaintext), and its
  // fingerprint ("AB:CD:…", "" for plaintext).
  net::trust_outcome trust() const { return trust_; }
  const std::string& fingerprint() const { return fingerprint_; }
  // After a first use: a line for the user naming the certificate now trusted; "" otherwise.
  const std::string& first_use_note() const { return first_use_note_; }

  // Starts reading. `on_closed` runs once, when the connection ends for any reason other
  // than close().
  void start(event_handler on_event, closed_handler on_closed);

  // Sends one request line and waits for its reply; nothing when the connection ended first.
  // A tracker that leaves a request unanswered for the request timeout is taken for dead:
  // the connection is broken (on_closed runs, as when the tracker closes it), and so is it
  // when a line from the tracker is longer than the framer's bound (max_line).
  awaitable<std::optional<proto::reply>> request(std::string line);
  void set_request_timeout(std::chrono::milliseconds timeout) { request_timeout_ = timeout; }
  static constexpr std::size_t max_line = 1024 * 1024;

  void close();
  bool is_open() const { return open_; }
  // The address this end of the connection has: the one the tracker sees, reachable from it.
  asio::ip::address local_address() const;

 private:
  struct pending {
    explicit pending(asio::any_io_executor ex) : done(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;
    std::optional<proto::reply> reply;
  };

  // One connection: the socket, and the TLS layer over it unless plaintext. Shared with the
  // connection's reader and writer, so that it outlives their pending operations.
  struct channel {
    explicit channel(asio::any_io_executor executor) : socket(executor) {}
    tcp::socket socket;
    std::optional<asio::ssl::stream<tcp::socket&>> tls;
  };

  // Each connection's reader and writer end when a newer connection starts.
  awaitable<void> reader(std::uint64_t generation, std::shared_ptr<channel> ch);
  awaitable<void> writer(std::uint64_t generation, std::shared_ptr<channel> ch);
  // Sends close_notify and closes the socket (close() on a TLS connection).
  awaitable<void> end_tls(std::shared_ptr<channel> ch);
  // The TLS handshake and certificate check of a fresh connection; throws connect_error.
  void make_tls_context();
  awaitable<void> secure(channel& ch, const tracker_target& where);
  void fail_all(const std::string& why);
  // Takes the connection for broken, for `why`: the reader ends it and reports that.
  void break_connection(std::string why);

  asio::any_io_executor executor_;
  tls_settings tls_settings_;
  std::shared_ptr<asio::ssl::context> tls_context_;  // made at the first TLS connection
  std::shared_ptr<channel> channel_;
  net::trust_outcome trust_ = net::trust_outcome::none;
  std::string fingerprint_;
  std::string first_use_note_;
  proto::line_framer framer_{max_line};
  std::chrono::milliseconds request_timeout_{std::chrono::seconds(7)};
  std::string broken_why_;  // set by break_connection, for the reader to report
  proto::reply_parser parser_;
  std::deque<std::shared_ptr<pending>> waiting_;
  std::deque<std::string> outgoing_;
  asio::steady_timer write_signal_;
  event_handler on_event_;
  closed_handler on_closed_;
  room_event_ids room_ids_;  // across connections: a failover's repeats are dropped
  bool open_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace swarmhub::client
