// rtt_bench: round trips of a small command. C clients each send R pings, D at a time
// (pipelined when D > 1), and wait for every reply; prints requests per second.
//
//   rtt_bench --port P --clients C --requests R [--pipeline D]

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>

#include <cstdio>
#include <string>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

awaitable<void> client(tcp::endpoint server, long requests, long depth, long& done) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  socket.set_option(tcp::no_delay(true));
  std::string batch;
  for (long i = 0; i < depth; ++i) batch += "ping\n";
  std::string buffer;
  for (long sent = 0; sent < requests; sent += depth) {
    co_await asio::async_write(socket, asio::buffer(batch), use_awaitable);
    for (long got = 0; got < depth;) {
      const std::size_t n = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer),
                                                            '\n', use_awaitable);
      if (buffer.starts_with("OK")) ++got;  // the greeting (an event) comes first, once
      buffer.erase(0, n);
    }
    done += depth;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const long port = flag_number(argc, argv, "port", 7070);
  const long clients = flag_number(argc, argv, "clients", 1);
  const long requests = flag_number(argc, argv, "requests", 10000);
  const long depth = flag_number(argc, argv, "pipeline", 1);
  asio::io_context io;
  const tcp::endpoint server(asio::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(port));
  long done = 0;
  long failed = 0;
  const auto start = clock::now();
  for (long i = 0; i < clients; ++i) {
    asio::co_spawn(io, client(server, requests, depth, done), [&](const std::exception_ptr& e) {
      if (e) ++failed;
    });
  }
  io.run();
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  std::printf("clients=%ld pipeline=%ld requests=%ld seconds=%.3f rate=%.0f failed_clients=%ld\n",
              clients, depth, done, seconds, static_cast<double>(done) / seconds, failed);
  return failed == 0 ? 0 : 1;
}
