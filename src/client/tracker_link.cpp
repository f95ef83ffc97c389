#include "swarmhub/client/tracker_link.hpp"

#include <fmt/format.h>

#include <array>

#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/net/tls_server_context.hpp"

namespace swarmhub::client {

tracker_link::tracker_link(asio::any_io_executor executor, tls_settings tls)
    : executor_(executor),
      tls_settings_(std::move(tls)),
      channel_(std::make_shared<channel>(executor)),
      write_signal_(executor, asio::steady_timer::time_point::max()) {}

awaitable<void> tracker_link::connect(const tracker_target& where,
                                      std::chrono::milliseconds timeout) {
  if (open_) close();
  auto ch = std::make_shared<channel>(executor_);
  channel_ = ch;
  framer_ = proto::line_framer{1024 * 1024};
  parser_ = proto::reply_parser{};
  outgoing_.clear();
  trust_ = net::trust_outcome::none;
  fingerprint_.clear();
  first_use_note_.clear();
  // A tracker that is down may leave connects hanging (a dead host), and one that stalls in
  // the handshake likewise: give up in time.
  asio::steady_timer deadline(executor_, timeout);
  deadline.async_wait([ch](error_code ec) {
    if (!ec) {
      error_code ignored;
      ch->socket.close(ignored);
    }
  });
  // Ready before the connection exists: the tracker greets in plaintext when its client says
  // nothing for a moment, so the TLS hello must follow the connect at once (loading the
  // system's CAs can take longer than that moment).
  if (where.uses_tls()) make_tls_context();
  const auto& address = where.endpoint.address;
  // Kept out of the co_await expression: GCC 12 destroys such temporaries twice.
  const std::string host = address.host.empty() ? "127.0.0.1" : address.host;
  const std::string port = std::to_string(address.port);
  try {
    tcp::resolver resolver(executor_);
    const auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);
    co_await asio::async_connect(ch->socket, endpoints, use_awaitable);
  } catch (const boost::system::system_error& e) {
    const bool timed_out = e.code() == asio::error::operation_aborted;
    throw connect_error("cannot connect to " + where.to_string() + ": " +
                            (timed_out ? std::string("no answer in time") : e.code().message()),
                        false);
  }
  error_code ec;
  ch->socket.set_option(tcp::no_delay(true), ec);
  if (where.uses_tls()) co_await secure(*ch, where);
  deadline.cancel();
  open_ = true;
}

asio::ip::address tracker_link::local_address() const {
  error_code ec;
  if (!channel_) return {};
  const auto local = channel_->socket.local_endpoint(ec);
  return ec ? asio::ip::address() : local.address();
}

void tracker_link::make_tls_context() {
  if (tls_context_) return;
  try {
    tls_context_ =
        std::make_shared<asio::ssl::context>(net::make_tls_client_context(tls_settings_.ca_file));
  } catch (const std::exception& e) {
    throw connect_error("cannot set up TLS: " + std::string(e.what()), false);
  }
}

awaitable<void> tracker_link::secure(channel& ch, const tracker_target& where) {
  ch.tls.emplace(ch.socket, *tls_context_);
  auto trust = net::tls_trust::for_tracker(where.endpoint.address.to_string(), where.pin,
                                           tls_settings_.known_trackers_path);
  trust.install(*ch.tls);
  error_code ec;
  co_await ch.tls->async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(use_awaitable, ec));
  if (!trust.error().empty()) throw connect_error(trust.error(), true);
  if (ec) {
    const bool timed_out = ec == asio::error::operation_aborted || !ch.socket.is_open();
    // A tracker that answers a TLS hello with plaintext is the likeliest TLS error by far.
    const bool not_tls = ec.category() == asio::error::get_ssl_category() &&
                         net::is_loopback_host(where.endpoint.address.host);
    throw connect_error("TLS handshake with " + where.to_string() + " failed: " +
                            (timed_out ? std::string("no answer in time") : ec.message()) +
                            (not_tls ? "; if that tracker speaks plaintext, use tcp://" +
                                           where.endpoint.address.to_string()
                                     : ""),
                        false);
  }
  trust_ = trust.outcome();
  fingerprint_ = trust.fingerprint();
  if (trust_ != net::trust_outcome::first_use) co_return;
  const auto why = trust.commit();
  // An ssh-like note: the user may compare the fingerprint with the operator's.
  first_use_note_ = "trusting " + where.to_string() +
                    " on first use, certificate sha256=" + fingerprint_ +
                    (why.empty() ? ", recorded in " + tls_settings_.known_trackers_path
                                 : "; it could not be recorded: " + why);
}

void tracker_link::start(event_handler on_event, closed_handler on_closed) {
  on_event_ = std::move(on_event);
  on_closed_ = std::move(on_closed);
  ++generation_;
  broken_why_.clear();
  asio::co_spawn(executor_, reader(generation_, channel_), net::detached_logged{"tracker reader"});
  asio::co_spawn(executor_, writer(generation_, channel_), net::detached_logged{"tracker writer"});
}

