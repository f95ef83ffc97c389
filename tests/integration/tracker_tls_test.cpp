// TLS on the tracker's one port (issue 14, the tracker's side): TLS and plaintext side by side,
// HTTP inside TLS, the --plaintext modes, handshakes that stall or are garbage, certificate
// reload on SIGHUP, and the modes of the data directory's files.

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/net/tls_certificate.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const std::string health_request = "GET /health HTTP/1.1\r\nHost: tracker\r\n\r\n";

TEST(TrackerTls, TlsAndPlaintextOnOnePort) {
  tracker_process tracker;
  auto tls = tracker.connect_tls(false);
  // Over TLS the greeting waits for the client to speak, and comes with its first reply.
  EXPECT_FALSE(tls.read_line(300ms));
  EXPECT_EQ(tls.request("ping").text, "pong");
  ASSERT_FALSE(tls.events().empty());
  EXPECT_EQ(tls.events().front().name, "HELLO");
  auto plain = tracker.connect();
  EXPECT_EQ(plain.request("ping").text, "pong");

  // Users on either transport reach each other.
  auto alice = tracker.user_tls("alice");
  auto bob = tracker.user("bob");
  ASSERT_TRUE(alice.request("msg bob over tls").ok);
  EXPECT_EQ(bob.next_event("MSG").text, "alice over tls");
  ASSERT_TRUE(bob.request("msg alice in clear").ok);
  EXPECT_EQ(alice.next_event("MSG").text, "bob in clear");
  EXPECT_TRUE(contains(tracker.log(), "TLS certificate sha256=" + tracker.tls_fingerprint()));
}

TEST(TrackerTls, HealthOverTls) {
  tracker_process tracker;
  auto c = tracker.connect_tls();
  c.send_raw(health_request);  // keep-alive: a second request on the same TLS connection
  EXPECT_EQ(c.read_line(), "HTTP/1.1 200 OK\r");
  c.send_raw("GET /health HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n");
  std::optional<std::string> line;
  while ((line = c.read_line()) && *line != "HTTP/1.1 200 OK\r") {
  }
  EXPECT_TRUE(line) << "no second response";
  EXPECT_TRUE(c.closed_within());
}

TEST(TrackerTls, PlaintextAllowedFromLoopbackByDefaultAndWithAllow) {
  for (const std::vector<std::string> args :
       {std::vector<std::string>{}, std::vector<std::string>{"--plaintext", "allow"}}) {
    tracker_process tracker(args);
    auto plain = tracker.connect();
    EXPECT_EQ(plain.request("ping").text, "pong");
    auto http = tracker.connect();
    http.send_raw(health_request);
    EXPECT_EQ(http.read_line(), "HTTP/1.1 200 OK\r");
  }
}

TEST(TrackerTls, RefusedPlaintextIsToldHowToUseTlsThenClosed) {
  tracker_process tracker({"--plaintext", "refuse"});
  auto line = tracker.connect();
  line.send_line("ping");
  const auto told = line.read_line();
  ASSERT_TRUE(told);
  EXPECT_TRUE(told->starts_with("* CLOSING tls ")) << *told;
  EXPECT_TRUE(contains(*told, "openssl s_client")) << *told;
  EXPECT_TRUE(line.closed_within());

  auto http = tracker.connect();
  http.send_raw(health_request);
  EXPECT_EQ(http.read_line(), "HTTP/1.1 403 Forbidden\r");
  EXPECT_TRUE(http.closed_within());

  // TLS is served as ever, line protocol and HTTP.
  auto tls = tracker.connect_tls();
  EXPECT_EQ(tls.request("ping").text, "pong");
  auto tls_http = tracker.connect_tls();
  tls_http.send_raw(health_request);
  EXPECT_EQ(tls_http.read_line(), "HTTP/1.1 200 OK\r");
}

