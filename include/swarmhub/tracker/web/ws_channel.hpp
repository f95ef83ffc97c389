#pragma once
// The WebSocket side of a session that asked for GET /ws (Boost.Beast): the adapter between
// WebSocket messages and the line protocol's lines. One message in is one request line; each
// line out (a reply's lines, each event) is one text message. Everything else about the
// connection (queue, limits, timeouts, the command table) stays the session's.
//
// The channel reads and writes through the session's socket (or its TLS stream), which
// must outlive it. One next() and one send() may be under way at once, plus one close().
// Threading: the session's thread, like the session.

#include <functional>
#include <memory>
#include <vector>

#include "swarmhub/net/asio.hpp"

#include "swarmhub/net/tls_socket.hpp"

#include "swarmhub/proto/http.hpp"
#include "swarmhub/proto/line_framer.hpp"

namespace swarmhub::tracker::web {

// Whether `request` asks to become a WebSocket on the app's path (GET /ws, Upgrade:
// websocket).
bool is_websocket_upgrade(const proto::http::request& request);

// Whether a browser's Origin header, if any, names the host it connects to (a page of
// another site may not drive a user's session; programs send no Origin).
bool same_origin(const proto::http::request& request);

class ws_channel {
 public:
  using bytes = std::shared_ptr<const std::string>;
  using done = std::function<void(const error_code&, std::size_t)>;

  // A message longer than `max_line` is a too_long frame (its rest is dropped, as the line
  // protocol drops an overlong line); one longer than 16 times that closes the connection
  // (WebSocket close 1009).
  static std::unique_ptr<ws_channel> over(tcp::socket& socket, std::size_t max_line);
  static std::unique_ptr<ws_channel> over(net::tls_socket& tls, std::size_t max_line);
  virtual ~ws_channel() = default;

  // Answers the upgrade (101 Switching Protocols); an error when it was not a valid
  // WebSocket handshake (Beast has then answered 400).
  virtual awaitable<error_code> accept(const proto::http::request& request) = 0;

  struct message {
    error_code ec;  // asio::error::eof when the peer closed (its close frame)
    proto::frame frame;
  };
  // The next message, as a line: text and binary messages alike (a binary one must hold
  // UTF-8 too, like any line; the session judges it). A trailing LF or CRLF is dropped.
  virtual awaitable<message> next() = 0;

  // Writes each line of `messages` as one text message, then calls `then(ec, bytes)`. Once
  // the WebSocket has begun to close, drops them instead (no data after a close frame) and
  // calls `then` as if they were written.
  virtual void send(std::vector<bytes> messages, done then) = 0;

  // Sends a close frame (1000) and waits for the peer's, then calls `then`.
  virtual void close(std::function<void(const error_code&)> then) = 0;
};

}  // namespace swarmhub::tracker::web
