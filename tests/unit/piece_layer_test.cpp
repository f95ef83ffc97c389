// Issue 16: a v2 file's piece layer, as the tracker checks it and the client reads it. The
// tracker's Merkle root is checked against libtorrent's own torrents.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "swarmhub/client/piece_layers.hpp"
#include "swarmhub/p2p/engine.hpp"
#include "swarmhub/tracker/swarms/piece_layer.hpp"
#include "swarmhub/util/base64.hpp"

namespace swarmhub {
namespace {

namespace fs = std::filesystem;

// A file of `size` random bytes, described by libtorrent as `format`.
p2p::metadata described(std::size_t size, p2p::torrent_format format, unsigned seed) {
  const auto dir = fs::temp_directory_path() / ("piece-layer-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto path = dir / ("f" + std::to_string(seed) + ".bin");
  {
    std::string bytes(size, '\0');
    std::mt19937 random(seed);
    for (auto& b : bytes) b = static_cast<char>(random());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
  }
  auto meta = p2p::describe_file(path.string(), format);
  fs::remove_all(dir);
  return meta;
}

TEST(PieceLayer, TheTrackersRootIsLibtorrentsForEveryShapeOfFile) {
  // Sizes around powers of two of pieces, so that padding of the tree is exercised; libtorrent
  // chooses the piece length (a larger one for the larger files).
  for (const std::size_t size : {16385UL, 3 * 16384UL + 1, 8 * 16384UL, 9 * 16384UL - 5, 100'003UL,
                                 40UL * 1024 * 1024 + 7}) {
    for (const auto format : {p2p::torrent_format::v2, p2p::torrent_format::hybrid}) {
      const auto meta = described(size, format, static_cast<unsigned>(size % 1000));
      const auto layer = p2p::piece_layer_of(meta);
      const auto shape = tracker::piece_layer_shape(meta.info);
      ASSERT_TRUE(shape) << size;
      ASSERT_EQ(layer.size(), static_cast<std::size_t>(shape->pieces) * 32) << size;
      EXPECT_TRUE(tracker::piece_layer_matches(*shape, layer)) << size;
      auto bent = layer;
      bent[bent.size() / 2] = static_cast<char>(bent[bent.size() / 2] ^ 1);
      EXPECT_FALSE(tracker::piece_layer_matches(*shape, bent)) << size;
      EXPECT_FALSE(tracker::piece_layer_matches(*shape, layer.substr(32))) << size;
    }
  }
}

// A folder's layers: those of its files of more than one piece, in libtorrent's file order;
// the tracker checks each against its file's root, and the client puts them back into a
// .torrent whose every file libtorrent then knows the piece hashes of (two files with the
// same bytes share one root and one layer).
TEST(PieceLayer, AFoldersLayersAreItsFilesOneAfterTheOther) {
  const auto dir = fs::temp_directory_path() / ("piece-layers-" + std::to_string(::getpid()));
  const auto top = dir / "release";
  fs::create_directories(top / "sub");
  const auto write = [](const fs::path& path, std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    std::mt19937 random(seed);
    for (auto& b : bytes) b = static_cast<char>(random());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
  };
  write(top / "a.bin", 5 * 16384 + 3, 1);
  write(top / "b.txt", 100, 2);  // one piece: no layer
  write(top / "empty", 0, 3);
  write(top / "sub" / "c.bin", 3 * 16384 + 7, 4);
  write(top / "sub" / "copy of a.bin", 5 * 16384 + 3, 1);
  for (const auto format : {p2p::torrent_format::v2, p2p::torrent_format::hybrid}) {
    const auto meta = p2p::describe_file(top.string(), format);
    const auto layers = p2p::piece_layer_of(meta);
    const auto shape = tracker::piece_layer_shape(meta.info);
    ASSERT_TRUE(shape);
    ASSERT_EQ(shape->files.size(), 3u);
    ASSERT_EQ(layers.size(), static_cast<std::size_t>(shape->pieces) * 32);
    EXPECT_TRUE(tracker::piece_layer_matches(*shape, layers));
    auto bent = layers;
    bent[bent.size() - 1] = static_cast<char>(bent[bent.size() - 1] ^ 1);  // the last file's
    EXPECT_FALSE(tracker::piece_layer_matches(*shape, bent));
    EXPECT_FALSE(tracker::piece_layer_matches(*shape, layers.substr(32)));

    p2p::metadata info_only = meta;
    info_only.torrent.clear();
    const auto whole = p2p::with_piece_layer(info_only, layers);
    EXPECT_EQ(p2p::piece_layer_of(whole), layers);
    EXPECT_THROW(p2p::with_piece_layer(info_only, layers.substr(32)), std::runtime_error);
    EXPECT_THROW(p2p::with_piece_layer(info_only, layers + std::string(32, 'x')),
                 std::runtime_error);
  }
  fs::remove_all(dir);
}

// A member's metadata may name files no client can hold: their sizes are refused before any
// count is made of them, so that none wraps (found by review: 2^63-byte files summed to 2
// pieces).
TEST(PieceLayer, FilesBeyondLibtorrentsBoundsHaveNoShape) {
  const auto info = [](const std::string& lengths) {
    std::string tree;
    char name = 'a';
    for (std::size_t at = 0; at < lengths.size();) {
      const auto end = lengths.find(',', at);
      const auto length = lengths.substr(at, end - at);
      tree += std::string("1:") + name++ + "d0:d6:lengthi" + length +
              "e11:pieces root32:" + std::string(32, 'r') + "ee";
      at = end == std::string::npos ? lengths.size() : end + 1;
    }
    return "d9:file treed" + tree + "e12:meta versioni2e4:name1:f12:piece lengthi16384ee";
  };
  ASSERT_TRUE(tracker::piece_layer_shape(info("32768,40000")));
  EXPECT_EQ(tracker::piece_layer_shape(info("32768,40000"))->pieces, 5);
  EXPECT_FALSE(tracker::piece_layer_shape(info("9223372036854775807,9223372036854759424,32768")));
  EXPECT_FALSE(tracker::piece_layer_shape(info("281474976710656")));          // 2^48
  EXPECT_FALSE(tracker::piece_layer_shape(info("34359754752,34359754752")));  // over 2^21 pieces
}

TEST(PieceLayer, FilesOfOnePieceAndV1FilesHaveNone) {
  const auto small = described(16384, p2p::torrent_format::v2, 1);
  EXPECT_TRUE(p2p::piece_layer_of(small).empty());
  EXPECT_FALSE(tracker::piece_layer_shape(small.info));
  const auto v1 = described(100'000, p2p::torrent_format::v1, 2);
  EXPECT_TRUE(p2p::piece_layer_of(v1).empty());
  EXPECT_FALSE(tracker::piece_layer_shape(v1.info));
  EXPECT_FALSE(tracker::piece_layer_shape("not bencode"));
  EXPECT_THROW(p2p::with_piece_layer(v1, std::string(32, 'x')), std::runtime_error);
}

proto::reply layers_reply(std::vector<std::string> data) {
  proto::reply r;
  r.ok = true;
  r.data = std::move(data);
  return r;
}

TEST(PieceLayer, TheClientTakesOnlyChunksThatHoldTogether) {
  const std::string full(32 * 1024, 'a');
  const std::string tail(64, 'b');
  const auto b64 = [](const std::string& s) { return util::to_base64(s); };
  const auto whole =
      client::piece_layer_from(layers_reply({"0 " + b64(full), "1024 " + b64(tail)}));
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->hashes, full + tail);
  EXPECT_FALSE(whole->more);
  // A reply that goes on ("more"), and the next one asked from there.
  const auto first = client::piece_layer_from(layers_reply({"0 " + b64(full), "more 1024"}));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->hashes, full);
  EXPECT_EQ(first->more, 1024u);
  const auto next = client::piece_layer_from(layers_reply({"1024 " + b64(tail)}), 1024);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->hashes, tail);
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {},                                       // no layer (yet)
           {"1024 " + b64(tail)},                    // not from where it was asked
           {"0 " + b64(tail), "2 " + b64(tail)},     // a short chunk before another
           {"0 " + b64(full), "2048 " + b64(tail)},  // a gap
           {"0 " + b64(full + tail)},                // over a chunk
           {"0 " + b64(std::string(33, 'c'))},       // not whole hashes
           {"0 !!!"},                                // not base64
           {"x " + b64(tail)},                       // not a number
           {"-0 " + b64(tail)},
           {"0"},
           {"more 0"},                                               // more of nothing
           {"0 " + b64(tail), "more 2"},                             // more after a short chunk
           {"0 " + b64(full), "more 2048"},                          // more from elsewhere
           {"0 " + b64(full), "more 1024", "1024 " + b64(tail)}}) {  // after more
    EXPECT_FALSE(client::piece_layer_from(layers_reply(bad))) << (bad.empty() ? "" : bad[0]);
  }
  auto refused = layers_reply({"0 " + b64(tail)});
  refused.ok = false;
  EXPECT_FALSE(client::piece_layer_from(refused));
}

}  // namespace
}  // namespace swarmhub