TEST(TrackerTls, AStalledHandshakeIsCutOffWithoutSlowingOthers) {
  tracker_process tracker({"--tls-handshake-timeout", "3"});
  auto stalled = tracker.connect();
  // A TLS record header that promises a ClientHello, then nothing.
  stalled.send_raw(std::string("\x16\x03\x01\x02\x00\x01", 6));
  ASSERT_EQ(stalled.read_line(300ms), std::nullopt);  // no greeting in clear for it
  // Meanwhile others are served, over TLS and in clear, while it is still held.
  auto tls = tracker.connect_tls();
  EXPECT_EQ(tls.request("ping").text, "pong");
  auto plain = tracker.connect();
  EXPECT_EQ(plain.request("ping").text, "pong");
  EXPECT_FALSE(stalled.closed_within(0ms));
  // Then its time is up (the idle timeout would be minutes).
  EXPECT_TRUE(stalled.closed_within(10s));
  EXPECT_TRUE(contains(tracker.log(), "TLS handshake timed out"));
  EXPECT_EQ(tls.request("ping").text, "pong");
}

TEST(TrackerTls, GarbageAfterTheTlsByteIsClosed) {
  tracker_process tracker;
  auto garbage = tracker.connect();
  garbage.send_raw("\x16 this is no TLS record at all\r\n\r\nping\n");
  EXPECT_TRUE(garbage.closed_within(5s));
  EXPECT_TRUE(contains(tracker.log(), "TLS handshake failed"));
  EXPECT_EQ(tracker.connect_tls().request("ping").text, "pong");
}

// A certificate and key for --tls-cert/--tls-key; returns the certificate's fingerprint.
std::string write_certificate(const std::string& cert_path, const std::string& key_path) {
  const auto key = net::make_ec_key();
  net::certificate_spec spec;
  spec.common_name = "tracker.test";
  spec.ip_addresses = {"127.0.0.1"};
  const auto cert = net::issue_certificate(spec, key.get(), nullptr, key.get());
  EXPECT_EQ(net::write_private_file(key_path, net::to_pem(key.get())), "");
  EXPECT_EQ(net::write_private_file(cert_path, net::to_pem(cert.get())), "");
  return net::fingerprint_sha256(cert.get());
}

TEST(TrackerTls, SighupReloadsTheCertificateAndKeepsConnections) {
  temp_dir files;
  const std::string cert = files.file("cert.pem");
  const std::string key = files.file("key.pem");
  const std::string first = write_certificate(cert, key);
  tracker_process tracker({"--tls-cert", cert, "--tls-key", key});
  auto kept = tracker.user_tls("alice");
  EXPECT_EQ(kept.peer_fingerprint(), first);
  auto bob = tracker.user("bob");

  const std::string second = write_certificate(cert, key);
  ASSERT_NE(first, second);
  tracker.proc().signal(SIGHUP);
  // The reload is logged; each look waits for an answer from the tracker (SIGUSR2).
  ASSERT_TRUE(tracker.eventually_stats([&](const std::string&) {
    return contains(tracker.log(), "TLS certificate sha256=" + second);
  }));

  EXPECT_EQ(kept.request("ping").text, "pong");
  ASSERT_TRUE(bob.request("msg alice still there?").ok);
  EXPECT_EQ(kept.next_event("MSG").text, "bob still there?");
  auto fresh = line_client::tls(tracker.host(), tracker.port(), second);
  EXPECT_EQ(fresh.peer_fingerprint(), second);
  EXPECT_EQ(fresh.request("ping").text, "pong");
  EXPECT_THROW(line_client::tls(tracker.host(), tracker.port(), first), std::runtime_error);
}

TEST(TrackerTls, AFailedReloadKeepsTheCertificateInUse) {
  temp_dir files;
  const std::string cert = files.file("cert.pem");
  const std::string key = files.file("key.pem");
  const std::string first = write_certificate(cert, key);
  tracker_process tracker({"--tls-cert", cert, "--tls-key", key});
  ASSERT_EQ(net::write_private_file(cert, "not a certificate\n"), "");
  tracker.proc().signal(SIGHUP);
  ASSERT_TRUE(tracker.eventually_stats(
      [&](const std::string&) { return contains(tracker.log(), "TLS reload failed"); }));
  EXPECT_EQ(line_client::tls(tracker.host(), tracker.port(), first).request("ping").text, "pong");
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(TrackerTls, TheDataDirectoryIsPrivate) {
  tracker_process tracker;
  // A login writes the database, so its WAL exists.
  auto alice = tracker.user("alice");
  ASSERT_TRUE(alice.request("say hello").ok);
  const auto& dir = tracker.data_dir();
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(dir + "/tls"), 0700u);
  for (const char* name : {"tracker.db", "tracker.db-wal", "tracker.db-shm", "tracker.lock",
                           "chat.log", "tls/cert.pem", "tls/key.pem"}) {
    EXPECT_EQ(mode_of(dir + "/" + name), 0600u) << name;
  }
  EXPECT_FALSE(contains(tracker.log(), "other local users may read"));
}

