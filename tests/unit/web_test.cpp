// The web app's pure parts: the /metrics access rule, content types, and the embedded files
// themselves (no inline script or style, which the Content-Security-Policy would block).

#include <gtest/gtest.h>

#include <array>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <regex>
#include <thread>

#include "swarmhub/tracker/web/embedded_files.hpp"
#include "swarmhub/tracker/web/gathered_writes.hpp"
#include "swarmhub/tracker/web/metrics.hpp"
#include "swarmhub/tracker/web/static_files.hpp"
#include "swarmhub/tracker/web/ws_channel.hpp"

namespace swarmhub::tracker {
namespace {

proto::http::request with_header(std::string name, std::string value) {
  proto::http::request r;
  r.method = "GET";
  r.path = "/metrics";
  if (!name.empty()) proto::http::add_header(r, name + ": " + value);
  return r;
}

TEST(MetricsAccess, LoopbackAlwaysElsewhereOnlyWithTheBearerToken) {
  const auto v4 = asio::ip::make_address("127.0.0.1");
  const auto v6 = asio::ip::make_address("::1");
  const auto lan = asio::ip::make_address("192.0.2.7");
  const auto mapped_lan = asio::ip::make_address("::ffff:192.0.2.7");
  const auto none = with_header("", "");
  EXPECT_TRUE(metrics_allowed(v4, none, ""));
  EXPECT_TRUE(metrics_allowed(v6, none, ""));
  EXPECT_FALSE(metrics_allowed(lan, none, ""));
  EXPECT_FALSE(metrics_allowed(mapped_lan, none, ""));
  EXPECT_FALSE(metrics_allowed(lan, with_header("Authorization", "Bearer "), ""));
  EXPECT_FALSE(metrics_allowed(lan, none, "s3cret"));
  EXPECT_FALSE(metrics_allowed(lan, with_header("Authorization", "Bearer wrong!"), "s3cret"));
  EXPECT_FALSE(metrics_allowed(lan, with_header("Authorization", "Basic s3cret"), "s3cret"));
  EXPECT_TRUE(metrics_allowed(lan, with_header("authorization", "Bearer s3cret"), "s3cret"));
}

TEST(StaticFiles, ContentTypesByExtension) {
  EXPECT_EQ(web::content_type_of("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(web::content_type_of("/js/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(web::content_type_of("/app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(web::content_type_of("/x.svg"), "image/svg+xml");
  EXPECT_EQ(web::content_type_of("/x.bin"), "application/octet-stream");
}

TEST(StaticFiles, NoInlineScriptStyleOrHandlersAndNothingFromElsewhere) {
  const auto files = web::embedded_files();
  ASSERT_FALSE(files.empty());
  const std::regex inline_script("<script(?![^>]*\\bsrc=)[^>]*>", std::regex::icase);
  const std::regex handler("\\son[a-z]+\\s*=", std::regex::icase);
  const std::regex outside("(src|href)=\"(https?:)?//", std::regex::icase);
  bool saw_index = false;
  for (const auto& f : files) {
    const std::string text(f.bytes);
    if (f.path == "/index.html") saw_index = true;
    if (!f.path.ends_with(".html")) continue;
    EXPECT_FALSE(std::regex_search(text, inline_script)) << f.path;
    EXPECT_EQ(text.find("<style"), std::string::npos) << f.path;
    EXPECT_EQ(text.find(" style="), std::string::npos) << f.path;
    EXPECT_FALSE(std::regex_search(text, handler)) << f.path;
    EXPECT_FALSE(std::regex_search(text, outside)) << f.path;
  }
  EXPECT_TRUE(saw_index);
}

TEST(StaticFiles, RevalidationAndHead) {
  proto::http::request r;
  r.method = "GET";
  r.path = "/";
  const auto full = web::serve_static(r);
  ASSERT_TRUE(full);
  EXPECT_TRUE(full->starts_with("HTTP/1.1 200 OK\r\n"));
  const auto etag_at = full->find("ETag: ");
  ASSERT_NE(etag_at, std::string::npos);
  const auto etag = full->substr(etag_at + 6, full->find("\r\n", etag_at) - etag_at - 6);
  proto::http::add_header(r, "If-None-Match: " + etag);
  EXPECT_TRUE(web::serve_static(r)->starts_with("HTTP/1.1 304 Not Modified\r\n"));
  r.headers.clear();
  r.method = "HEAD";  // served like GET; the session sends the headers only (keep_headers_only)
  EXPECT_EQ(web::serve_static(r), full);
  r.method = "POST";
  EXPECT_FALSE(web::serve_static(r));
  r.method = "GET";
  r.path = "/../etc/passwd";
  EXPECT_FALSE(web::serve_static(r));
}

TEST(WebSocketUpgrade, OnlyGetWsWithUpgradeAndTheSameOrigin) {
  proto::http::request r;
  r.method = "GET";
  r.path = "/ws";
  EXPECT_FALSE(web::is_websocket_upgrade(r));
  proto::http::add_header(r, "Upgrade: WebSocket");
  EXPECT_TRUE(web::is_websocket_upgrade(r));
  r.path = "/other";
  EXPECT_FALSE(web::is_websocket_upgrade(r));
  proto::http::add_header(r, "Host: tracker.example:7070");
  EXPECT_TRUE(web::same_origin(r));  // programs send no Origin
  proto::http::add_header(r, "Origin: https://tracker.example:7070");
  EXPECT_TRUE(web::same_origin(r));
  r.headers.erase("origin");
  proto::http::add_header(r, "Origin: https://evil.example");
  EXPECT_FALSE(web::same_origin(r));
}

// The tracker's own text frames (the WebSocket fan-out writes them, not Beast), as Beast's
// client reads them: every length encoding of RFC 6455 (7, 16 and 64 bits) and its edges.
TEST(WebSocketFrames, BeastReadsEveryLengthEncoding) {
  namespace websocket = boost::beast::websocket;
  using local = asio::local::stream_protocol;
  asio::io_context io;
  local::socket server_end(io), client_end(io);
  asio::local::connect_pair(server_end, client_end);
  websocket::stream<local::socket&> server(server_end), client(client_end);
  error_code handshake, accept;
  client.async_handshake("tracker", "/ws", [&](error_code ec) { handshake = ec; });
  server.async_accept([&](error_code ec) { accept = ec; });
  io.run();
  ASSERT_FALSE(handshake) << handshake.message();
  ASSERT_FALSE(accept) << accept.message();

  std::vector<std::string> payloads;
  std::string frames;
  for (const std::size_t size : {0, 1, 125, 126, 65535, 65536, 100000}) {
    payloads.emplace_back(size, static_cast<char>('a' + payloads.size()));
    web::append_text_frame(frames, payloads.back());
  }
  // Written whole from another thread, as the tracker writes a batch: more than a socket
  // pair holds, so the reader must read while it goes.
  std::thread writer([&] { asio::write(server_end, asio::buffer(frames)); });
  for (const auto& expected : payloads) {
    boost::beast::flat_buffer in;
    error_code ec;
    client.read(in, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(client.got_text());
    EXPECT_EQ(boost::beast::buffers_to_string(in.data()), expected);
  }
  writer.join();
}

// What Beast writes itself (a pong, a close frame) while a batch is being written waits for
// it, and is done only once it is written too: until then Beast keeps its write lock, so it
// reads nothing more from a client that does not read (a client pinging without reading
// cannot make the tracker queue pongs). A later batch and the teardown wait their turn.
TEST(GatheredWrites, BeastsWritesAndTeardownWaitForTheBatchBeingWritten) {
  using local = asio::local::stream_protocol;
  asio::io_context io;
  local::socket tracker_end(io), client_end(io);
  asio::local::connect_pair(tracker_end, client_end);
  web::gathered_writes<local::socket&> out(tracker_end);

  const std::string batch(4 << 20, 'b');  // more than a socket pair holds
  out.queue() = batch;
  bool flushed = false;
  out.flush([&](const error_code& ec) {
    EXPECT_FALSE(ec) << ec.message();
    flushed = true;
  });
  const std::string pong = "PONG";
  bool pong_done = false;
  out.async_write_some(asio::buffer(pong), [&](const error_code& ec, std::size_t n) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, pong.size());
    pong_done = true;
  });
  // A batch queued during the write goes after what was asked for before it.
  const std::string second = "second batch";
  out.queue() += second;
  bool second_flushed = false;
  out.flush([&](const error_code& ec) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_TRUE(pong_done);
    second_flushed = true;
  });
  bool torn_down = false;
  web::async_teardown(boost::beast::role_type::server, out, [&](const error_code&) {
    EXPECT_TRUE(flushed);
    EXPECT_TRUE(pong_done);
    EXPECT_TRUE(second_flushed);
    torn_down = true;
  });
  // The client reads nothing: the batch stalls, and nothing behind it is done.
  io.run_for(std::chrono::milliseconds(200));
  io.restart();
  EXPECT_FALSE(flushed);
  EXPECT_FALSE(pong_done);
  EXPECT_FALSE(second_flushed);
  EXPECT_FALSE(torn_down);

  // Once it reads, it gets the batch, then the pong, then the end.
  std::string received;
  std::thread reader([&] {
    std::array<char, 65536> chunk{};
    error_code ec;
    for (;;) {
      const auto n = client_end.read_some(asio::buffer(chunk), ec);
      if (ec) break;
      received.append(chunk.data(), n);
    }
    client_end.close(ec);  // the teardown waits for the client's end, as over TCP
  });
  io.run_for(std::chrono::seconds(20));
  reader.join();
  EXPECT_TRUE(flushed);
  EXPECT_TRUE(pong_done);
  EXPECT_TRUE(second_flushed);
  EXPECT_TRUE(torn_down);
  EXPECT_EQ(received, batch + pong + second);
}

}  // namespace
}  // namespace swarmhub::tracker
