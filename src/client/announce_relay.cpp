#include "swarmhub/client/announce_relay.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/net/tls_server_context.hpp"
#include "swarmhub/net/tls_trust.hpp"
#include "swarmhub/proto/http.hpp"

namespace swarmhub::client {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t max_request_head = 16 * 1024;  // libtorrent's announces are far smaller
constexpr std::size_t max_response = 1024 * 1024;    // as the tracker link bounds a reply
constexpr auto exchange_limit = 20s;                 // one announce, end to end

std::string plain_answer(int status, std::string_view reason, std::string_view text) {
  return proto::http::response(status, reason, "text/plain", text, false);
}

}  // namespace

struct announce_relay::state : std::enable_shared_from_this<state> {
  state(asio::any_io_executor executor, tracker_target target, tls_settings tls)
      : executor_(executor),
        acceptor_(executor),
        target_(std::move(target)),
        tls_(std::move(tls)) {}

  awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      tcp::socket from = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      if (ec) continue;  // one failed accept (descriptors short, say) does not end the relay
      asio::co_spawn(executor_, shared_from_this()->relay(std::move(from)),
                     net::detached_logged{"announce relay"});
    }
  }

  // One announce: its request head from libtorrent, the tracker's whole answer back.
  awaitable<void> relay(tcp::socket from) {
    auto self = shared_from_this();
    asio::steady_timer deadline(executor_, exchange_limit);
    auto tracker = std::make_shared<tcp::socket>(executor_);
    deadline.async_wait([&from, tracker](error_code ec) {
      if (ec) return;
      error_code ignored;
      from.close(ignored);
      tracker->close(ignored);
    });
    const std::string answer = co_await exchange(from, *tracker);
    error_code ec;
    if (from.is_open())
      co_await asio::async_write(from, asio::buffer(answer),
                                 asio::redirect_error(use_awaitable, ec));
    from.shutdown(tcp::socket::shutdown_both, ec);
    deadline.cancel();
  }

  // The tracker's answer to the announce read from `from`, or an error answer of our own.
  awaitable<std::string> exchange(tcp::socket& from, tcp::socket& tracker) {
    std::string head;
    error_code ec;
    co_await asio::async_read_until(from, asio::dynamic_buffer(head, max_request_head), "\r\n\r\n",
                                    asio::redirect_error(use_awaitable, ec));
    if (ec) co_return plain_answer(400, "Bad Request", "incomplete request\n");
    const auto request = proto::http::parse_request_line(head.substr(0, head.find("\r\n")));
    // Announces only: the relay is no way into the tracker's other pages.
    if (!request || request->method != "GET" || !request->path.starts_with("/announce/")) {
      co_return plain_answer(403, "Forbidden", "only announces are relayed\n");
    }
    const auto& address = target_.endpoint.address;
    const std::string target_path =
        request->path + (request->query.empty() ? "" : "?" + request->query);
    const std::string forwarded = "GET " + target_path +
                                  " HTTP/1.1\r\nHost: " + address.to_string() +
                                  "\r\nConnection: close\r\n\r\n";
    try {
      tcp::resolver resolver(executor_);
      const std::string host = address.host.empty() ? "127.0.0.1" : address.host;
      const std::string port = std::to_string(address.port);
      const auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);
      co_await asio::async_connect(tracker, endpoints, use_awaitable);
      if (!context_) {
        context_ = std::make_shared<asio::ssl::context>(net::make_tls_client_context(tls_.ca_file));
      }
      asio::ssl::stream<tcp::socket&> secure(tracker, *context_);
      auto trust =
          net::tls_trust::for_tracker(address.to_string(), target_.pin, tls_.known_trackers_path);
      trust.install(secure);
      co_await secure.async_handshake(asio::ssl::stream_base::client,
                                      asio::redirect_error(use_awaitable, ec));
      if (!trust.error().empty()) {
        spdlog::warn("announce relay: {}", trust.error());
        co_return plain_answer(502, "Bad Gateway", "tracker certificate refused\n");
      }
      if (ec) co_return plain_answer(502, "Bad Gateway", "TLS handshake failed\n");
      if (trust.outcome() == net::trust_outcome::first_use) trust.commit();
      co_await asio::async_write(secure, asio::buffer(forwarded), use_awaitable);
      std::string answer;
      co_await asio::async_read(secure, asio::dynamic_buffer(answer, max_response),
                                asio::redirect_error(use_awaitable, ec));
      // The tracker closes after its answer (Connection: close); a TLS peer that closes
      // without close_notify still gave a whole answer when its length is all there.
      const bool ended = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      if ((ec && !ended) || answer.empty()) {
        co_return plain_answer(502, "Bad Gateway", "no answer from the tracker\n");
      }
      co_return answer;
    } catch (const std::exception& e) {
      spdlog::debug("announce relay to {}: {}", target_.to_string(), e.what());
    }
    co_return plain_answer(502, "Bad Gateway", "tracker unreachable\n");
  }

  asio::any_io_executor executor_;
  tcp::acceptor acceptor_;
  tracker_target target_;
  tls_settings tls_;
  std::shared_ptr<asio::ssl::context> context_;  // made at the first announce
};

announce_relay::announce_relay(asio::any_io_executor executor, tracker_target target,
                               tls_settings tls)
    : state_(std::make_shared<state>(executor, std::move(target), std::move(tls))) {
  const tcp::endpoint loopback(asio::ip::address_v4::loopback(), 0);
  state_->acceptor_.open(loopback.protocol());
  state_->acceptor_.bind(loopback);
  state_->acceptor_.listen();
  asio::co_spawn(executor, state_->accept_loop(), net::detached_logged{"announce relay"});
}

announce_relay::~announce_relay() {
  asio::post(state_->executor_, [s = state_] {
    error_code ignored;
    s->acceptor_.close(ignored);
  });
}

std::string announce_relay::base_url() const {
  return "http://127.0.0.1:" + std::to_string(state_->acceptor_.local_endpoint().port());
}

}  // namespace swarmhub::client
