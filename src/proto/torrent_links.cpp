#include "swarmhub/proto/torrent_links.hpp"

#include "swarmhub/proto/http.hpp"

namespace swarmhub::proto {

std::string torrent_file(std::string_view info, const std::vector<std::string>& announce_urls) {
  std::string out = "d";
  if (!announce_urls.empty()) {
    out += bencode::string("announce") + bencode::string(announce_urls.front());
  }
  if (announce_urls.size() > 1) {
    out += bencode::string("announce-list") + "l";
    for (const auto& url : announce_urls) out += "l" + bencode::string(url) + "e";
    out += "e";
  }
  out += bencode::string("info");
  out += info;
  out += 'e';
  return out;
}

std::string torrent_path(std::string_view group, std::string_view name, std::string_view passkey) {
  return "/torrents/" + percent_encode(group) + "/" + percent_encode(name) +
         "?pk=" + percent_encode(passkey);
}

std::string magnet_link(const magnet_parts& parts) {
  std::string out = "magnet:?";
  const auto add = [&out](std::string_view key, std::string_view value) {
    if (out.back() != '?') out += '&';
    out += key;
    out += '=';
    out += value;
  };
  if (!parts.v1_hash.empty()) add("xt", "urn:btih:" + parts.v1_hash);
  // A multihash: 0x12 (SHA-256), 0x20 (32 bytes), then the digest.
  if (!parts.v2_hash.empty()) add("xt", "urn:btmh:1220" + parts.v2_hash);
  if (!parts.name.empty()) add("dn", percent_encode(parts.name));
  for (const auto& url : parts.trackers) add("tr", percent_encode(url));
  if (!parts.torrent_url.empty()) add("xs", percent_encode(parts.torrent_url));
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 15];
    }
  }
  return out;
}

}  // namespace swarmhub::proto
