// libFuzzer: the HTTP request parser (announce and friends share the line protocol's port).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "swarmhub/proto/http.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarmhub::proto;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto end = text.find('\n');
  const auto first = text.substr(0, end);
  (void)http::is_request_line(first);
  auto request = http::parse_request_line(first);
  if (!request) return 0;
  for (auto rest = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
       !rest.empty();) {
    const auto line_end = rest.find('\n');
    http::add_header(*request, rest.substr(0, line_end));
    if (line_end == std::string_view::npos) break;
    rest.remove_prefix(line_end + 1);
  }
  (void)http::parse_query(request->query);
  (void)http::percent_decode(request->path);
  return 0;
}
