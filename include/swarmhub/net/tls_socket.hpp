#pragma once
// The tracker's server side of TLS: OpenSSL straight on a TCP socket's descriptor, waiting for
// readiness with asio. asio::ssl::stream keeps two 17 KiB buffers of its own and a BIO pair
// for every connection, idle or not (about 50 KiB each); here OpenSSL reads and writes the
// socket itself, and with SSL_MODE_RELEASE_BUFFERS an idle connection holds no record buffer.
//
// Once a TLS 1.3 handshake is done, the connection's `SSL` (about 14 KiB in OpenSSL 3.0) is
// freed and its records are protected here (tls13_records) with the two application traffic
// secrets, which OpenSSL's key log hands over during the handshake (prepare() sets that up on
// the context). The handshake ends before OpenSSL reads any application record (no read-ahead)
// and the server sends none during it (no tickets), so both sequence numbers start at 0.
// KeyUpdate is answered; alerts end the connection; anything else after the handshake is
// unexpected_message. A TLS 1.2 connection, or a context without prepare(), stays with OpenSSL
// throughout.
//
// Each operation tries once; when the socket would block it waits for it to be readable or
// writable (async_wait) and tries again with the same arguments. One read, one write (or
// shutdown) and no more may be under way at once, all on one strand; the first byte (0x16)
// may have been peeked at (MSG_PEEK), never taken.
//
// It is an AsyncReadStream and AsyncWriteStream, so asio::async_write and Boost.Beast's
// websocket::stream take it (the teardown below closes it as Beast expects). The socket and
// the context must outlive it (it holds the context until the handshake is done).
//
// Writing goes through send(MSG_NOSIGNAL): a peer that went away is an error, not SIGPIPE.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/tls13_records.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace swarmhub::net {

class tls_socket {
 public:
  using executor_type = tcp::socket::executor_type;
  using next_layer_type = tcp::socket;

  tls_socket(tcp::socket& socket, std::shared_ptr<asio::ssl::context> context);
  ~tls_socket();
  tls_socket(const tls_socket&) = delete;
  tls_socket& operator=(const tls_socket&) = delete;

  // What a server context needs for connections to leave OpenSSL after a TLS 1.3 handshake:
  // its key log handed to the connection. Once per context, before its first connection.
  static void prepare(SSL_CTX* context);

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& next_layer() { return socket_; }

  // OpenSSL's connection; null once the records are ours.
  SSL* native_handle() { return ssl_; }

  // Whether the records are ours now (the SSL freed after a TLS 1.3 handshake).
  bool own_records() const { return own_ != nullptr; }

  // Whether the peer ended TLS in order (its close_notify came).
  bool peer_sent_close_notify() const;

  // The server's handshake.
  template <class Token>
  auto async_handshake(Token&& token) {
    return start(step::handshake, nullptr, 0, std::forward<Token>(token));
  }

