#include "tls_relay.hpp"

#include <array>
#include <mutex>
#include <thread>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/tls_server_context.hpp"

#include <boost/asio/ssl.hpp>

namespace swarmhub::test {
namespace {

using tls_stream = asio::ssl::stream<tcp::socket>;

// Copies `from` to `to` until either ends, appending what passes to `record`; then closes
// both through `close`.
template <class From, class To, class Close>
awaitable<void> pump(From& from, To& to, std::string& record, std::mutex& mutex, Close close) {
  std::array<char, 16 * 1024> buffer{};
  for (;;) {
    error_code ec;
    const std::size_t n = co_await from.async_read_some(asio::buffer(buffer),
                                                        asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    {
      std::lock_guard lock(mutex);
      record.append(buffer.data(), n);
    }
    co_await asio::async_write(to, asio::buffer(buffer.data(), n),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  close();
}

}  // namespace

struct tls_relay::impl {
  impl(const std::string& cert, const std::string& key, std::uint16_t tracker)
      : tls(cert, key), tracker_port(tracker) {}

  // The wire side: raw bytes from a client to the TLS side, recorded as they are.
  awaitable<void> accept_wire() {
    for (;;) {
      tcp::socket client = co_await wire.async_accept(use_awaitable);
      auto pair = std::make_shared<std::array<tcp::socket, 2>>(
          std::array<tcp::socket, 2>{std::move(client), tcp::socket(io)});
      error_code ec;
      co_await (*pair)[1].async_connect(terminator.local_endpoint(),
                                        asio::redirect_error(use_awaitable, ec));
      if (ec) continue;
      const auto close = [pair] {
        error_code ignored;
        (*pair)[0].close(ignored);
        (*pair)[1].close(ignored);
      };
      asio::co_spawn(io, pump((*pair)[0], (*pair)[1], wire_record, mutex, close), asio::detached);
      asio::co_spawn(io, pump((*pair)[1], (*pair)[0], discarded, mutex, close), asio::detached);
    }
  }

  // The TLS side: decrypts and passes the plaintext on to the tracker.
  awaitable<void> accept_tls() {
    for (;;) {
      tcp::socket incoming = co_await terminator.async_accept(use_awaitable);
      asio::co_spawn(io, serve(std::move(incoming)), asio::detached);
    }
  }

  awaitable<void> serve(tcp::socket incoming) {
    struct both {
      both(tcp::socket s, asio::ssl::context& c, asio::io_context& io)
          : secure(std::move(s), c), plain(io) {}
      tls_stream secure;
      tcp::socket plain;
    };
    auto context = tls.current();
    auto pair = std::make_shared<both>(std::move(incoming), *context, io);
    error_code ec;
    co_await pair->secure.async_handshake(asio::ssl::stream_base::server,
                                          asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // a client that refused the certificate
    co_await pair->plain.async_connect({asio::ip::make_address("127.0.0.1"), tracker_port},
                                       asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    const auto close = [pair, context] {
      error_code ignored;
      pair->secure.lowest_layer().close(ignored);
      pair->plain.close(ignored);
    };
    asio::co_spawn(io, pump(pair->secure, pair->plain, tracker_record, mutex, close),
                   asio::detached);
    asio::co_spawn(io, pump(pair->plain, pair->secure, discarded, mutex, close), asio::detached);
  }

  asio::io_context io;
  net::tls_server_context tls;
  std::uint16_t tracker_port;
  tcp::acceptor wire{io, {asio::ip::make_address("127.0.0.1"), 0}};
  tcp::acceptor terminator{io, {asio::ip::make_address("127.0.0.1"), 0}};
  mutable std::mutex mutex;
  std::string wire_record;     // guarded by mutex
  std::string tracker_record;  // guarded by mutex
  std::string discarded;       // what the tracker sent back; not asserted on
  std::thread thread;
};

tls_relay::tls_relay(const std::string& cert_path, const std::string& key_path,
                     std::uint16_t tracker_port)
    : impl_(std::make_unique<impl>(cert_path, key_path, tracker_port)) {
  asio::co_spawn(impl_->io, impl_->accept_wire(), asio::detached);
  asio::co_spawn(impl_->io, impl_->accept_tls(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

tls_relay::~tls_relay() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t tls_relay::port() const {
  return impl_->wire.local_endpoint().port();
}

std::string tls_relay::wire_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->wire_record;
}

std::string tls_relay::tracker_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->tracker_record;
}

}  // namespace swarmhub::test
