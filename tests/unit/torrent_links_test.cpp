// proto/torrent_links: the .torrent and magnet link a member of an open group is given.

#include <gtest/gtest.h>

#include "swarmhub/proto/torrent_links.hpp"

namespace swarmhub::proto {
namespace {

TEST(TorrentLinks, TorrentFileKeepsTheInfoDictionaryByteForByte) {
  const std::string info = "d6:lengthi3e4:name1:xe";
  EXPECT_EQ(torrent_file(info, {"http://t:1/announce/g?pk=k"}),
            "d8:announce26:http://t:1/announce/g?pk=k4:info" + info + "e");
  // Several trackers: the first announces, the list names each in its own tier (BEP 12).
  EXPECT_EQ(torrent_file(info, {"http://a/announce/g", "http://b/announce/g"}),
            "d8:announce19:http://a/announce/g13:announce-listll19:http://a/announce/gel19:"
            "http://b/announce/gee4:info" +
                info + "e");
}

TEST(TorrentLinks, MagnetLinkNamesBothHashesAndEscapesEveryValue) {
  magnet_parts parts{std::string(40, 'a'),
                     std::string(64, 'b'),
                     "my file&.bin",
                     {"http://t:1/announce/g?pk=k"},
                     "http://t:1/torrents/g/x?pk=k"};
  EXPECT_EQ(magnet_link(parts), "magnet:?xt=urn:btih:" + std::string(40, 'a') +
                                    "&xt=urn:btmh:1220" + std::string(64, 'b') +
                                    "&dn=my%20file%26.bin"
                                    "&tr=http%3A%2F%2Ft%3A1%2Fannounce%2Fg%3Fpk%3Dk"
                                    "&xs=http%3A%2F%2Ft%3A1%2Ftorrents%2Fg%2Fx%3Fpk%3Dk");
  parts.v2_hash.clear();  // v1 only: no btmh
  EXPECT_EQ(magnet_link(parts).find("btmh"), std::string::npos);
  parts.v1_hash.clear();  // v2 only: btmh first
  parts.v2_hash = std::string(64, 'c');
  EXPECT_TRUE(magnet_link(parts).starts_with("magnet:?xt=urn:btmh:1220ccc"));
}

TEST(TorrentLinks, TorrentPathEscapesNames) {
  EXPECT_EQ(torrent_path("g", "a b/ü.bin", "k1"), "/torrents/g/a%20b%2F%C3%BC.bin?pk=k1");
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
}

}  // namespace
}  // namespace swarmhub::proto
