// Bad input and misbehaving peers (T7): each gets a defined outcome and nobody else notices.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <string>
#include <thread>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

TEST(TrackerLimits, OverlongLineGetsAnErrorAndTheConnectionGoesOn) {
  tracker_process tracker({"--max-line", "1024"});
  auto c = tracker.connect();
  auto r = c.request(std::string(5000, 'x'));
  EXPECT_EQ(r.code, "LINE_TOO_LONG");
  EXPECT_EQ(c.request("ping").text, "pong");
}

TEST(TrackerLimits, EndlessLineIsReportedOnceWithoutBufferingIt) {
  tracker_process tracker({"--max-line", "1024"});
  auto c = tracker.connect();
  const std::string chunk(64 * 1024, 'y');
  for (int i = 0; i < 64; ++i) c.send_raw(chunk);  // 4 MiB, no newline
  auto r = c.read_reply();
  EXPECT_EQ(r.code, "LINE_TOO_LONG");
  c.send_raw("\n");
  EXPECT_EQ(c.request("ping").text, "pong");  // the long line produced exactly one reply
}

TEST(TrackerLimits, InvalidUtf8NulAndEscapesAreRefused) {
  tracker_process tracker;
  auto c = tracker.connect();
  EXPECT_EQ(c.request("\xff\xfe hello").code, "BAD_ENCODING");
  EXPECT_EQ(c.request(std::string("ping\0x", 6)).code, "BAD_ENCODING");
  EXPECT_EQ(c.request("hi \x1b[2J").code, "BAD_ENCODING");
  EXPECT_EQ(c.request("ping").text, "pong");
}

TEST(TrackerLimits, GarbageFloodIsCutOffAndOthersAreServed) {
  tracker_process tracker({"--max-line", "4096"});
  auto other = tracker.connect();
  auto c = tracker.connect();
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) % 256);
  for (int i = 0; i < 40; ++i) c.try_send(garbage + "\n");
  bool saw_closing = false;
  for (;;) {
    auto line = c.read_line();
    if (!line) break;
    if (line->starts_with("* CLOSING malformed")) saw_closing = true;
  }
  EXPECT_TRUE(saw_closing);
  EXPECT_EQ(other.request("ping").text, "pong");
}

TEST(TrackerLimits, IdleConnectionIsToldAndClosed) {
  tracker_process tracker({"--idle-timeout", "0.3"});
  auto c = tracker.connect();
  auto e = c.read_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "CLOSING");
  EXPECT_TRUE(e->text.starts_with("idle"));
  EXPECT_TRUE(c.closed_within());
}

TEST(TrackerLimits, ClientThatNeverReadsIsCutOffAndOthersAreUnaffected) {
  tracker_process tracker({"--write-timeout", "0.5", "--max-output", "65536"});
  auto reader = tracker.connect();
  auto hog = tracker.connect();
  int rcvbuf = 4096;
  setsockopt(hog.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  // Pipeline requests without reading until the tracker stops taking them.
  const std::string burst = [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "help\n";
    return s;
  }();
  for (int i = 0; i < 20000; ++i) {
    if (hog.try_send(burst) == 0) {
      pollfd p{hog.fd(), POLLOUT, 0};
      if (poll(&p, 1, 1000) == 0) break;  // the tracker has stopped reading from it
    }
  }
  // Meanwhile the others are served at once.
  for (int i = 0; i < 50; ++i) ASSERT_EQ(reader.request("ping").text, "pong");
  EXPECT_TRUE(tracker.eventually_stats([](const std::string& s) {
    return tracker_process::counter(s, "cut_off_total") == 1 &&
           tracker_process::counter(s, "clients") == 1;
  }));
  EXPECT_EQ(reader.request("ping").text, "pong");
}

TEST(TrackerLimits, ThousandsOfConnectsAndDisconnects) {
  tracker_process tracker;
  for (int i = 0; i < 2000; ++i) {
    line_client c(tracker.port(), false);
    if (i % 3 == 0) c.send_raw("ping\n");
    if (i % 5 == 0) {
      linger abrupt{1, 0};  // close with a reset
      setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &abrupt, sizeof abrupt);
    }
  }
  auto c = tracker.connect();
  EXPECT_EQ(c.request("ping").text, "pong");
  EXPECT_TRUE(tracker.eventually_stats([](const std::string& s) {
    return tracker_process::counter(s, "clients") == 1 &&
           tracker_process::counter(s, "connections_total") == 2001;
  }));
}

TEST(TrackerLimits, ConnectionsOverTheLimitAreToldAndClosed) {
  tracker_process tracker({"--max-clients", "2"});
  auto a = tracker.connect();
  auto b = tracker.connect();
  line_client third(tracker.port(), false);
  auto e = third.read_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "CLOSING");
  EXPECT_TRUE(e->text.starts_with("full"));
  EXPECT_TRUE(third.closed_within());
  EXPECT_EQ(a.request("ping").text, "pong");
}

// Over TLS the refusal is TLS too (a line in clear would break the handshake), and in
// the protocol the client speaks: HTTP gets a 503, IRC an ERROR.
TEST(TrackerLimits, ConnectionsOverTheLimitAreToldInTheirOwnProtocol) {
  tracker_process tracker({"--max-clients", "2"});
  auto a = tracker.connect();
  auto b = tracker.connect();
  ASSERT_EQ(a.request("ping").text, "pong");
  ASSERT_EQ(b.request("ping").text, "pong");

  auto silent_tls = tracker.connect_tls();
  auto e = silent_tls.read_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "CLOSING");
  EXPECT_TRUE(e->text.starts_with("full")) << e->text;
  EXPECT_TRUE(silent_tls.closed_within());
  EXPECT_TRUE(silent_tls.close_notify_seen());

  line_client http(tracker.port(), false);
  http.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(http.read_line(), "HTTP/1.1 503 Service Unavailable\r");
  EXPECT_TRUE(http.closed_within());

  line_client irc(tracker.port(), false);
  irc.send_raw("NICK somebody\r\n");
  const auto error = irc.read_line();
  ASSERT_TRUE(error);
  EXPECT_TRUE(error->starts_with("ERROR :Closing link: too many clients")) << *error;
  EXPECT_TRUE(irc.closed_within());
  EXPECT_EQ(a.request("ping").text, "pong");
}

}  // namespace
}  // namespace swarmhub::test
