#pragma once
// The files a BitTorrent info dictionary describes (BEP 3 `length` or `files`, BEP 52
// `file tree`), read from its bencode as sent. Pure. The tracker checks a registration with
// it and the client checks what a tracker hands it before libtorrent sees it: libtorrent
// quietly rewrites a path component such as `..`, so only the text as sent can be refused.
//
// Every component of every path, and the name, must be a plain name (util::is_path_component:
// no `/` or `\`, not `.` or `..`, no control or bidi characters): a downloaded folder is
// written below its destination and nowhere else.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::proto {

struct info_file {
  std::vector<std::string> path;  // below the folder (empty for a single file)
  std::int64_t length = 0;
};

struct info_content {
  std::string error;  // why the dictionary cannot be used; the rest is then incomplete
  std::string name;   // the file's, or the folder's
  bool folder = false;
  std::vector<info_file> files;  // real files (v1 pad files left out), sorted by path
  std::int64_t size = 0;         // of the real files
  bool has_v1 = false;           // `pieces` (v1 or hybrid)
  bool has_v2 = false;           // `meta version` 2 (v2 or hybrid)
  std::int64_t v1_length = 0;    // of the v1 part, pad files included: its pieces cover this
};

// At most this many files in one torrent; deeper than this many folders is refused too.
inline constexpr std::size_t max_info_files = 100000;
inline constexpr int max_info_depth = 24;

info_content read_info_files(std::string_view info);

// The root certificate a sealed file's info dictionary carries as `ssl-cert` (libtorrent's
// SSL torrents: its peers must show a certificate signed by it, which only the members of
// its group get), or nothing for a file any BitTorrent client may use. A file keeps the mode
// it was shared with whatever its group's mode is later, since the certificate is part of
// its info-hash.
std::optional<std::string> ssl_cert_of(std::string_view info);

}  // namespace swarmhub::proto
