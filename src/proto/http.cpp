#include "swarmhub/proto/http.hpp"

#include <fmt/format.h>

#include <iterator>

#include "swarmhub/util/text.hpp"

namespace swarmhub::proto::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The character that begins at text[i], decoded ('+' is a space, %XY the byte XY), with `i`
// moved past it; -1 when a '%' is not followed by two hex digits.
int decode_next(std::string_view text, std::size_t& i) {
  const char c = text[i++];
  if (c == '+') return ' ';
  if (c != '%') return static_cast<unsigned char>(c);
  if (i + 2 > text.size()) return -1;
  const int hi = hex_value(text[i]);
  const int lo = hex_value(text[i + 1]);
  if (hi < 0 || lo < 0) return -1;
  i += 2;
  return hi * 16 + lo;
}

// True when `encoded` decodes to `plain`.
bool decodes_to(std::string_view encoded, std::string_view plain) {
  std::size_t j = 0;
  for (std::size_t i = 0; i < encoded.size();) {
    const int c = decode_next(encoded, i);
    if (c < 0 || j == plain.size() || plain[j++] != static_cast<char>(c)) return false;
  }
  return j == plain.size();
}

}  // namespace

bool is_request_line(std::string_view line) {
  return parse_request_line(line).has_value();
}

std::optional<request> parse_request_line(std::string_view line) {
  const auto first = line.find(' ');
  const auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  request r;
  r.method = std::string(line.substr(0, first));
  if (r.method != "GET" && r.method != "HEAD") return std::nullopt;
  const std::string_view target = line.substr(first + 1, last - first - 1);
  r.version = std::string(line.substr(last + 1));
  if (r.version != "HTTP/1.1" && r.version != "HTTP/1.0") return std::nullopt;
  if (!target.starts_with('/') || target.find(' ') != std::string_view::npos) return std::nullopt;
  const auto q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.keep_alive = r.version == "HTTP/1.1";
  return r;
}

void add_header(request& r, std::string_view header_line) {
  const auto colon = header_line.find(':');
  if (colon == std::string_view::npos) return;
  const std::string_view name = header_line.substr(0, colon);
  std::string_view value = header_line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (util::iequals_ascii(name, "connection")) {
    if (util::iequals_ascii(value, "close")) r.keep_alive = false;
    if (util::iequals_ascii(value, "keep-alive")) r.keep_alive = true;
  }
  if (util::iequals_ascii(name, "host")) r.host = std::string(value.substr(0, 255));
  if (r.headers.size() < request::max_headers) {
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    r.headers.emplace(util::ascii_lower(name),
                      std::string(value.substr(0, request::max_header_value)));
  }
}

std::string_view request::header(std::string_view lower_name) const {
  const auto it = headers.find(std::string(lower_name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const int c = decode_next(text, i);
    if (c < 0) return std::nullopt;
    out += static_cast<char>(c);
  }
  return out;
}

bool percent_decode_exact(std::string_view text, std::span<char> out) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size();) {
    const int c = decode_next(text, i);
    if (c < 0 || n == out.size()) return false;
    out[n++] = static_cast<char>(c);
  }
  return n == out.size();
}

namespace {

// Takes the next `key=value` pair (up to '&') off the front of `rest`.
std::string_view take_pair(std::string_view& rest) {
  const auto amp = rest.find('&');
  const std::string_view pair = rest.substr(0, amp);
  rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  return pair;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const std::string_view pair = take_pair(query);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value =
        percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!key || !value) return std::nullopt;
    out.try_emplace(std::move(*key), std::move(*value));
  }
  return out;
}

std::optional<query_params> query_params::parse(std::string_view query) {
  // A key or value is malformed exactly when one of its '%' is not followed by two hex
  // digits; those are never '&' or '=', so the whole query is checked at once.
  for (auto i = query.find('%'); i != std::string_view::npos; i = query.find('%', i + 3)) {
    if (i + 2 >= query.size() || hex_value(query[i + 1]) < 0 || hex_value(query[i + 2]) < 0) {
      return std::nullopt;
    }
  }
  return query_params(query);
}

std::optional<std::string_view> query_params::raw(std::string_view key) const {
  std::string_view rest = query_;
  while (!rest.empty()) {
    const std::string_view pair = take_pair(rest);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (!decodes_to(pair.substr(0, eq), key)) continue;
    return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
  }
  return std::nullopt;
}

std::string_view query_params::get(std::string_view key, std::string& scratch) const {
  const auto value = raw(key);
  if (!value) return {};
  if (value->find_first_of("%+") == std::string_view::npos) return *value;
  scratch = *percent_decode(*value);  // well-formed: parse() checked every escape
  return scratch;
}

std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body, bool keep_alive, std::string_view extra_headers) {
  std::string out;
  append_response(out, status, reason, content_type, body, keep_alive, extra_headers);
  return out;
}

void keep_headers_only(std::string& response) {
  const auto end = response.find("\r\n\r\n");
  if (end != std::string::npos) response.resize(end + 4);
}

void append_response(std::string& out, int status, std::string_view reason,
                     std::string_view content_type, std::string_view body, bool keep_alive,
                     std::string_view extra_headers) {
  // Not FMT_COMPILE (as the announce body is): its compiled copy of an empty string_view
  // passes memcpy a null pointer (UBSan), and the views here may be empty ones.
  fmt::format_to(
      std::back_inserter(out),
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n{}\r\n{}",
      status, reason, content_type, body.size(), keep_alive ? "keep-alive" : "close", extra_headers,
      body);
}

}  // namespace swarmhub::proto::http

namespace swarmhub::proto::bencode {

std::string string(std::string_view s) {
  return fmt::format("{}:{}", s.size(), s);
}

std::string integer(long long n) {
  return fmt::format("i{}e", n);
}

}  // namespace swarmhub::proto::bencode
