// chat_bench: N clients in one room, S of them send M messages each; every other client must
// receive every message. Speaks swarmhub's line protocol (the lobby), the same over the
// tracker's WebSocket (GET /ws, one line per message: what the web app does), or IRC (PRIVMSG
// to one channel), so the same load runs against our tracker both ways and an IRC server.
//
//   chat_bench --proto swarmhub|ws|irc --port P[,P...] --clients N --senders S --messages M
//              [--interval-ms I] [--server-pid PID[,PID...]] [--timeout SECONDS] [--tls 1]
//              [--joining J]
//
// Several ports: the trackers of one cluster; client i connects to the (i mod n)-th, so the
// senders are on different trackers and most deliveries cross between them.
//
// --tls 1: every connection is TLS (swarmhub and irc; the certificate is not checked).
//
// --joining J: at most J clients log in at once (8: what the tracker's guessing defence
// takes from one address). Only the setup; the measured part starts once all are in.
//
// Each sender sends its messages as fast as the socket takes them, or one every I ms: a
// burst measures throughput (and its latency is the queue the burst builds), a paced run
// measures the latency of one message under a load the server can carry.
//
// Prints one line: delivered messages per second, p50/p99 latency (send to receipt, one
// clock: the same process), and the server's CPU seconds and peak RSS over the run. Then,
// per message, where its latency comes from: `first` is the time to its first recipient
// (the server's commit and one write), `spread` the time from its first recipient to its
// last (the fan-out to every other client, their reads included); p50 and p99 of each.

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "load_common.hpp"

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using namespace swarmhub::bench;

