// idle_bench: holds N logged-in connections to the tracker at once, spread over several
// 127.x.y.z source addresses (one address has only ~28k ephemeral ports), then reports the
// tracker's memory per connection.
//
//   idle_bench --port P --clients N --server-pid PID [--addresses K] [--timeout SECONDS]
//              [--tls 1] [--proto swarmhub|irc] [--settle SECONDS] [--accounts 1]
//              [--first F] [--ready-file PATH]
//
// --tls 1: each connection is TLS (the certificate is not checked: only memory is measured).
// --proto irc: registers with NICK/USER and waits for 001 instead of create_user/login, so
// that an IRC server (InspIRCd) is measured the same way. --settle: the connections stay
// idle this long before the server's memory is read (a server may give memory back later).
// --accounts 1 (IRC on swarmhub, which admits account holders only): the accounts are made
// first over one line-protocol connection, before the memory is read, and each IRC client
// then registers with PASS name:password. --first: the accounts are idle<F>, idle<F+1>, ...
// (several idle_bench processes on one cluster, each its own users). --ready-file: written
// once every client is in, before the settle time (so that a script knows when all of
// several processes hold their connections at once).

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

using tls_stream = asio::ssl::stream<tcp::socket>;

struct run_options {
  tcp::endpoint server;
  long addresses = 16;
  bool irc = false;
  bool accounts = false;
  long first = 0;                     // the first account's number
  asio::ssl::context* tls = nullptr;  // null: plaintext
};

std::string name_of(long index) {
  return "idle" + std::to_string(index);
}

// What a client holds open until the run ends: its socket, or its TLS stream.
struct held_connection {
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<tls_stream> secure;
};

// Logs in (or registers, for IRC) and reads until it is in; false when refused.
// Why the first failed login failed (a refusal's line or an exception's text), for stderr.
std::string first_failure;
void note_failure(std::string why) {
  if (first_failure.empty()) first_failure = std::move(why);
}

template <class Stream>
awaitable<bool> log_in(Stream& stream, long index, bool irc, bool accounts) {
  const std::string name = name_of(index);
  const std::string pass = accounts ? "PASS " + name + ":idlepass\r\n" : std::string();
  const std::string setup =
      irc ? pass + "NICK " + name + "\r\nUSER " + name + " 0 * :" + name + "\r\n"
          : "create_user " + name + " idlepass\nlogin " + name + " idlepass\n";
  co_await asio::async_write(stream, asio::buffer(setup), use_awaitable);
  std::string buffer;
  for (;;) {
    const std::size_t n =
        co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer), '\n', use_awaitable);
    const std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    if (irc) {
      if (line.find(" 001 ") != std::string::npos) co_return true;
      if (line.starts_with("ERROR")) {
        note_failure(line);
        co_return false;
      }
      continue;
    }
    if (line.starts_with("OK logged in")) co_return true;
    if (line.starts_with("ERR") && !line.starts_with("ERR USER_EXISTS")) {
      note_failure(line);
      co_return false;
    }
  }
}

// Each client keeps its connection open after logging in, until the run ends.
awaitable<void> client(const run_options& options, long index, std::vector<held_connection>& held,
                       long& logged_in, long& failed, asio::steady_timer& all_in, long total) {
  auto socket = std::make_unique<tcp::socket>(co_await asio::this_coro::executor);
  socket->open(tcp::v4());
  const long a = index % options.addresses;
  const auto source = asio::ip::make_address_v4("127.0." + std::to_string(1 + a / 250) + "." +
                                                std::to_string(1 + a % 250));
  socket->bind(tcp::endpoint(source, 0));
  co_await socket->async_connect(options.server, use_awaitable);
  held_connection connection;
  bool in = false;
  if (options.tls) {
    connection.secure = std::make_unique<tls_stream>(std::move(*socket), *options.tls);
    co_await connection.secure->async_handshake(asio::ssl::stream_base::client, use_awaitable);
    in = co_await log_in(*connection.secure, options.first + index, options.irc, options.accounts);
  } else {
    in = co_await log_in(*socket, options.first + index, options.irc, options.accounts);
    connection.plain = std::move(socket);
  }
  ++(in ? logged_in : failed);
  held.push_back(std::move(connection));
  if (logged_in + failed == total) all_in.cancel();
}