TEST(TrackerTls, LooseFilesAreReportedAtStart) {
  temp_dir place;
  const std::string dir = place.file("data");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  { std::ofstream(dir + "/chat.log") << "old line\n"; }
  ASSERT_EQ(::chmod((dir + "/chat.log").c_str(), 0644), 0);
  tracker_process tracker({}, dir);
  const std::string log = tracker.log();
  EXPECT_TRUE(contains(log, "directory " + dir + " has mode 0755")) << log;
  EXPECT_TRUE(contains(log, "file " + dir + "/chat.log has mode 0644")) << log;
  EXPECT_TRUE(contains(log, "chmod 600")) << log;
  // Reported, not changed: the operator decides.
  EXPECT_EQ(mode_of(dir + "/chat.log"), 0644u);
}

TEST(TrackerTls, OpensslSClientIsGreetedAndServed) {
  const std::string openssl = find_program("openssl");
  if (openssl.empty()) GTEST_SKIP() << "openssl is not installed; nothing to run s_client with";
  tracker_process tracker;
  temp_dir dir;
  process s_client(
      {openssl, "s_client", "-quiet", "-connect", "127.0.0.1:" + std::to_string(tracker.port())},
      dir.file("s_client.err"));
  s_client.write("ping\n");  // over TLS, the greeting comes with the first reply
  EXPECT_EQ(s_client.read_line(), "* HELLO swarmhub 1 auth=none");
  EXPECT_EQ(s_client.read_line(), "OK pong");
}

// After the handshake the tracker protects records itself (net::tls13_records). OpenSSL's
// s_client asks for a key update ("K"): the tracker follows the client's new key and answers
// with a KeyUpdate of its own before its next reply, which the client reads under the new key.
TEST(TrackerTls, OpensslSClientKeyUpdatesAreFollowedAndAnswered) {
  const std::string openssl = find_program("openssl");
  if (openssl.empty()) GTEST_SKIP() << "openssl is not installed; nothing to run s_client with";
  tracker_process tracker;
  temp_dir dir;
  process s_client(
      {openssl, "s_client", "-msg", "-connect", "127.0.0.1:" + std::to_string(tracker.port())},
      dir.file("s_client.err"));
  // Lines until `last` (or, for "sent", until s_client shows the KeyUpdate it sent); how many
  // of them were KeyUpdates received (s_client marks what it reads "<<<", what it sends ">>>").
  const auto key_updates_until = [&](const std::string& last) {
    int updates = 0;
    for (int i = 0; i < 400; ++i) {
      const auto line = s_client.read_line();
      if (!line) break;
      if (*line == last) return updates;
      if (last == "sent" && contains(*line, ">>>") && contains(*line, "KeyUpdate")) return updates;
      if (contains(*line, "<<<") && contains(*line, "KeyUpdate")) ++updates;
    }
    ADD_FAILURE() << "no " << last;
    return updates;
  };
  s_client.write("ping\n");
  EXPECT_EQ(key_updates_until("OK pong"), 0);
  // A command is a read of its own for s_client: the next line waits until it is sent.
  for (int round = 0; round < 3; ++round) {
    s_client.write("K\n");  // s_client's command: KeyUpdate, update_requested
    int updates = key_updates_until("sent");
    s_client.write("ping\n");
    updates += key_updates_until("OK pong");
    EXPECT_EQ(updates, 1) << "round " << round;
  }
  s_client.write("k\n");  // KeyUpdate, update_not_requested: followed, not answered
  int updates = key_updates_until("sent");
  s_client.write("ping\n");
  updates += key_updates_until("OK pong");
  EXPECT_EQ(updates, 0);
}

