// idle_bench: holds N logged-in connections to the tracker at once, spread over several
// 127.x.y.z source addresses (one address has only ~28k ephemeral ports), then reports the
// tracker's memory per connection.
//
//   idle_bench --port P --clients N --server-pid PID [--addresses K] [--timeout SECONDS]

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

// Each client keeps its socket open after logging in, until the run ends.
awaitable<void> client(tcp::endpoint server, long index, long addresses,
                       std::vector<std::unique_ptr<tcp::socket>>& held, long& logged_in,
                       long& failed, asio::steady_timer& all_in, long total) {
  auto socket = std::make_unique<tcp::socket>(co_await asio::this_coro::executor);
  socket->open(tcp::v4());
  const auto source =
      asio::ip::make_address_v4("127.0." + std::to_string(1 + index % addresses / 250) + "." +
                                std::to_string(1 + index % addresses % 250));
  socket->bind(tcp::endpoint(source, 0));
  co_await socket->async_connect(server, use_awaitable);
  const std::string name = "idle" + std::to_string(index);
  std::string setup = "create_user " + name + " idlepass\nlogin " + name + " idlepass\n";
  co_await asio::async_write(*socket, asio::buffer(setup), use_awaitable);
  std::string buffer;
  for (;;) {
    const std::size_t n =
        co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer), '\n', use_awaitable);
    const bool in = buffer.starts_with("OK logged in");
    const bool refused = buffer.starts_with("ERR") && !buffer.starts_with("ERR USER_EXISTS");
    buffer.erase(0, n);
    if (refused) {
      ++failed;
      break;
    }
    if (in) {
      ++logged_in;
      break;
    }
  }
  held.push_back(std::move(socket));
  if (logged_in + failed == total) all_in.cancel();
}

}  // namespace

int main(int argc, char** argv) {
  const long port = flag_number(argc, argv, "port", 7070);
  const long clients = flag_number(argc, argv, "clients", 1000);
  const long addresses = flag_number(argc, argv, "addresses", 16);
  const long pid = flag_number(argc, argv, "server-pid", 0);
  asio::io_context io;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(port));
  std::vector<std::unique_ptr<tcp::socket>> held;
  held.reserve(static_cast<std::size_t>(clients));
  long logged_in = 0;
  long failed = 0;
  asio::steady_timer all_in(io, asio::steady_timer::time_point::max());
  const long rss_before = status_kib(pid, "VmRSS");
  const auto start = clock::now();
  // At most 500 logins in flight: the tracker hashes passwords on two threads.
  auto launcher = [&]() -> awaitable<void> {
    for (long i = 0; i < clients; ++i) {
      asio::co_spawn(io, client(server, i, addresses, held, logged_in, failed, all_in, clients),
                     [&](const std::exception_ptr& e) {
                       if (e) {
                         ++failed;
                         if (logged_in + failed == clients) all_in.cancel();
                       }
                     });
      while (i + 1 - logged_in - failed > 500) {
        asio::steady_timer pause(io, std::chrono::milliseconds(2));
        co_await pause.async_wait(use_awaitable);
      }
    }
  };
  asio::co_spawn(io, launcher(), asio::detached);
  // A tracker that stops accepting (descriptor limit) leaves logins hanging: give up.
  asio::steady_timer limit(io, std::chrono::seconds(flag_number(argc, argv, "timeout", 300)));
  limit.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        boost::system::error_code ec;
        co_await all_in.async_wait(asio::redirect_error(use_awaitable, ec));
        io.stop();
      },
      asio::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  const long rss_after = status_kib(pid, "VmRSS");
  const double per_connection =
      logged_in > 0 ? static_cast<double>(rss_after - rss_before) / static_cast<double>(logged_in)
                    : 0;
  std::printf(
      "clients=%ld logged_in=%ld failed=%ld seconds=%.1f server_rss_before_kib=%ld "
      "server_rss_after_kib=%ld kib_per_connection=%.2f\n",
      clients, logged_in, failed, seconds, rss_before, rss_after, per_connection);
  return failed == 0 ? 0 : 1;
}
