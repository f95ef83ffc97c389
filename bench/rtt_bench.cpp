// rtt_bench: round trips of a small command. C clients each send R pings, D at a time
// (pipelined when D > 1), and wait for every reply; prints requests per second. The same
// client speaks to our tracker (`ping`, answered `OK ...`) and to Redis (inline `PING`,
// answered `+PONG`), so that both servers are measured with one load generator.
//
//   rtt_bench [--proto swarmhub|redis] --port P --clients C --requests R [--pipeline D]

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

// What one request is, and how its reply begins. Other lines (our tracker's greeting, an
// event) are read and not counted.
struct dialect {
  std::string_view request;
  std::string_view reply;
};

constexpr dialect swarmhub_dialect{"ping\n", "OK"};
constexpr dialect redis_dialect{"PING\r\n", "+PONG"};

// Counts the replies among the whole lines of `buffer` and drops those lines; a line cut by
// the end of a read stays for the next.
long take_replies(std::string& buffer, std::string_view reply) {
  long replies = 0;
  std::size_t start = 0;
  for (std::size_t end; (end = buffer.find('\n', start)) != std::string::npos; start = end + 1) {
    if (std::string_view(buffer).substr(start, end - start).starts_with(reply)) ++replies;
  }
  buffer.erase(0, start);
  return replies;
}

awaitable<void> client(tcp::endpoint server, dialect speech, long requests, long depth,
                       long& done) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(server, use_awaitable);
  socket.set_option(tcp::no_delay(true));
  std::string batch;
  for (long i = 0; i < depth; ++i) batch += speech.request;
  // Whatever one read brings is scanned once: one read per batch when the replies come
  // together, as a pipelining client (redis-benchmark) reads them.
  std::array<char, 16384> chunk;
  std::string buffer;
  for (long sent = 0; sent < requests; sent += depth) {
    co_await asio::async_write(socket, asio::buffer(batch), use_awaitable);
    for (long got = 0; got < depth;) {
      const std::size_t n = co_await socket.async_read_some(asio::buffer(chunk), use_awaitable);
      buffer.append(chunk.data(), n);
      got += take_replies(buffer, speech.reply);
    }
    done += depth;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string proto = flag(argc, argv, "proto", "swarmhub");
  if (proto != "swarmhub" && proto != "redis") {
    std::fprintf(stderr, "%s: --proto is swarmhub or redis, not '%s'\n", argv[0], proto.c_str());
    return 2;
  }
  const dialect speech = proto == "redis" ? redis_dialect : swarmhub_dialect;
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
    asio::co_spawn(io, client(server, speech, requests, depth, done),
                   [&](const std::exception_ptr& e) {
                     if (e) ++failed;
                   });
  }
  io.run();
  const double seconds = std::chrono::duration<double>(clock::now() - start).count();
  std::printf(
      "proto=%s clients=%ld pipeline=%ld requests=%ld seconds=%.3f rate=%.0f "
      "failed_clients=%ld\n",
      proto.c_str(), clients, depth, done, seconds, static_cast<double>(done) / seconds, failed);
  return failed == 0 ? 0 : 1;
}
