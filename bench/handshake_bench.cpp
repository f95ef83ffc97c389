// handshake_bench: full TLS handshakes per second against a server (our tracker, or an IRC
// server with TLS), from C connections at once: each connects, makes a full handshake (no
// session resumption), then closes, again and again for the given time.
//
//   handshake_bench --port P [--concurrency C] [--seconds S] [--server-pid PID]
//
// Prints one line: handshakes, rate, failures, and the server's CPU seconds over the run.
// The certificate is not checked (only the server's work is measured), and the load
// generator shares the machine with the server: its own half of each handshake costs about
// as much, so the rate is a floor.

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdio>
#include <string>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

struct run_state {
  tcp::endpoint server;
  asio::ssl::context* tls = nullptr;
  clock::time_point end;
  long handshakes = 0;
  long failures = 0;
};

awaitable<void> worker(run_state& run) {
  const auto executor = co_await asio::this_coro::executor;
  while (clock::now() < run.end) {
    tcp::socket socket(executor);
    boost::system::error_code ec;
    co_await socket.async_connect(run.server, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      asio::ssl::stream<tcp::socket&> stream(socket, *run.tls);
      co_await stream.async_handshake(asio::ssl::stream_base::client,
                                      asio::redirect_error(use_awaitable, ec));
    }
    ++(ec ? run.failures : run.handshakes);
    socket.close(ec);
  }
}

}  // namespace

int main(int argc, char** argv) {
  run_state run;
  run.server = tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                             static_cast<unsigned short>(flag_number(argc, argv, "port", 7070)));
  const long concurrency = flag_number(argc, argv, "concurrency", 32);
  const long seconds = flag_number(argc, argv, "seconds", 10);
  const long pid = flag_number(argc, argv, "server-pid", 0);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  // Every handshake is a full one.
  SSL_CTX_set_session_cache_mode(tls.native_handle(), SSL_SESS_CACHE_OFF);
  run.tls = &tls;
  asio::io_context io;
  const double cpu_before = cpu_seconds(pid);
  const auto start = clock::now();
  run.end = start + std::chrono::seconds(seconds);
  for (long i = 0; i < concurrency; ++i) asio::co_spawn(io, worker(run), asio::detached);
  io.run();
  const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  std::printf(
      "concurrency=%ld seconds=%.2f handshakes=%ld rate=%.0f failures=%ld server_cpu_s=%.2f\n",
      concurrency, elapsed, run.handshakes, static_cast<double>(run.handshakes) / elapsed,
      run.failures, cpu_seconds(pid) - cpu_before);
  return run.handshakes > 0 ? 0 : 1;
}