  // Decrypted bytes into the first non-empty buffer; asio::error::eof after the peer's
  // close_notify, asio::ssl::error::stream_truncated when it closed without one.
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    const asio::mutable_buffer b = first_non_empty(buffers);
    return start(step::read, b.data(), b.size(), std::forward<Token>(token));
  }

  // The first non-empty buffer, all of it (as many records as it takes).
  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    const asio::const_buffer b = first_non_empty(buffers);
    return start(step::write, const_cast<void*>(b.data()), b.size(), std::forward<Token>(token));
  }

  // Sends close_notify (the orderly end of TLS); it does not wait for the peer's. Once only.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return start(step::shutdown, nullptr, 0, std::forward<Token>(token));
  }

  // Sends close_notify once without waiting (what the socket takes now), for a synchronous
  // teardown.
  void shutdown_now();

  // What to wait for before read_some may have something: nothing (OpenSSL holds decrypted
  // bytes already), the socket readable, or writable (the last read_some must write first).
  // The reader waits on the socket itself: with read_some it needs no buffer of its own while
  // it waits, and an idle connection's wait is the socket's bare wait (a composed operation
  // around it would keep about 0.3 KiB more for as long as the connection is idle).
  std::optional<tcp::socket::wait_type> readable_wait();

  // Reads what there is without waiting: bytes, or asio::error::would_block, or an error as
  // async_read_some's.
  std::size_t read_some(asio::mutable_buffer buffer, error_code& ec);

 private:
  enum class step { handshake, read, write, shutdown };
  enum class want { nothing, read, write };
  struct outcome {
    want wait = want::nothing;
    error_code ec;
    std::size_t bytes = 0;
  };

  struct own_state;
  struct secrets;

  // One try: a call into OpenSSL, or our own records once they have taken over.
  outcome attempt(step what, void* data, std::size_t size);
  outcome attempt_own(step what, void* data, std::size_t size);
  outcome read_own(std::uint8_t* data, std::size_t size);
  outcome write_own(const std::uint8_t* data, std::size_t size);
  outcome shut_down_own();
  // Sends what is sealed and not yet sent; want::write while the socket is full.
  outcome flush_own();
  // Sends `sealed` (nothing waiting before it); keeps what the socket does not take.
  outcome send_now(std::string_view sealed);
  // Seals a record of ours that is not application data (an alert) behind what waits to be
  // sent; false when sealing failed.
  bool queue_own(tls13::content type, std::string_view body);
  // Sealing failed (OpenSSL): the connection is over, nothing more is sealed or sent.
  outcome fail_unsealable();
  // Sends the alert (best effort) and ends the connection with its error.
  outcome fail_own(tls13::alert a);
  // A post-handshake message from the peer: KeyUpdate and nothing else.
  std::optional<tls13::alert> on_handshake_message(std::span<const std::uint8_t> messages);

  // After the handshake: our own records in place of the SSL, when possible.
  void take_over_records();
  static void on_key_log(const SSL* ssl, const char* line);

  template <class Buffers>
  static auto first_non_empty(const Buffers& buffers) {
    for (auto i = asio::buffer_sequence_begin(buffers); i != asio::buffer_sequence_end(buffers);
         ++i) {
      if (asio::buffer_size(*i) > 0) return *i;
    }
    return *asio::buffer_sequence_begin(buffers);
  }

  // Calls OpenSSL, waits for the socket while it asks to, completes with (ec, bytes). A
  // result known at once is posted, never given inside the initiating call.
  struct operation {
    tls_socket& self_;
    step what_;
    void* data_;
    std::size_t size_;
    enum { starting, waiting, done } state_ = starting;
    outcome result_{};

    template <class Self>
    void operator()(Self& self, error_code ec = {}) {
      if (state_ == done) return self.complete(result_.ec, result_.bytes);
      const bool first = state_ == starting;
      result_ = ec ? outcome{want::nothing, ec, 0} : self_.attempt(what_, data_, size_);
      if (result_.wait != want::nothing) {
        state_ = waiting;
        self_.socket_.async_wait(
            result_.wait == want::read ? tcp::socket::wait_read : tcp::socket::wait_write,
            std::move(self));
        return;
      }
      if (!first) return self.complete(result_.ec, result_.bytes);
      state_ = done;
      asio::post(self_.socket_.get_executor(), std::move(self));
    }
  };

  template <class Token>
  auto start(step what, void* data, std::size_t size, Token&& token) {
    return asio::async_compose<Token, void(error_code, std::size_t)>(
        operation{*this, what, data, size}, token, socket_);
  }

  tcp::socket& socket_;
  std::shared_ptr<asio::ssl::context> context_;
  SSL* ssl_ = nullptr;                // null once our own records have taken over
  std::unique_ptr<secrets> secrets_;  // during the handshake only
  std::unique_ptr<own_state> own_;
  bool read_wants_write_ = false;  // the last read_some needs the socket writable first
};

// Beast's websocket closing: close_notify, then the TCP send side.
void teardown(boost::beast::role_type role, tls_socket& stream, error_code& ec);

template <class Handler>
void async_teardown(boost::beast::role_type, tls_socket& stream, Handler&& handler) {
  stream.async_shutdown(
      [&stream, h = std::forward<Handler>(handler)](error_code ec, std::size_t) mutable {
        error_code ignored;
        stream.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
        if (ec == asio::error::eof) ec = {};
        std::move(h)(ec);
      });
}

}  // namespace swarmhub::net