awaitable<std::optional<proto::reply>> tracker_link::request(std::string line) {
  if (!open_) co_return std::nullopt;
  auto waiter = std::make_shared<pending>(executor_);
  waiter->done.expires_after(request_timeout_);
  waiting_.push_back(waiter);
  line += '\n';
  outgoing_.push_back(std::move(line));
  write_signal_.cancel();
  const auto generation = generation_;
  error_code ec;
  co_await waiter->done.async_wait(asio::redirect_error(use_awaitable, ec));
  // A reply or a closed connection cancels the wait; the timer running out means neither.
  if (!ec && !waiter->reply && open_ && generation == generation_) {
    break_connection(
        fmt::format("the tracker did not answer within {} ms", request_timeout_.count()));
  }
  co_return std::move(waiter->reply);
}

void tracker_link::close() {
  if (!open_) return;
  open_ = false;
  on_closed_ = nullptr;
  write_signal_.cancel();
  fail_all("closed");
  if (channel_->tls) {
    // TLS's orderly end (close_notify) before the socket closes, bounded in time: a tracker
    // that does not answer with its own is not waited for long. The reader's read is
    // cancelled first (its end is queued before end_tls starts): the TLS stream takes one
    // read at a time, and the shutdown reads the tracker's close_notify.
    error_code ec;
    channel_->socket.cancel(ec);
    asio::co_spawn(executor_, end_tls(channel_), asio::detached);
    return;
  }
  error_code ec;
  channel_->socket.shutdown(tcp::socket::shutdown_both, ec);
  channel_->socket.close(ec);
}

awaitable<void> tracker_link::end_tls(std::shared_ptr<channel> ch) {
  asio::steady_timer limit(executor_, std::chrono::milliseconds(500));
  limit.async_wait([ch](error_code ec) {
    if (!ec) ch->socket.close(ec);
  });
  error_code ec;
  co_await ch->tls->async_shutdown(asio::redirect_error(use_awaitable, ec));
  limit.cancel();
  ch->socket.shutdown(tcp::socket::shutdown_both, ec);
  ch->socket.close(ec);
}

void tracker_link::break_connection(std::string why) {
  if (!open_ || !broken_why_.empty()) return;
  broken_why_ = std::move(why);
  error_code ec;
  channel_->socket.shutdown(tcp::socket::shutdown_both, ec);
  channel_->socket.close(ec);  // the reader's read fails now
}

void tracker_link::fail_all(const std::string& /*why*/) {
  for (auto& w : waiting_) w->done.cancel();
  waiting_.clear();
}

awaitable<void> tracker_link::reader(std::uint64_t generation, std::shared_ptr<channel> ch) {
  std::array<char, 16 * 1024> buffer{};
  std::string why = "connection closed by the tracker";
  while (open_) {
    error_code ec;
    std::size_t n = 0;
    if (ch->tls) {
      n = co_await ch->tls->async_read_some(asio::buffer(buffer),
                                            asio::redirect_error(use_awaitable, ec));
    } else {
      n = co_await ch->socket.async_read_some(asio::buffer(buffer),
                                              asio::redirect_error(use_awaitable, ec));
    }
    if (!open_ || generation != generation_) co_return;  // close() was called
    if (ec) {
      // A tracker that closes a TLS connection without close_notify has still closed it.
      const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      if (!closed) why = "connection to the tracker lost: " + ec.message();
      // The tracker ended TLS in order: so does the client (its close_notify in answer).
      if (ch->tls && ec == asio::error::eof) {
        co_await ch->tls->async_shutdown(asio::redirect_error(use_awaitable, ec));
      }
      break;
    }
    framer_.append(std::string_view(buffer.data(), n));
    while (auto frame = framer_.next()) {
      if (frame->what == proto::frame::kind::too_long) {
        break_connection(fmt::format("a line from the tracker is over {} bytes", max_line));
        break;
      }
      auto parsed = parser_.feed(frame->text);
      if (auto* reply = std::get_if<proto::reply>(&parsed)) {
        if (waiting_.empty()) continue;  // a reply nobody asked for: ignore it
        auto waiter = waiting_.front();
        waiting_.pop_front();
        waiter->reply = std::move(*reply);
        waiter->done.cancel();
      } else if (auto* event = std::get_if<proto::event>(&parsed)) {
        if (on_event_ && room_ids_.accept(*event)) on_event_(*event);
      } else if (auto* odd = std::get_if<proto::protocol_violation>(&parsed)) {
        if (on_event_) on_event_(proto::event{std::string(unparsed), odd->line});
      }
    }
  }
  if (!broken_why_.empty()) why = broken_why_;
  open_ = false;
  write_signal_.cancel();
  fail_all(why);
  error_code ignored;
  ch->socket.close(ignored);
  if (auto closed = std::move(on_closed_)) closed(why);
}

awaitable<void> tracker_link::writer(std::uint64_t generation, std::shared_ptr<channel> ch) {
  while (open_ && generation == generation_) {
    if (outgoing_.empty()) {
      error_code ec;
      co_await write_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    std::string line = std::move(outgoing_.front());
    outgoing_.pop_front();
    error_code ec;
    if (ch->tls) {
      co_await asio::async_write(*ch->tls, asio::buffer(line),
                                 asio::redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(ch->socket, asio::buffer(line),
                                 asio::redirect_error(use_awaitable, ec));
    }
    if (ec) co_return;  // the reader sees the failure too and reports it
  }
}

}  // namespace swarmhub::client