namespace {

namespace websocket = boost::beast::websocket;

// Logins under way at once (--joining); the tracker's guessing defence refuses many more
// from one address.
long max_joining = 8;

struct run_state {
  bool irc = false;
  bool ws = false;
  asio::ssl::context* tls = nullptr;  // null: plaintext
  bool accounts = false;
  long clients = 0;
  long senders = 0;
  long messages = 0;
  long interval_ms = 0;
  long ready = 0;
  long joining = 0;  // clients whose login is under way
  long delivered = 0;
  long expected = 0;
  std::vector<double> latency_ms;
  // Per message (sender index * messages + k): when it was sent, and its first and last
  // receipt; 0 until its first receipt.
  struct message_times {
    std::int64_t sent_ns = 0;
    std::int64_t first_ns = 0;
    std::int64_t last_ns = 0;
  };
  std::vector<message_times> per_message;
  asio::steady_timer* all_ready = nullptr;
  asio::steady_timer* all_done = nullptr;
  std::int64_t first_send_ns = 0;
  std::int64_t last_receipt_ns = 0;
};

// The payload after a room message's prefix, or "" for other lines.
std::string_view payload_of(std::string_view line, bool irc) {
  if (irc) {
    // ":nick!user@host PRIVMSG #lobby :payload" (the colon is optional before one word).
    constexpr std::string_view privmsg = " PRIVMSG #lobby ";
    const auto at = line.find(privmsg);
    if (at == std::string_view::npos) return {};
    line.remove_prefix(at + privmsg.size());
    if (line.starts_with(':')) line.remove_prefix(1);
    return line;
  }
  if (!line.starts_with("* ROOM lobby ")) return {};
  line.remove_prefix(13);
  const auto space = line.find(' ');  // after the sender's name
  return space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
}

// One client's connection: lines over TCP, or one line per WebSocket message. One read and
// one write may be under way at once (the sender writes while the reader reads).
class connection {
 public:
  connection(tcp::socket socket, bool ws, asio::ssl::context* tls) : socket_(std::move(socket)) {
    if (ws) ws_ = std::make_unique<websocket::stream<tcp::socket&>>(socket_);
    if (tls) tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls);
  }
  awaitable<void> open(const tcp::endpoint& server) {
    if (tls_) co_await tls_->async_handshake(asio::ssl::stream_base::client, use_awaitable);
    if (!ws_) co_return;
    co_await ws_->async_handshake("127.0.0.1:" + std::to_string(server.port()), "/ws",
                                  use_awaitable);
    ws_->text(true);
  }
  // Writes lines ending in '\n' (each one message over a WebSocket).
  awaitable<void> write(std::string text) {
    if (tls_) {
      co_await asio::async_write(*tls_, asio::buffer(text), use_awaitable);
      co_return;
    }
    if (!ws_) {
      co_await asio::async_write(socket_, asio::buffer(text), use_awaitable);
      co_return;
    }
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      co_await ws_->async_write(asio::buffer(text.data() + start, end - start), use_awaitable);
      start = end + 1;
    }
  }
  // The next whole line already read, without its end, or false: fill() reads more. The
  // view lasts until the next fill(). Lines are taken in place from a read of many at once,
  // without a copy or a trip through the executor per line: the load generator, which reads
  // every line of every client, must cost as little as it can (it shares the cores with the
  // server it measures).
  bool next_line(std::string_view& line) {
    if (ws_) {
      if (!ws_ready_) return false;
      ws_ready_ = false;
      line = ws_line_;
    } else {
      const char* begin = buffer_.get() + consumed_;
      const auto* end = static_cast<const char*>(std::memchr(begin, '\n', filled_ - consumed_));
      if (end == nullptr) return false;
      consumed_ = static_cast<std::size_t>(end - buffer_.get()) + 1;
      line = std::string_view(begin, static_cast<std::size_t>(end - begin));
    }
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    return true;
  }
  // Reads what has come (up to 64 KiB at once: a server's write is up to that), keeping an
  // unfinished line; notes when it came (read_at_ns).
  awaitable<void> fill() {
    if (ws_) {
      in_.clear();
      co_await ws_->async_read(in_, use_awaitable);
      ws_line_ = boost::beast::buffers_to_string(in_.data());
      ws_ready_ = true;
      read_at_ns_ = now_ns();
      co_return;
    }
    if (!buffer_) buffer_ = std::make_unique<char[]>(read_size);
    const std::size_t rest = filled_ - consumed_;  // an unfinished line
    if (rest == read_size) throw std::runtime_error("line longer than the read buffer");
    if (rest > 0 && consumed_ > 0) std::memmove(buffer_.get(), buffer_.get() + consumed_, rest);
    consumed_ = 0;
    filled_ = rest;
    const auto space = asio::buffer(buffer_.get() + rest, read_size - rest);
    std::size_t n = 0;
    if (tls_) {
      n = co_await tls_->async_read_some(space, use_awaitable);
    } else {
      n = co_await socket_.async_read_some(space, use_awaitable);
    }
    filled_ += n;
    read_at_ns_ = now_ns();
  }
  // When the last fill() returned: the receipt time of every line it brought.
  std::int64_t read_at_ns() const { return read_at_ns_; }
  // The next line, without its end (a copy; for the setup, not the measured part).
  awaitable<std::string> read_line() {
    std::string_view line;
    while (!next_line(line)) co_await fill();
    co_return std::string(line);
  }
  tcp::socket& socket() { return socket_; }

 private:
  tcp::socket socket_;
  std::unique_ptr<websocket::stream<tcp::socket&>> ws_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  static constexpr std::size_t read_size = 64 * 1024;
  std::unique_ptr<char[]> buffer_;  // allocated at the first read
  std::size_t filled_ = 0;          // bytes read into buffer_
  std::size_t consumed_ = 0;        // buffer_'s lines already returned
  std::int64_t read_at_ns_ = 0;
  boost::beast::flat_buffer in_;
  std::string ws_line_;  // the last WebSocket message, until next_line takes it
  bool ws_ready_ = false;
};

// Creates the account over the line protocol (a connection of its own, TLS when the run is)
// and waits for the reply.
awaitable<void> create_account(const run_state& run, tcp::endpoint server,
                               const std::string& name) {
  tcp::socket raw(co_await asio::this_coro::executor);
  co_await raw.async_connect(server, use_awaitable);
  connection c(std::move(raw), false, run.tls);
  co_await c.open(server);
  co_await c.write("create_user " + name + " benchpass\nquit\n");
  for (;;) {  // past the greeting to the reply
    const std::string line = co_await c.read_line();
    if (line.starts_with("OK") || line.starts_with("ERR")) co_return;
  }
}

