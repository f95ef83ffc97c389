#pragma once
// The little HTTP the tracker speaks on its line port: GET requests (BitTorrent announces,
// health), answered with Content-Length and keep-alive. Pure parsing and formatting.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::proto::http {

// True when `line` is an HTTP/1.x request line ("GET /path HTTP/1.1").
bool is_request_line(std::string_view line);

struct request {
  std::string method;
  std::string path;   // without the query
  std::string query;  // after '?', still percent-encoded
  std::string version;
  bool keep_alive = true;
  std::string host;  // the Host header, as sent
  // Every header, the name in lower case (a repeated one keeps its first value); at most
  // max_headers of them, each value cut to max_header_value bytes.
  std::map<std::string, std::string> headers;
  static constexpr std::size_t max_headers = 64;
  static constexpr std::size_t max_header_value = 8192;

  // The header's value, or "" when it was not sent.
  std::string_view header(std::string_view lower_name) const;
};

// Parses the request line; the headers are fed with add_header().
std::optional<request> parse_request_line(std::string_view line);
void add_header(request& r, std::string_view header_line);

// Decodes %XX and '+'; nothing on malformed escapes.
std::optional<std::string> percent_decode(std::string_view text);

// The query's parameters, decoded. A repeated key keeps its first value.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

// A whole response with Content-Length. `extra_headers`: more header lines, each ending in
// CRLF.
std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body, bool keep_alive, std::string_view extra_headers = {});

}  // namespace swarmhub::proto::http

namespace swarmhub::proto::bencode {

std::string string(std::string_view s);
std::string integer(long long n);

}  // namespace swarmhub::proto::bencode
