// The web app's pure parts: the /metrics access rule, content types, and the embedded files
// themselves (no inline script or style, which the Content-Security-Policy would block).

#include <gtest/gtest.h>

#include <regex>

#include "swarmhub/tracker/web/embedded_files.hpp"
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

}  // namespace
}  // namespace swarmhub::tracker
