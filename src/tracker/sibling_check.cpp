#include "swarmhub/tracker/sibling_check.hpp"

#include <fmt/format.h>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker {
namespace {

// The body of GET /identity at `where`, or "" when nothing answers in time.
std::string ask_identity(const net::host_port& where, std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::socket socket(io);
  tcp::resolver resolver(io);
  std::string response;
  auto exchange = [&]() -> awaitable<void> {
    const auto endpoints =
        co_await resolver.async_resolve(where.host, std::to_string(where.port), use_awaitable);
    co_await asio::async_connect(socket, endpoints, use_awaitable);
    const std::string request =
        "GET /identity HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), use_awaitable);
    error_code ec;
    co_await asio::async_read(socket, asio::dynamic_buffer(response, 64 * 1024),
                              asio::redirect_error(use_awaitable, ec));
  };
  asio::co_spawn(io, exchange(), [](const std::exception_ptr&) {});
  io.run_for(timeout);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

}  // namespace

std::string find_split_brain(const tracker_options& options, const std::string& store_id,
                             std::chrono::milliseconds timeout) {
  for (std::size_t i = 0; i < options.tracker_list.size(); ++i) {
    if (i == options.tracker_index) continue;
    const auto& other = options.tracker_list[i];
    std::string body = ask_identity(other, timeout);
    if (body.empty()) continue;  // not running now
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    if (body != "store " + store_id) {
      return fmt::format(
          "tracker {} of the list ({}) serves another store; trackers listed together must "
          "share one PostgreSQL database (--store), or each must have a list of its own",
          i + 1, other.to_string());
    }
  }
  return {};
}

}  // namespace swarmhub::tracker
