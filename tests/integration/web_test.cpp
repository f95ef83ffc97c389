// The web app's side of the tracker (issue 18): its files with their headers, GET /ws (the
// line protocol in WebSocket messages, through the same command table) and GET /metrics.

#include <gtest/gtest.h>

#include <boost/asio/write.hpp>
#include <map>
#include <regex>
#include <sstream>

#include "tracker_process.hpp"
#include "ws_client.hpp"

namespace swarmhub::test {
namespace {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// A response's status line and headers.
http_reply read_head(line_client& c, const std::string& target) {
  http_reply r;
  auto status_line = c.read_line();
  if (!status_line) {
    ADD_FAILURE() << "no HTTP response to " << target;
    return r;
  }
  r.status = std::stoi(status_line->substr(9, 3));
  while (auto header = c.read_line()) {
    if (*header == "\r") break;
    const auto colon = header->find(':');
    if (colon == std::string::npos) continue;
    std::string name = header->substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers[name] = header->substr(colon + 2, header->size() - colon - 3);  // no CR
  }
  return r;
}

http_reply get(line_client& c, const std::string& target, const std::string& extra = {}) {
  c.send_raw("GET " + target + " HTTP/1.1\r\nHost: tracker\r\n" + extra + "\r\n");
  http_reply r = read_head(c, target);
  if (r.status != 0) r.body = c.read_bytes(std::stoul(r.headers["content-length"]));
  return r;
}

constexpr std::string_view policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

TEST(WebApp, ServesItsFilesWithTypesCachingAndAStrictPolicy) {
  tracker_process tracker;
  auto http = tracker.connect();
  const auto page = get(http, "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.headers.at("content-security-policy"), policy);
  EXPECT_EQ(page.headers.at("x-content-type-options"), "nosniff");
  EXPECT_EQ(page.headers.at("cache-control"), "no-cache");
  EXPECT_NE(page.body.find("<script type=\"module\" src=\"/js/app.js\"></script>"),
            std::string::npos);
  const std::string etag = page.headers.at("etag");
  EXPECT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-f]{16}\""))) << etag;

  const auto again = get(http, "/index.html", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  const auto script = get(http, "/js/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.at("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(script.headers.at("content-security-policy"), policy);
  EXPECT_EQ(get(http, "/app.css").headers.at("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(get(http, "/js/nothing.js").status, 404);
  EXPECT_EQ(get(http, "/health").status, 200);  // the tracker's own paths are still there
}

TEST(WebApp, WebSocketSpeaksTheLineProtocolWithALineClient) {
  tracker_process tracker;
  ws_client web(tracker.port());
  EXPECT_EQ(web.request("ping").text, "pong");
  ASSERT_TRUE(web.request("create_user webby webby-password").ok);
  const auto login = web.request("login webby webby-password");
  ASSERT_TRUE(login.ok) << login.code << " " << login.text;
  EXPECT_EQ(web.next_event("LOGGED_IN").text, "webby");

  auto terminal = tracker.user("term");
  EXPECT_EQ(web.next_event("JOINED").text, "lobby term");
  ASSERT_TRUE(terminal.request("say hello from the terminal").ok);
  EXPECT_EQ(web.next_event("ROOM").text, "lobby term hello from the terminal");
  ASSERT_TRUE(web.request("hello from the browser").ok);  // a plain line is a post
  EXPECT_EQ(terminal.next_event("ROOM").text, "lobby webby hello from the browser");
  ASSERT_TRUE(web.request("msg term psst").ok);
  EXPECT_EQ(terminal.next_event("MSG").text, "webby psst");

  // A reply's data lines come one message each, then the final line.
  const auto who = web.request("list");
  EXPECT_EQ(who.data, (std::vector<std::string>{"term", "webby"}));
}

// Lines of either length encoding a chat line can need (7 and 16 bits) arrive whole, a
// burst arrives in order, one message a line, and the client's pings are answered in
// between without breaking a frame.
TEST(WebApp, WebSocketCarriesLinesOfEveryLengthAndBurstsInOrder) {
  tracker_process tracker(
      {"--max-message", "60000", "--chat-rate", "1000", "--chat-burst", "1000"});
  ws_client web(tracker.port());
  ASSERT_TRUE(web.request("create_user webby webby-password").ok);
  ASSERT_TRUE(web.request("login webby webby-password").ok);
  EXPECT_EQ(web.next_event("LOGGED_IN").text, "webby");
  auto terminal = tracker.user("term");
  EXPECT_EQ(web.next_event("JOINED").text, "lobby term");
  // "* ROOM lobby term " is 18 bytes: messages of 125 and 126 bytes, and longer.
  for (const std::size_t size : {1, 107, 108, 60000}) {
    const std::string body(size, 'w');
    ASSERT_TRUE(terminal.request("say " + body).ok) << size;
    EXPECT_EQ(web.next_event("ROOM").text, "lobby term " + body) << size;
  }
  for (int i = 0; i < 300; ++i) terminal.send_raw("say burst " + std::to_string(i) + "\n");
  for (int i = 0; i < 300; ++i) {
    if (i == 100) web.ping();
    const auto message = web.read();
    ASSERT_TRUE(message) << "message " << i;
    EXPECT_EQ(*message, "* ROOM lobby term burst " + std::to_string(i));
  }
  EXPECT_EQ(web.request("ping").text, "pong");
}

TEST(WebApp, WebSocketBadInputGetsTheLineProtocolsErrors) {
  tracker_process tracker({"--max-line", "1024"});
  ws_client web(tracker.port());
  EXPECT_EQ(web.request(std::string(2000, 'x')).code, "LINE_TOO_LONG");
  EXPECT_EQ(web.request("ping").text, "pong");  // and the connection goes on
  ASSERT_TRUE(web.request("create_user twice twice-password").ok);
  ASSERT_TRUE(web.request("login twice twice-password").ok);
  EXPECT_EQ(web.request("login twice twice-password").code, "ALREADY_LOGGED_IN");
  ws_client second(tracker.port());
  EXPECT_EQ(second.request("login twice twice-password").code, "ALREADY_ONLINE");
  auto line = tracker.connect();
  EXPECT_EQ(line.request("login twice twice-password").code, "ALREADY_ONLINE");
}

TEST(WebApp, WebSocketInvalidUtf8InABinaryMessageIsBadEncoding) {
  tracker_process tracker;
  ws_client web(tracker.port());
  web.send_binary("ping \xff\xfe");
  EXPECT_EQ(web.read_reply().code, "BAD_ENCODING");
  web.send("ping\x1b[2J");  // a control character, as a line would carry it
  EXPECT_EQ(web.read_reply().code, "BAD_ENCODING");
  EXPECT_EQ(web.request("ping").text, "pong");  // and the connection goes on
}

TEST(WebApp, GarbageWebSocketFrameClosesTheConnection) {
  tracker_process tracker;
  ws_client web(tracker.port());
  // An unmasked frame with a reserved opcode: a client's frame must be masked (RFC 6455 5.1).
  const std::string garbage = "\x83\x05hello";
  boost::asio::write(web.socket(), boost::asio::buffer(garbage));
  EXPECT_TRUE(web.closed());
  auto still = tracker.connect();
  EXPECT_EQ(still.request("ping").text, "pong");
}

TEST(WebApp, WebSocketFromAnotherSitesPageIsRefused) {
  tracker_process tracker;
  EXPECT_THROW(ws_client(tracker.port(), {{"Origin", "https://evil.example"}}),
               boost::system::system_error);
  ws_client same(tracker.port(),
                 {{"Origin", "http://127.0.0.1:" + std::to_string(tracker.port())}});
  EXPECT_EQ(same.request("ping").text, "pong");
}

// The 101 must be what comes next on the wire: an upgrade sent behind another request, whose
// response is not written yet, is refused (the response is not sent as a WebSocket message).
TEST(WebApp, WebSocketUpgradeBehindAnotherRequestIsRefused) {
  tracker_process tracker;
  line_client c(tracker.port(), false);
  c.send_raw(
      "GET /health HTTP/1.1\r\nHost: tracker\r\n\r\n"
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  EXPECT_EQ(c.read_line(), "HTTP/1.1 200 OK\r");
  while (auto header = c.read_line()) {
    if (*header == "\r") break;
  }
  EXPECT_EQ(c.read_bytes(3), "ok\n");
  EXPECT_EQ(c.read_line(), "HTTP/1.1 403 Forbidden\r");
}

// HEAD gets the headers GET would get, and no body: the next response on the connection
// follows them at once.
TEST(WebApp, HeadGetsTheHeadersOnly) {
  tracker_process tracker;
  line_client c(tracker.port(), false);
  for (const std::string target : {"/", "/health", "/nothing", "/announce/g?pk=x"}) {
    c.send_raw("HEAD " + target + " HTTP/1.1\r\nHost: tracker\r\n\r\n");
    const auto head = read_head(c, target);
    EXPECT_NE(head.status, 0) << target;
    EXPECT_GT(std::stoul(head.headers.at("content-length")), 0u) << target;
  }
  const auto health = get(c, "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
}

TEST(Metrics, PrometheusTextToLoopbackCountsWhatHappened) {
  tracker_process tracker;
  {
    ws_client web(tracker.port());
    ASSERT_TRUE(web.request("create_user metric metric-password").ok);
    ASSERT_TRUE(web.request("login metric metric-password").ok);
    ASSERT_TRUE(web.request("say counted").ok);
  }
  auto http = tracker.connect();
  const auto m = get(http, "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  // Every line is a comment (HELP, TYPE) or a sample: name, optional labels, a number.
  const std::regex sample(R"([a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+]+)");
  std::istringstream lines(m.body);
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    const auto space = line.rfind(' ');
    values[line.substr(0, space)] = line.substr(space + 1);
  }
  EXPECT_EQ(values["swarmhub_connections_total{kind=\"websocket\"}"], "1");
  // Both began with an HTTP request: the WebSocket's upgrade, and this one.
  EXPECT_EQ(values["swarmhub_connections_total{kind=\"http\"}"], "2");
  EXPECT_EQ(values["swarmhub_logins_total"], "1");
  EXPECT_EQ(values["swarmhub_messages_total"], "1");
  EXPECT_TRUE(values.contains("swarmhub_store_call_seconds_count"));
  EXPECT_TRUE(values.contains("swarmhub_feed_lag_seconds"));
  EXPECT_TRUE(values.contains("swarmhub_peers"));
  EXPECT_NE(m.body.find("# TYPE swarmhub_connections_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace swarmhub::test
