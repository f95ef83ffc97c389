#include "swarmhub/client/group_files.hpp"

#include <algorithm>
#include <charconv>

#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/paths.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

// A number the tracker sent: decimal digits only, nothing else.
std::optional<std::int64_t> non_negative(std::string_view text) {
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < 0) {
    return std::nullopt;
  }
  return n;
}

bool hex_digest(std::string_view text) {
  return (text.size() == 40 || text.size() == 64) &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<p2p::metadata> metadata_from(const proto::reply& file_info) {
  p2p::metadata meta;
  meta.size = -1;
  for (const auto& line : file_info.data) {
    const auto [key, value] = proto::split_verb(line);
    if (key == "name") {
      auto parsed = proto::split_arguments(value, 1, false);
      if (parsed.values.size() == 1) meta.name = parsed.values[0];
    } else if (key == "size") {
      meta.size = non_negative(value).value_or(-1);
    } else if (key == "info_hash") {
      if (hex_digest(value)) meta.info_hash = std::string(value);
    } else if (key == "info") {
      meta.info = util::from_base64(value).value_or("");
    }
  }
  if (!file_info.ok || !util::is_path_component(meta.name) || meta.info.empty() || meta.size < 0 ||
      meta.info_hash.empty()) {
    return std::nullopt;
  }
  return meta;
}

awaitable<std::optional<std::string>> group_mode(tracker_link& link, const std::string& group) {
  auto groups = co_await link.request("list_groups");
  if (!groups || !groups->ok) co_return std::nullopt;
  // "<name> owner=<user> members=<n> mode=<mode>"
  for (const auto& line : groups->data) {
    const auto [name, rest] = proto::split_verb(line);
    if (!util::iequals_ascii(name, group)) continue;
    const auto at = rest.find("mode=");
    if (at == std::string_view::npos) co_return std::string("sealed");  // before modes existed
    const auto value = rest.substr(at + 5);
    co_return std::string(value.substr(0, value.find(' ')));
  }
  co_return std::string();
}

}  // namespace swarmhub::client
