#pragma once
// The little HTTP the tracker speaks on its line port: GET requests (BitTorrent announces,
// health), answered with Content-Length and keep-alive. Pure parsing and formatting.

#include <map>
#include <optional>
#include <span>
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

// Decodes `text` into `out` when it decodes to exactly out.size() bytes (an info_hash, a
// peer_id); false otherwise, and on a malformed escape.
bool percent_decode_exact(std::string_view text, std::span<char> out);

// The query's parameters, decoded. A repeated key keeps its first value.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

// The same parameters read where they lie, for the hot path (announces): nothing copied, a
// value decoded only when asked for. Keys compare decoded ("info%5Fhash" is "info_hash"); a
// repeated key keeps its first value. Views into the query text, which must outlive it.
class query_params {
 public:
  // Nothing when a key or value holds a malformed escape (where parse_query gives nothing).
  static std::optional<query_params> parse(std::string_view query);

  // The first value of `key`, still percent-encoded; nothing when the key is absent.
  std::optional<std::string_view> raw(std::string_view key) const;
  bool contains(std::string_view key) const { return raw(key).has_value(); }
  // That value decoded, "" when the key is absent: a view of the query itself when the
  // value holds no escape, else of `scratch`, which it fills.
  std::string_view get(std::string_view key, std::string& scratch) const;

 private:
  explicit query_params(std::string_view query) : query_(query) {}
  std::string_view query_;
};

// A whole response with Content-Length. `extra_headers`: more header lines, each ending in
// CRLF.
std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body, bool keep_alive, std::string_view extra_headers = {});
// `response` (one whole response) as the answer to a HEAD request: its headers only, the
// Content-Length still that of the body a GET would get.
void keep_headers_only(std::string& response);
// The same, appended to `out` (a buffer reused from one response to the next).
void append_response(std::string& out, int status, std::string_view reason,
                     std::string_view content_type, std::string_view body, bool keep_alive,
                     std::string_view extra_headers = {});

}  // namespace swarmhub::proto::http

namespace swarmhub::proto::bencode {

std::string string(std::string_view s);
std::string integer(long long n);

}  // namespace swarmhub::proto::bencode