awaitable<void> client(run_state& run, tcp::endpoint server, long index) {
  const std::string name = "b" + std::to_string(index);
  if (run.accounts) co_await create_account(run, server, name);
  // The tracker counts the password attempts under way per address (its guessing defence
  // takes a slot before checking): a thousand at once from 127.0.0.1 would be refused. (It connects
  // only then: a connection waiting without a request would meet the idle limit.)
  while (run.joining >= max_joining) {
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await pause.async_wait(use_awaitable);
  }
  ++run.joining;
  tcp::socket raw(co_await asio::this_coro::executor);
  co_await raw.async_connect(server, use_awaitable);
  raw.set_option(tcp::no_delay(true));
  connection socket(std::move(raw), run.ws, run.tls);
  co_await socket.open(server);
  std::string setup =
      run.irc
          ? "PASS " + name + ":benchpass\r\nNICK " + name + "\r\nUSER " + name + " 0 * :bench\r\n"
          : "create_user " + name + " benchpass\nlogin " + name + " benchpass\n";
  co_await socket.write(setup);
  bool joined = false;
  const bool sender = index < run.senders;
  bool sending_started = false;
  for (;;) {
    std::string_view line;
    if (!socket.next_line(line)) {
      co_await socket.fill();
      continue;
    }
    if (run.irc && line.starts_with("PING ")) {
      std::string pong = "PONG " + std::string(line.substr(5)) + "\r\n";
      co_await socket.write(pong);
      continue;
    }
    if (!joined) {
      if (run.irc && line.find(" 001 ") != std::string::npos) {
        std::string join = "JOIN #lobby\r\n";
        co_await socket.write(join);
      }
      const bool in =
          run.irc ? line.find(" 366 ") != std::string::npos : line.starts_with("OK logged in as");
      // A refused setup (a limit of the server, say) would otherwise wait for ever.
      if (!run.irc && line.starts_with("ERR "))
        throw std::runtime_error("refused: " + std::string(line));
      if (!in) continue;
      joined = true;
      --run.joining;
      if (++run.ready == run.clients) run.all_ready->cancel();
    }
    if (sender && !sending_started) {
      sending_started = true;
      asio::co_spawn(
          socket.socket().get_executor(),
          [&run, &socket, index]() -> awaitable<void> {
            if (run.ready < run.clients) {
              boost::system::error_code ec;
              co_await run.all_ready->async_wait(asio::redirect_error(use_awaitable, ec));
            }
            if (run.first_send_ns == 0) run.first_send_ns = now_ns();
            for (long k = 0; k < run.messages; ++k) {
              const std::string payload =
                  std::to_string(index) + ":" + std::to_string(k) + ":" + std::to_string(now_ns());
              std::string out =
                  run.irc ? "PRIVMSG #lobby :" + payload + "\r\n" : "say " + payload + "\n";
              co_await socket.write(out);
              if (run.interval_ms > 0) {
                asio::steady_timer pause(socket.socket().get_executor(),
                                         std::chrono::milliseconds(run.interval_ms));
                co_await pause.async_wait(use_awaitable);
              }
            }
          },
          asio::detached);
    }
    const auto payload = payload_of(line, run.irc);
    if (payload.empty()) continue;
    // "<sender index>:<k>:<sent ns>"
    const auto last = payload.rfind(':');
    if (last == std::string_view::npos) continue;
    long from = 0;
    long k = 0;
    std::int64_t sent = 0;
    const char* end = payload.data() + payload.size();
    const auto [after_from, e1] = std::from_chars(payload.data(), end, from);
    if (e1 == std::errc() && after_from < end) std::from_chars(after_from + 1, end, k);
    std::from_chars(payload.data() + last + 1, end, sent);
    // Received when the read that brought it returned (one clock reading per read, not per
    // line: a line's place in the read does not delay it).
    const auto now = socket.read_at_ns();
    run.latency_ms.push_back(static_cast<double>(now - sent) / 1e6);
    if (from >= 0 && from < run.senders && k >= 0 && k < run.messages) {
      auto& times = run.per_message[static_cast<std::size_t>(from * run.messages + k)];
      if (times.first_ns == 0 || now < times.first_ns) times.first_ns = now;
      times.last_ns = std::max(times.last_ns, now);
      times.sent_ns = sent;
    }
    run.last_receipt_ns = std::max(run.last_receipt_ns, now);
    if (++run.delivered == run.expected) run.all_done->cancel();
  }
}

}  // namespace

