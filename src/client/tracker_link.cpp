#include "swarmhub/client/tracker_link.hpp"

#include <array>

#include "swarmhub/net/detached_logged.hpp"

namespace swarmhub::client {

tracker_link::tracker_link(asio::any_io_executor executor)
    : socket_(executor), write_signal_(executor, asio::steady_timer::time_point::max()) {}

awaitable<void> tracker_link::connect(const net::host_port& where,
                                      std::chrono::milliseconds timeout) {
  const auto executor = socket_.get_executor();
  socket_ = tcp::socket(executor);
  framer_ = proto::line_framer{1024 * 1024};
  parser_ = proto::reply_parser{};
  outgoing_.clear();
  tcp::resolver resolver(executor);
  // Kept out of the co_await expression: GCC 12 destroys such temporaries twice.
  const std::string host = where.host.empty() ? "127.0.0.1" : where.host;
  const std::string port = std::to_string(where.port);
  const auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);
  // A tracker that is down may leave connects hanging (a dead host): give up in time.
  asio::steady_timer deadline(executor, timeout);
  deadline.async_wait([this](error_code ec) {
    if (!ec) {
      error_code ignored;
      socket_.close(ignored);
    }
  });
  co_await asio::async_connect(socket_, endpoints, use_awaitable);
  deadline.cancel();
  error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  open_ = true;
}

asio::ip::address tracker_link::local_address() const {
  error_code ec;
  const auto local = socket_.local_endpoint(ec);
  return ec ? asio::ip::address() : local.address();
}

void tracker_link::start(event_handler on_event, closed_handler on_closed) {
  on_event_ = std::move(on_event);
  on_closed_ = std::move(on_closed);
  ++generation_;
  asio::co_spawn(socket_.get_executor(), reader(generation_),
                 net::detached_logged{"tracker reader"});
  asio::co_spawn(socket_.get_executor(), writer(generation_),
                 net::detached_logged{"tracker writer"});
}

awaitable<std::optional<proto::reply>> tracker_link::request(std::string line) {
  if (!open_) co_return std::nullopt;
  auto waiter = std::make_shared<pending>(socket_.get_executor());
  waiting_.push_back(waiter);
  line += '\n';
  outgoing_.push_back(std::move(line));
  write_signal_.cancel();
  error_code ec;
  co_await waiter->done.async_wait(asio::redirect_error(use_awaitable, ec));
  co_return std::move(waiter->reply);
}

void tracker_link::close() {
  if (!open_) return;
  open_ = false;
  on_closed_ = nullptr;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  write_signal_.cancel();
  fail_all("closed");
}

void tracker_link::fail_all(const std::string& /*why*/) {
  for (auto& w : waiting_) w->done.cancel();
  waiting_.clear();
}

awaitable<void> tracker_link::reader(std::uint64_t generation) {
  std::array<char, 16 * 1024> buffer{};
  std::string why = "connection closed by the tracker";
  while (open_) {
    error_code ec;
    const std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer),
                                                           asio::redirect_error(use_awaitable, ec));
    if (!open_ || generation != generation_) co_return;  // close() was called
    if (ec) {
      if (ec != asio::error::eof) why = "connection to the tracker lost: " + ec.message();
      break;
    }
    framer_.append(std::string_view(buffer.data(), n));
    while (auto frame = framer_.next()) {
      if (frame->what == proto::frame::kind::too_long) continue;
      auto parsed = parser_.feed(frame->text);
      if (auto* reply = std::get_if<proto::reply>(&parsed)) {
        if (waiting_.empty()) continue;  // a reply nobody asked for: ignore it
        auto waiter = waiting_.front();
        waiting_.pop_front();
        waiter->reply = std::move(*reply);
        waiter->done.cancel();
      } else if (auto* event = std::get_if<proto::event>(&parsed)) {
        if (on_event_) on_event_(*event);
      } else if (auto* odd = std::get_if<proto::protocol_violation>(&parsed)) {
        if (on_event_) on_event_(proto::event{std::string(unparsed), odd->line});
      }
    }
  }
  open_ = false;
  write_signal_.cancel();
  fail_all(why);
  error_code ignored;
  socket_.close(ignored);
  if (auto closed = std::move(on_closed_)) closed(why);
}

awaitable<void> tracker_link::writer(std::uint64_t generation) {
  while (open_ && generation == generation_) {
    if (outgoing_.empty()) {
      error_code ec;
      co_await write_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    std::string line = std::move(outgoing_.front());
    outgoing_.pop_front();
    error_code ec;
    co_await asio::async_write(socket_, asio::buffer(line),
                               asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;  // the reader sees the failure too and reports it
  }
}

}  // namespace swarmhub::client