// Makes accounts idle0..idle<count-1> over one connection, the requests pipelined; returns
// how many the server made (or had already).
template <class Stream>
awaitable<long> make_accounts_on(Stream& stream, long first, long count) {
  std::string requests;
  for (long i = first; i < first + count; ++i) {
    requests += "create_user " + name_of(i) + " idlepass\n";
  }
  co_await asio::async_write(stream, asio::buffer(requests), use_awaitable);
  std::string buffer;
  long made = 0;
  for (long replies = 0; replies < count;) {
    const std::size_t n =
        co_await asio::async_read_until(stream, asio::dynamic_buffer(buffer), '\n', use_awaitable);
    const std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    if (line.starts_with("OK") || line.starts_with("ERR")) ++replies;
    if (line.starts_with("OK") || line.starts_with("ERR USER_EXISTS")) ++made;
  }
  co_return made;
}

awaitable<long> make_accounts(const run_options& options, long count) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(options.server, use_awaitable);
  if (!options.tls) co_return co_await make_accounts_on(socket, options.first, count);
  tls_stream secure(std::move(socket), *options.tls);
  co_await secure.async_handshake(asio::ssl::stream_base::client, use_awaitable);
  co_return co_await make_accounts_on(secure, options.first, count);
}

}  // namespace

int main(int argc, char** argv) {
  const long port = flag_number(argc, argv, "port", 7070);
  const long clients = flag_number(argc, argv, "clients", 1000);
  const long pid = flag_number(argc, argv, "server-pid", 0);
  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  run_options options;
  options.server =
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  options.addresses = flag_number(argc, argv, "addresses", 16);
  options.irc = flag(argc, argv, "proto", "swarmhub") == "irc";
  if (flag_number(argc, argv, "tls", 0) != 0) options.tls = &tls;
  options.accounts = flag_number(argc, argv, "accounts", 0) != 0;
  options.first = flag_number(argc, argv, "first", 0);
  if (options.accounts) {
    long made = 0;
    asio::co_spawn(io, make_accounts(options, clients), [&](std::exception_ptr e, long n) {
      if (!e) made = n;
    });
    io.run();
    io.restart();
    if (made != clients) {
      std::fprintf(stderr, "idle_bench: only %ld of %ld accounts were made\n", made, clients);
      return 1;
    }
  }
  std::vector<held_connection> held;
  held.reserve(static_cast<std::size_t>(clients));
  long logged_in = 0;
  long failed = 0;
  asio::steady_timer all_in(io, asio::steady_timer::time_point::max());
  const long rss_before = status_kib(pid, "VmRSS");
  const auto start = clock::now();
  // At most 500 logins in flight: the tracker hashes passwords on two threads.
  auto launcher = [&]() -> awaitable<void> {
    for (long i = 0; i < clients; ++i) {
      asio::co_spawn(io, client(options, i, held, logged_in, failed, all_in, clients),
                     [&](const std::exception_ptr& e) {
                       if (e) {
                         try {
                           std::rethrow_exception(e);
                         } catch (const std::exception& ex) {
                           note_failure(ex.what());
                         }
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
  if (const std::string ready = flag(argc, argv, "ready-file", ""); !ready.empty()) {
    std::ofstream(ready) << logged_in << "\n";
  }
  if (const long settle = flag_number(argc, argv, "settle", 0); settle > 0) {
    std::this_thread::sleep_for(std::chrono::seconds(settle));
  }
  const long rss_after = status_kib(pid, "VmRSS");
  const double per_connection =
      logged_in > 0 ? static_cast<double>(rss_after - rss_before) / static_cast<double>(logged_in)
                    : 0;
  std::printf(
      "clients=%ld logged_in=%ld failed=%ld seconds=%.1f server_rss_before_kib=%ld "
      "server_rss_after_kib=%ld kib_per_connection=%.2f\n",
      clients, logged_in, failed, seconds, rss_before, rss_after, per_connection);
  if (!first_failure.empty())
    std::fprintf(stderr, "idle_bench: first failure: %s\n", first_failure.c_str());
  if (logged_in + failed < clients) {
    std::fprintf(stderr, "idle_bench: %ld logins had no answer in time\n",
                 clients - logged_in - failed);
  }
  return failed == 0 && logged_in == clients ? 0 : 1;
}
