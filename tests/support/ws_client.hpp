#pragma once
// A blocking WebSocket client for tests (Boost.Beast): opens GET /ws on a tracker and speaks
// the line protocol in messages. Every read gives up after 10 s,
// so no test waits forever.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "swarmhub/proto/reply.hpp"

namespace swarmhub::test {

class ws_client {
 public:
  // Connects to 127.0.0.1:port and makes the handshake with `extra_headers` (name, value);
  // throws boost::system::system_error when it fails. Reads the tracker's HELLO.
  explicit ws_client(std::uint16_t port,
                     std::vector<std::pair<std::string, std::string>> extra_headers = {});

  void send(const std::string& text);
  void send_binary(const std::string& bytes);
  // A ping frame; the tracker's pong is read (and passed over) by the next read.
  void ping();
  // The next message, or nothing when the connection ended or the read timed out.
  std::optional<std::string> read();
  // The next reply; events met on the way go to events(). Fails the test if none comes.
  proto::reply read_reply();
  // Sends a request and returns its reply.
  proto::reply request(const std::string& line) {
    send(line);
    return read_reply();
  }
  // The next event named `name` (from events() first), passing over JOINED/LEFT; fails the
  // test if none comes.
  proto::event next_event(const std::string& name);
  std::vector<proto::event>& events() { return events_; }
  // The socket under the WebSocket, to write raw bytes (a garbage frame).
  boost::asio::ip::tcp::socket& socket() { return ws_.next_layer(); }
  // True when the tracker ended the connection (a close frame or EOF) before a timeout.
  bool closed();

 private:
  // One message into buffer_, or the error (timed_out after 10 s).
  boost::system::error_code read_message();

  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  proto::reply_parser parser_;
  std::vector<proto::event> events_;
};

}  // namespace swarmhub::test