// An orderly close ends TLS in order too: close_notify before the TCP end, whether the
// client quit, was refused or the tracker shut down.
// A TLS connection that just stops (no close_notify) may have been cut on the way: its
// unterminated last line is not run. (In clear, or after close_notify, it is.)
TEST(TrackerTls, AnUnterminatedLineCutWithoutCloseNotifyIsDropped) {
  tracker_process tracker;
  auto cut = tracker.connect_tls();
  EXPECT_EQ(cut.request("ping").text, "pong");
  cut.send_raw("create_user carol carol-password");  // no line end
  cut.close();                                       // TCP's end, without TLS's
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!contains(tracker.log(), "peer_close_notify=no") &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);  // the tracker's log is the event to wait for
  ASSERT_TRUE(contains(tracker.log(), "peer_close_notify=no"));
  auto c = tracker.connect_tls();
  EXPECT_EQ(c.request("login carol carol-password").code, "LOGIN_FAILED");
}

TEST(TrackerTls, EveryOrderlyCloseSendsCloseNotify) {
  tracker_process tracker;
  auto quitting = tracker.connect_tls();
  EXPECT_TRUE(quitting.request("quit").ok);
  EXPECT_TRUE(quitting.closed_within());
  EXPECT_TRUE(quitting.close_notify_seen());

  auto refused = tracker.connect_tls();
  std::string malformed;  // 16 in a row are cut off (tracker_options::max_malformed)
  for (int i = 0; i < 16; ++i)
    malformed +=
        "\x01"
        "bad\n";
  refused.send_raw(malformed);
  EXPECT_TRUE(refused.closed_within());
  EXPECT_TRUE(refused.close_notify_seen());

  auto at_shutdown = tracker.user_tls("alice");
  tracker.proc().signal(SIGTERM);
  EXPECT_EQ(at_shutdown.next_event("CLOSING").text, "shutdown server is closing");
  EXPECT_TRUE(at_shutdown.closed_within());
  EXPECT_TRUE(at_shutdown.close_notify_seen());
}

// More than the socket takes at once (the writes wait for it mid-record) arrives whole and in
// order, and the connection then idles without buffers (net::tls_socket).
TEST(TrackerTls, ALargeOutputOverTlsArrivesWhole) {
  tracker_process tracker;
  auto c = tracker.connect_tls();
  std::string burst;
  constexpr int requests = 300;
  for (int i = 0; i < requests; ++i) burst += "help\n";
  c.send_raw(burst);
  for (int i = 0; i < requests; ++i) ASSERT_TRUE(c.read_reply().ok) << "reply " << i;
  EXPECT_EQ(c.request("ping").text, "pong");
}

// The web app's socket over TLS (net::tls_socket under Beast): requests answered, and a quit
// ends with the WebSocket close, then TLS's close_notify.
TEST(TrackerTls, WebSocketOverTlsAnswersAndClosesInOrder) {
  namespace websocket = boost::beast::websocket;
  tracker_process tracker;
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_none);
  websocket::stream<asio::ssl::stream<tcp::socket>> ws(io, context);
  std::vector<std::string> got;
  error_code end;
  bool close_notify = false;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        co_await boost::beast::get_lowest_layer(ws).async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), tracker.port()), use_awaitable);
        co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, use_awaitable);
        co_await ws.async_handshake("127.0.0.1:" + std::to_string(tracker.port()), "/ws",
                                    use_awaitable);
        for (const std::string line : {"ping", "quit"}) {
          co_await ws.async_write(asio::buffer(line), use_awaitable);
        }
        for (;;) {
          boost::beast::flat_buffer in;
          co_await ws.async_read(in, asio::redirect_error(use_awaitable, end));
          if (end) break;
          got.push_back(boost::beast::buffers_to_string(in.data()));
        }
        close_notify =
            (SSL_get_shutdown(ws.next_layer().native_handle()) & SSL_RECEIVED_SHUTDOWN) != 0;
      },
      asio::detached);
  io.run_for(20s);
  ASSERT_GE(got.size(), 3u);
  EXPECT_TRUE(got[0].starts_with("* HELLO")) << got[0];
  EXPECT_EQ(got[1], "OK pong");
  EXPECT_TRUE(got[2].starts_with("OK")) << got[2];
  EXPECT_EQ(end, websocket::error::closed) << end.message();
  EXPECT_TRUE(close_notify);
}

}  // namespace
}  // namespace swarmhub::test
