#include "swarmhub/tracker/web/static_files.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <utility>

#include "swarmhub/tracker/web/embedded_files.hpp"

namespace swarmhub::tracker::web {

std::string_view content_type_of(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> types{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [ext, type] : types) {
    if (path.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

std::optional<std::string> serve_static(const proto::http::request& request) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  const std::string_view path =
      request.path == "/" ? "/index.html" : std::string_view(request.path);
  const auto files = embedded_files();
  const auto found = std::find_if(files.begin(), files.end(),
                                  [&](const embedded_file& f) { return f.path == path; });
  if (found == files.end()) return std::nullopt;
  // Revalidated on every use (no-cache): the files' names carry no version, and a tracker
  // upgrade must reach the page at once; a match costs a 304 and no body.
  const std::string headers = fmt::format(
      "ETag: {}\r\nCache-Control: no-cache\r\nContent-Security-Policy: {}\r\n"
      "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
      "Referrer-Policy: no-referrer\r\n",
      found->etag, content_security_policy);
  const auto type = content_type_of(path);
  if (request.header("if-none-match") == found->etag) {
    return proto::http::response(304, "Not Modified", type, "", request.keep_alive, headers);
  }
  return proto::http::response(200, "OK", type, found->bytes, request.keep_alive, headers);
}

}  // namespace swarmhub::tracker::web