int main(int argc, char** argv) {
  run_state run;
  const std::string proto = flag(argc, argv, "proto", "swarmhub");
  run.irc = proto == "irc";
  run.ws = proto == "ws";
  run.accounts = flag_number(argc, argv, "accounts", 0) != 0;
  max_joining = std::max(1L, flag_number(argc, argv, "joining", max_joining));
  run.clients = flag_number(argc, argv, "clients", 100);
  run.senders = flag_number(argc, argv, "senders", 4);
  run.messages = flag_number(argc, argv, "messages", 100);
  run.interval_ms = flag_number(argc, argv, "interval-ms", 0);
  run.expected = run.senders * run.messages * (run.clients - 1);
  // Several ports (and pids): the trackers of one cluster, the clients spread over them in
  // turn, senders included; CPU and peak RSS are their sums.
  const std::vector<long> ports = flag_numbers(argc, argv, "port", 7070);
  const std::vector<long> pids = flag_numbers(argc, argv, "server-pid", 0);
  const auto servers_cpu = [&pids] {
    double sum = 0;
    for (const long pid : pids) sum += cpu_seconds(pid);
    return sum;
  };
  const long timeout = flag_number(argc, argv, "timeout", 120);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_none);
  if (flag_number(argc, argv, "tls", 0) != 0) run.tls = &tls;

  asio::io_context io;
  asio::steady_timer all_ready(io, asio::steady_timer::time_point::max());
  asio::steady_timer all_done(io, asio::steady_timer::time_point::max());
  run.all_ready = &all_ready;
  run.all_done = &all_done;
  run.latency_ms.reserve(static_cast<std::size_t>(run.expected));
  run.per_message.resize(static_cast<std::size_t>(run.senders * run.messages));
  long failures = 0;
  for (long i = 0; i < run.clients; ++i) {
    const tcp::endpoint server(asio::ip::make_address("127.0.0.1"),
                               static_cast<unsigned short>(ports[i % ports.size()]));
    asio::co_spawn(io, client(run, server, i), [&, i](const std::exception_ptr& e) {
      if (!e || run.delivered >= run.expected) return;
      ++failures;
      if (run.ready < run.clients) {  // it never joined: the run cannot start
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& what) {
          std::fprintf(stderr, "chat_bench: client %ld: %s\n", i, what.what());
        }
        io.stop();
      }
    });
  }
  double cpu_before = 0;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        boost::system::error_code ec;
        co_await all_ready.async_wait(asio::redirect_error(use_awaitable, ec));
        cpu_before = servers_cpu();
        asio::steady_timer limit(io, std::chrono::seconds(timeout));
        limit.async_wait([&](boost::system::error_code e) {
          if (!e) all_done.cancel();
        });
        co_await all_done.async_wait(asio::redirect_error(use_awaitable, ec));
        limit.cancel();
        io.stop();
      },
      asio::detached);
  io.run();
  const double seconds = static_cast<double>(run.last_receipt_ns - run.first_send_ns) / 1e9;
  const double rate = seconds > 0 ? static_cast<double>(run.delivered) / seconds : 0;
  const double p50 = percentile(run.latency_ms, 50);
  const double p99 = percentile(run.latency_ms, 99);
  std::vector<double> first_ms;
  std::vector<double> spread_ms;
  for (const auto& m : run.per_message) {
    if (m.first_ns == 0) continue;
    first_ms.push_back(static_cast<double>(m.first_ns - m.sent_ns) / 1e6);
    spread_ms.push_back(static_cast<double>(m.last_ns - m.first_ns) / 1e6);
  }
  long peak_rss = 0;
  for (const long pid : pids) peak_rss += status_kib(pid, "VmHWM");
  std::printf(
      "proto=%s tls=%d clients=%ld senders=%ld messages=%ld delivered=%ld expected=%ld "
      "seconds=%.3f "
      "rate=%.0f p50_ms=%.2f p99_ms=%.2f server_cpu_s=%.2f server_peak_rss_kib=%ld "
      "failed_clients=%ld first_p50_ms=%.2f first_p99_ms=%.2f spread_p50_ms=%.2f "
      "spread_p99_ms=%.2f\n",
      proto.c_str(), run.tls ? 1 : 0, run.clients, run.senders, run.messages, run.delivered,
      run.expected, seconds, rate, p50, p99, servers_cpu() - cpu_before, peak_rss, failures,
      percentile(first_ms, 50), percentile(first_ms, 99), percentile(spread_ms, 50),
      percentile(spread_ms, 99));
  return run.delivered == run.expected ? 0 : 1;
}
