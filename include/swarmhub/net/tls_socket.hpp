#pragma once
// The tracker's server side of TLS: OpenSSL straight on a TCP socket's descriptor, waiting for
// readiness with asio. asio::ssl::stream keeps two 17 KiB buffers of its own and a BIO pair
// for every connection, idle or not (about 50 KiB each); here OpenSSL reads and writes the
// socket itself, and with SSL_MODE_RELEASE_BUFFERS an idle connection holds no record buffer
// at all, only OpenSSL's per-connection state.
//
// Each operation calls OpenSSL once; on WANT_READ/WANT_WRITE it waits for the socket to be
// readable/writable (async_wait) and calls it again with the same arguments, as OpenSSL
// requires. The socket must be non-blocking (the constructor makes it so). One read, one
// write (or shutdown) and no more may be under way at once, all on one strand; the first byte
// (0x16) may have been peeked at (MSG_PEEK), never taken.
//
// It is an AsyncReadStream and AsyncWriteStream, so asio::async_write and Boost.Beast's
// websocket::stream take it (the teardown below closes it as Beast expects). The socket and
// the context must outlive it (it holds the context).
//
// Writing goes through send(MSG_NOSIGNAL): a peer that went away is an error, not SIGPIPE.

#include <openssl/ssl.h>

#include <memory>
#include <optional>

#include "swarmhub/net/asio.hpp"

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

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& next_layer() { return socket_; }
  SSL* native_handle() { return ssl_; }

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

  // Sends close_notify (the orderly end of TLS); it does not wait for the peer's.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return start(step::shutdown, nullptr, 0, std::forward<Token>(token));
  }

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

  // One call into OpenSSL.
  outcome attempt(step what, void* data, std::size_t size);

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
  SSL* ssl_ = nullptr;
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
