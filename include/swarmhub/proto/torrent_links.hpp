#pragma once
// What a member of an open group hands another BitTorrent client (docs/protocol.md, "Using
// another BitTorrent client"): a .torrent and a magnet link, made the same way by the
// tracker (GET /torrents/...) and by the client (torrent_file, magnet). Pure functions.

#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::proto {

// A .torrent of the stored info dictionary, byte for byte (so its info-hash is the file's),
// announcing to the first of `announce_urls`, and to the others in turn (BEP 12, one tier
// each) when there are several.
std::string torrent_file(std::string_view info, const std::vector<std::string>& announce_urls);

// The tracker's path of a member's .torrent of `name` in `group`.
std::string torrent_path(std::string_view group, std::string_view name, std::string_view passkey);

struct magnet_parts {
  std::string v1_hash;  // hex SHA-1 of the info dictionary when it has a v1 part; else ""
  std::string v2_hash;  // hex SHA-256 when it has a v2 part; else ""
  std::string name;
  std::vector<std::string> trackers;  // announce URLs (tr=)
  std::string torrent_url;            // where the .torrent is (xs=), so metadata never stalls
};

// magnet:?xt=urn:btih:…&xt=urn:btmh:1220…&dn=…&tr=…&xs=… (BEP 9, BEP 52).
std::string magnet_link(const magnet_parts& parts);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace swarmhub::proto
