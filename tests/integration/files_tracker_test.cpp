// The tracker's half of F1, F2, A4: the file registry and the private BitTorrent tracker.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <functional>
#include <string>
#include <vector>

#include "postgres.hpp"
#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/proto/http.hpp"
#include "swarmhub/util/base64.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace bencode = proto::bencode;

// A BitTorrent v2 info dictionary for one file (the pieces root is made up: the tracker
// never sees file bytes, so it cannot and need not check it).
std::string info_dict(const std::string& name, long long size) {
  std::string leaf = "d" + bencode::string("length") + bencode::integer(size);
  if (size > 0) leaf += bencode::string("pieces root") + bencode::string(std::string(32, 'r'));
  leaf += "e";
  return "d" + bencode::string("file tree") + "d" + bencode::string(name) + "d" +
         bencode::string("") + leaf + "ee" + bencode::string("meta version") + bencode::integer(2) +
         bencode::string("name") + bencode::string(name) + bencode::string("piece length") +
         bencode::integer(16384) + "e";
}

// The same file as a hybrid v1+v2 torrent: the v2 keys plus v1's length and SHA-1 pieces
// (keys in bencode's sorted order).
std::string hybrid_info_dict(const std::string& name, long long size, long long pieces) {
  const std::string leaf = "d" + bencode::string("length") + bencode::integer(size) +
                           bencode::string("pieces root") + bencode::string(std::string(32, 'r')) +
                           "e";
  return "d" + bencode::string("file tree") + "d" + bencode::string(name) + "d" +
         bencode::string("") + leaf + "ee" + bencode::string("length") + bencode::integer(size) +
         bencode::string("meta version") + bencode::integer(2) + bencode::string("name") +
         bencode::string(name) + bencode::string("piece length") + bencode::integer(16384) +
         bencode::string("pieces") +
         bencode::string(std::string(static_cast<std::size_t>(20 * pieces), 'p')) + "e";
}

// The same file as a v1-only torrent (what files of open groups are made as).
std::string v1_info_dict(const std::string& name, long long size, long long pieces) {
  return "d" + bencode::string("length") + bencode::integer(size) + bencode::string("name") +
         bencode::string(name) + bencode::string("piece length") + bencode::integer(16384) +
         bencode::string("pieces") +
         bencode::string(std::string(static_cast<std::size_t>(20 * pieces), 'p')) +
         bencode::string("private") + bencode::integer(1) + "e";
}

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += d[p[i] >> 4];
    out += d[p[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hex(digest, sizeof digest);
}

std::string base64(const std::string& data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string add_file_line(const std::string& group, const std::string& name, long long size,
                          const std::string& info) {
  return "add_file " + group + " " + quoted(name) + " " + std::to_string(size) + " " +
         sha256_hex(info) + " " + base64(info);
}

std::string escaped(const unsigned char* digest) {
  std::string out;
  for (int i = 0; i < 20; ++i) out += "%" + hex(digest + i, 1);
  return out;
}

// The 20 bytes peers announce for a v2 torrent: its SHA-256, truncated, %-escaped.
std::string announce_hash(const std::string& info) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(info.data()), info.size());
  return escaped(digest);
}

// What a v1-only client announces for a hybrid torrent: the SHA-1 of the info dictionary.
std::string v1_announce_hash(const std::string& info) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(info.data(), info.size(), digest, &length, EVP_sha1(), nullptr);
  return escaped(digest);
}

struct http_reply {
  int status = 0;
  std::string body;
};

std::string get_request(const std::string& target, bool close = false) {
  return "GET " + target + " HTTP/1.1\r\nHost: tracker\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

// The next HTTP response on `c`.
http_reply read_response(line_client& c) {
  http_reply r;
  auto status_line = c.read_line();
  if (!status_line) {
    ADD_FAILURE() << "no HTTP response";
    return r;
  }
  r.status = std::stoi(status_line->substr(9, 3));
  std::size_t length = 0;
  while (auto header = c.read_line()) {
    if (*header == "\r") break;
    if (header->starts_with("Content-Length: ")) length = std::stoul(header->substr(16));
  }
  r.body = c.read_bytes(length);
  return r;
}

// One GET on `c`, keeping the connection open.
http_reply get(line_client& c, const std::string& target) {
  c.send_raw(get_request(target));
  return read_response(c);
}

// `hash` is %-escaped already (announce_hash, v1_announce_hash).
std::string announce_to(const std::string& group, const std::string& passkey,
                        const std::string& hash, char peer, int port, long long left,
                        const std::string& event = {}) {
  std::string t = "/announce/" + group + "?pk=" + passkey + "&info_hash=" + hash +
                  "&peer_id=" + std::string(20, peer) + "&port=" + std::to_string(port) +
                  "&uploaded=0&downloaded=0&left=" + std::to_string(left) + "&compact=1";
  if (!event.empty()) t += "&event=" + event;
  return t;
}

// An announce for `group`'s swarm of the v2 torrent `info`.
std::string announce_in(const std::string& group, const std::string& passkey,
                        const std::string& info, char peer, int port, long long left,
                        const std::string& event = {}) {
  return announce_to(group, passkey, announce_hash(info), peer, port, left, event);
}

std::string announce_target(const std::string& passkey, const std::string& info, char peer,
                            int port, long long left, const std::string& event = {}) {
  return announce_in("g", passkey, info, peer, port, left, event);
}

// Alice's group g with bob let in, and alice's file `name` of `size` bytes in it: its info
// dictionary.
std::string group_of_two_with_file(line_client& alice, line_client& bob, const std::string& name,
                                   long long size = 5000) {
  EXPECT_TRUE(alice.request("create_group g").ok);
  EXPECT_TRUE(bob.request("join_group g").ok);
  EXPECT_TRUE(alice.request("accept_request g bob").ok);
  const std::string info = info_dict(name, size);
  EXPECT_TRUE(alice.request(add_file_line("g", name, size, info)).ok);
  return info;
}

class FilesTracker : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    ASSERT_TRUE(alice_.request("create_group g").ok);
    ASSERT_TRUE(bob_.request("join_group g").ok);
    ASSERT_TRUE(alice_.request("accept_request g bob").ok);
  }
  std::string passkey(line_client& c) {
    auto r = c.request("passkey");
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.text.size(), 32u);
    return r.text;
  }

  tracker_process tracker_;
  line_client alice_ = tracker_.user("alice");
  line_client bob_ = tracker_.user("bob");
  line_client eve_ = tracker_.user("eve");
};

TEST_F(FilesTracker, RegisterListAndFetchMetadata) {
  const std::string info = info_dict("notes one.txt", 1234);
  auto added = alice_.request(add_file_line("g", "notes one.txt", 1234, info));
  ASSERT_TRUE(added.ok) << added.text;
  EXPECT_EQ(added.text, "notes one.txt added to g");
  EXPECT_EQ(bob_.request(add_file_line("g", "notes one.txt", 1234, info)).text,
            "notes one.txt is already in g; you share it too");
  const std::string other = info_dict("notes one.txt", 99);
  EXPECT_EQ(bob_.request(add_file_line("g", "notes one.txt", 99, other)).code, "FILE_EXISTS");

  auto list = bob_.request("list_files g");
  ASSERT_TRUE(list.ok);
  ASSERT_EQ(list.data.size(), 1u);
  EXPECT_EQ(list.data[0],
            "\"notes one.txt\" size=1234 uploader=alice mode=open seeders=0 leechers=0");

  auto meta = bob_.request("file_info g \"notes one.txt\"");
  ASSERT_TRUE(meta.ok);
  ASSERT_EQ(meta.data.size(), 4u);
  EXPECT_EQ(meta.data[0], "name \"notes one.txt\"");
  EXPECT_EQ(meta.data[1], "size 1234");
  EXPECT_EQ(meta.data[2], "info_hash " + sha256_hex(info));
  EXPECT_EQ(meta.data[3], "info " + base64(info));
  EXPECT_EQ(bob_.request("file_info g nothing").code, "NO_SUCH_FILE");
}

std::string sha256(const std::string& data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

// BEP 52's root over a piece layer of 16 KiB pieces (so a piece past the end hashes to zeros).
std::string layer_root(const std::string& layer) {
  std::vector<std::string> level;
  for (std::size_t at = 0; at < layer.size(); at += 32) level.push_back(layer.substr(at, 32));
  std::size_t width = 1;
  while (width < level.size()) width *= 2;
  level.resize(width, std::string(32, '\0'));
  while (level.size() > 1) {
    std::vector<std::string> up;
    for (std::size_t i = 0; i < level.size(); i += 2) up.push_back(sha256(level[i] + level[i + 1]));
    level = up;
  }
  return level[0];
}

// A v2 info dictionary of one file of `pieces` 16 KiB pieces whose pieces root is `root`.
std::string info_with_root(const std::string& name, long long pieces, const std::string& root) {
  const std::string leaf = "d" + bencode::string("length") + bencode::integer(pieces * 16384) +
                           bencode::string("pieces root") + bencode::string(root) + "e";
  return "d" + bencode::string("file tree") + "d" + bencode::string(name) + "d" +
         bencode::string("") + leaf + "ee" + bencode::string("meta version") + bencode::integer(2) +
         bencode::string("name") + bencode::string(name) + bencode::string("piece length") +
         bencode::integer(16384) + "e";
}

std::string add_layers_line(const std::string& name, long long first, const std::string& layer) {
  return "add_layers g " + name + " " + std::to_string(first) + " " +
         base64(layer.substr(static_cast<std::size_t>(first) * 32, 1024 * 32));
}

// Issue 16: the uploader gives the piece layer in chunks; the tracker checks the whole of it
// against the pieces root and gives it to members only.
// What piece_layers gives `who` of big.bin when its layer is `layer` (2500 hashes, three
// chunks): each chunk in order, checked here.
std::vector<std::string> big_layer_given(line_client& who, const std::string& layer) {
  const auto given = who.request("piece_layers g big.bin");
  EXPECT_TRUE(given.ok) << given.text;
  EXPECT_EQ(given.text, "2500 piece hashes of big.bin");
  const std::vector<std::string> expected{"0 " + base64(layer.substr(0, 1024 * 32)),
                                          "1024 " + base64(layer.substr(1024 * 32, 1024 * 32)),
                                          "2048 " + base64(layer.substr(2048 * 32))};
  EXPECT_EQ(given.data, expected);
  return given.data;
}

TEST_F(FilesTracker, PieceLayersComeInChunksAreCheckedAndGoToMembersOnly) {
  constexpr long long pieces = 2500;  // three chunks: 1024, 1024, 452
  std::string layer;
  for (long long i = 0; i < pieces; ++i) layer += sha256(std::to_string(i));
  const std::string info = info_with_root("big.bin", pieces, layer_root(layer));
  ASSERT_TRUE(alice_.request(add_file_line("g", "big.bin", pieces * 16384, info)).ok);
  // Nothing to give before the whole layer is there.
  auto early = bob_.request("piece_layers g big.bin");
  EXPECT_TRUE(early.ok);
  EXPECT_TRUE(early.data.empty());
  // Bad input, each with its code; none of it is stored.
  EXPECT_EQ(alice_.request("add_layers g big.bin 1 " + base64(layer.substr(32, 32))).code,
            "BAD_ARGUMENTS");  // not a multiple of 1024
  EXPECT_EQ(alice_.request("add_layers g big.bin 3072 " + base64(layer.substr(0, 32))).code,
            "BAD_ARGUMENTS");  // past the last piece
  EXPECT_EQ(alice_.request("add_layers g big.bin 0 " + base64(layer.substr(0, 64))).code,
            "BAD_ARGUMENTS");  // too few hashes
  EXPECT_EQ(alice_.request("add_layers g big.bin x " + base64(layer.substr(0, 32))).code,
            "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("add_layers g big.bin 0 !!!").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("add_layers g big.bin 0").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("add_layers g nothing.bin 0 AAAA").code, "NO_SUCH_FILE");
  EXPECT_EQ(alice_.request("add_layers b@d big.bin 0 AAAA").code, "BAD_NAME");
  EXPECT_EQ(eve_.request(add_layers_line("big.bin", 0, layer)).code, "NOT_MEMBER");
  EXPECT_EQ(eve_.request("piece_layers g big.bin").code, "NOT_MEMBER");
  // A file of one piece has no layer.
  const std::string small = info_with_root("small.bin", 1, std::string(32, 's'));
  ASSERT_TRUE(alice_.request(add_file_line("g", "small.bin", 16384, small)).ok);
  EXPECT_EQ(alice_.request("add_layers g small.bin 0 " + base64(layer.substr(0, 32))).code,
            "BAD_FILE");
  EXPECT_TRUE(bob_.request("piece_layers g small.bin").data.empty());

  // A wrong hash is found once the layer is whole, and the whole of it is dropped.
  auto wrong = layer;
  wrong[2049 * 32] = static_cast<char>(wrong[2049 * 32] ^ 1);
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 0, wrong)).text,
            "1 of 3 chunks of the piece layer of big.bin");
  EXPECT_TRUE(alice_.request(add_layers_line("big.bin", 1024, wrong)).ok);
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 2048, wrong)).code, "BAD_FILE");
  EXPECT_TRUE(bob_.request("piece_layers g big.bin").data.empty());

  // The right one, in any order.
  EXPECT_TRUE(alice_.request(add_layers_line("big.bin", 2048, layer)).ok);
  EXPECT_TRUE(alice_.request(add_layers_line("big.bin", 0, layer)).ok);
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 1024, layer)).text,
            "the piece layer of big.bin is complete (2500 hashes)");
  const auto given = big_layer_given(bob_, layer);
  ASSERT_EQ(given.size(), 3u);
  for (const auto& line : given) EXPECT_LT(line.size() + 3, 64u * 1024);
  // From a later chunk on; only from a chunk's first piece.
  EXPECT_EQ(bob_.request("piece_layers g big.bin 2048").data, (std::vector<std::string>{given[2]}));
  EXPECT_TRUE(bob_.request("piece_layers g big.bin 4096").data.empty());
  EXPECT_EQ(bob_.request("piece_layers g big.bin 5").code, "BAD_ARGUMENTS");
  EXPECT_EQ(bob_.request("piece_layers g big.bin x").code, "BAD_ARGUMENTS");
  // A member's later wrong chunk changes nothing.
  EXPECT_TRUE(bob_.request(add_layers_line("big.bin", 0, std::string(layer.size(), 'z'))).ok);
  EXPECT_EQ(bob_.request("piece_layers g big.bin").data, given);
}

// A member's wrong chunks are theirs alone: sent before the uploader's, whole or not, they
// keep nobody's right layer out, and once a layer is kept nothing replaces it.
TEST_F(FilesTracker, AMembersWrongChunksDoNotKeepTheUploadersLayerOut) {
  constexpr long long pieces = 2500;  // three chunks: 1024, 1024, 452
  std::string layer;
  for (long long i = 0; i < pieces; ++i) layer += sha256("right " + std::to_string(i));
  const std::string info = info_with_root("big.bin", pieces, layer_root(layer));
  ASSERT_TRUE(alice_.request(add_file_line("g", "big.bin", pieces * 16384, info)).ok);
  std::string wrong = layer;
  wrong[5] = static_cast<char>(wrong[5] ^ 1);
  // bob, a member, is first with two wrong chunks; alice's first comes after them.
  EXPECT_TRUE(bob_.request(add_layers_line("big.bin", 0, wrong)).ok);
  EXPECT_TRUE(bob_.request(add_layers_line("big.bin", 1024, wrong)).ok);
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 0, layer)).text,
            "1 of 3 chunks of the piece layer of big.bin");
  // bob's whole wrong layer is dropped, and alice's chunk with it in no way.
  const auto bobs = bob_.request(add_layers_line("big.bin", 2048, wrong));
  EXPECT_EQ(bobs.code, "BAD_FILE") << bobs.text;
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 1024, layer)).text,
            "2 of 3 chunks of the piece layer of big.bin");
  // bob starts again, wrong again, and is not whole when alice is.
  EXPECT_TRUE(bob_.request(add_layers_line("big.bin", 0, wrong)).ok);
  EXPECT_EQ(alice_.request(add_layers_line("big.bin", 2048, layer)).text,
            "the piece layer of big.bin is complete (2500 hashes)");
  const auto given = big_layer_given(bob_, layer);
  // Nothing is stored over a kept layer.
  EXPECT_EQ(bob_.request(add_layers_line("big.bin", 1024, wrong)).text,
            "the piece layer of big.bin is here already");
  EXPECT_EQ(bob_.request("piece_layers g big.bin").data, given);
}

// A reply holds 16 chunks at most (far below the output bound whatever the file's size), and
// says where to ask from for the rest.
TEST_F(FilesTracker, ALongPieceLayerComesInSeveralReplies) {
  constexpr long long pieces = 16 * 1024 + 1;
  std::string layer;
  for (long long i = 0; i < pieces; ++i) layer += sha256("p" + std::to_string(i));
  const std::string info = info_with_root("huge.bin", pieces, layer_root(layer));
  ASSERT_TRUE(alice_.request(add_file_line("g", "huge.bin", pieces * 16384, info)).ok);
  for (long long first = 0; first < pieces; first += 1024)
    ASSERT_TRUE(alice_.request(add_layers_line("huge.bin", first, layer)).ok) << first;
  const auto head = bob_.request("piece_layers g huge.bin");
  ASSERT_EQ(head.data.size(), 17u);
  EXPECT_EQ(head.data[15], "15360 " + base64(layer.substr(15360 * 32, 1024 * 32)));
  EXPECT_EQ(head.data[16], "more 16384");
  const auto rest = bob_.request("piece_layers g huge.bin 16384");
  EXPECT_EQ(rest.data, (std::vector<std::string>{"16384 " + base64(layer.substr(16384 * 32))}));
}

// What one user can make the tracker keep: files (--max-files-per-user, in every group
// together) and piece layers being sent (--max-unfinished-layers: one more drops the chunks
// of the one added to least recently; its sender sends them again).
TEST(FilesTrackerQuotas, FilesAndUnfinishedLayersPerUserAreBounded) {
  ASSERT_GE(sodium_init(), 0);
  tracker_process tracker(
      {"--max-files-per-user", "3", "--max-unfinished-layers", "1", "--max-groups-per-user", "2"});
  line_client alice = tracker.user("alice");
  line_client bob = tracker.user("bob");
  ASSERT_TRUE(alice.request("create_group g").ok);
  ASSERT_TRUE(alice.request("create_group h").ok);
  const auto third = alice.request("create_group i");
  EXPECT_EQ(third.code, "QUOTA_EXCEEDED");
  EXPECT_EQ(third.text, "you own 2 groups, the most this tracker keeps for one user");
  ASSERT_TRUE(bob.request("join_group g").ok);
  ASSERT_TRUE(alice.request("accept_request g bob").ok);
  constexpr long long pieces = 2500;  // three chunks: 1024, 1024, 452
  std::string one, two;
  for (long long i = 0; i < pieces; ++i) {
    one += sha256("one " + std::to_string(i));
    two += sha256("two " + std::to_string(i));
  }
  const std::string one_info = info_with_root("one.bin", pieces, layer_root(one));
  const std::string two_info = info_with_root("two.bin", pieces, layer_root(two));
  ASSERT_TRUE(alice.request(add_file_line("g", "one.bin", pieces * 16384, one_info)).ok);
  ASSERT_TRUE(alice.request(add_file_line("h", "two.bin", pieces * 16384, two_info)).ok);
  ASSERT_TRUE(alice.request(add_file_line("g", "a.bin", 10, info_dict("a.bin", 10))).ok);
  const auto refused = alice.request(add_file_line("g", "b.bin", 10, info_dict("b.bin", 10)));
  EXPECT_EQ(refused.code, "QUOTA_EXCEEDED");
  EXPECT_NE(refused.text.find("3 files"), std::string::npos) << refused.text;
  EXPECT_EQ(alice.request("list_files g").data.size(), 2u);  // nothing stored
  // The same content again adds nothing; another member has a quota of their own.
  EXPECT_TRUE(alice.request(add_file_line("g", "a.bin", 10, info_dict("a.bin", 10))).ok);
  EXPECT_TRUE(bob.request(add_file_line("g", "b.bin", 10, info_dict("b.bin", 10))).ok);
  ASSERT_TRUE(alice.request("remove_file g a.bin").ok);
  EXPECT_TRUE(alice.request(add_file_line("g", "c.bin", 10, info_dict("c.bin", 10))).ok);

  // One layer at a time: two.bin's first chunk drops one.bin's.
  const auto layer_line = [](const std::string& group, const std::string& name, long long first,
                             const std::string& layer) {
    const auto count = std::min<long long>(1024, pieces - first);
    return "add_layers " + group + " " + name + " " + std::to_string(first) + " " +
           base64(layer.substr(first * 32, count * 32));
  };
  EXPECT_EQ(alice.request(layer_line("g", "one.bin", 0, one)).text,
            "1 of 3 chunks of the piece layer of one.bin");
  EXPECT_EQ(alice.request(layer_line("h", "two.bin", 0, two)).text,
            "1 of 3 chunks of the piece layer of two.bin");
  EXPECT_EQ(alice.request(layer_line("g", "one.bin", 1024, one)).text,
            "1 of 3 chunks of the piece layer of one.bin");
  // bob's chunks are his own, within his own bound.
  EXPECT_EQ(bob.request(layer_line("g", "one.bin", 0, one)).text,
            "1 of 3 chunks of the piece layer of one.bin");
  EXPECT_EQ(alice.request(layer_line("g", "one.bin", 2048, one)).text,
            "2 of 3 chunks of the piece layer of one.bin");
  EXPECT_EQ(alice.request(layer_line("g", "one.bin", 0, one)).text,
            "the piece layer of one.bin is complete (2500 hashes)");
  EXPECT_EQ(bob.request("piece_layers g one.bin").data.size(), 3u);
  // A whole layer is nobody's unfinished one: two.bin starts again and completes.
  for (long long first : {0LL, 1024LL}) {
    EXPECT_TRUE(alice.request(layer_line("h", "two.bin", first, two)).ok);
  }
  EXPECT_EQ(alice.request(layer_line("h", "two.bin", 2048, two)).text,
            "the piece layer of two.bin is complete (2500 hashes)");
}

TEST_F(FilesTracker, OnlyMembersAndOnlyConsistentMetadata) {
  const std::string info = info_dict("a.bin", 10);
  EXPECT_EQ(eve_.request(add_file_line("g", "a.bin", 10, info)).code, "NOT_MEMBER");
  ASSERT_TRUE(alice_.request(add_file_line("g", "a.bin", 10, info)).ok);
  EXPECT_EQ(eve_.request("list_files g").code, "NOT_MEMBER");
  EXPECT_EQ(eve_.request("file_info g a.bin").code, "NOT_MEMBER");
  EXPECT_EQ(alice_.request("list_files nogroup").code, "NO_SUCH_GROUP");

  const std::string b = info_dict("b.bin", 10);
  auto wrong_hash = "add_file g b.bin 10 " + std::string(64, '0') + " " + base64(b);
  EXPECT_EQ(alice_.request(wrong_hash).code, "BAD_FILE");
  EXPECT_EQ(alice_.request(add_file_line("g", "b.bin", 11, b)).code, "BAD_FILE");  // size
  EXPECT_EQ(alice_.request(add_file_line("g", "c.bin", 10, b)).code, "BAD_FILE");  // name
  EXPECT_EQ(alice_.request("add_file g b.bin 10 " + sha256_hex("x") + " !!!").code, "BAD_FILE");
  const std::string evil = info_dict("../../etc/passwd", 10);
  EXPECT_EQ(alice_.request(add_file_line("g", "../../etc/passwd", 10, evil)).code, "BAD_NAME");
  EXPECT_EQ(alice_.request(add_file_line("g", "..", 10, info_dict("..", 10))).code, "BAD_NAME");
  EXPECT_EQ(alice_.request("add_file g a.bin -5 x y").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("add_file g a.bin 10").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("list_files g").data.size(), 1u);  // nothing else was stored
}

TEST_F(FilesTracker, AnnounceGivesMembersEachOtherAndNobodyElse) {
  const std::string info = info_dict("movie.mkv", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "movie.mkv", 5000, info)).ok);
  line_client http_a(tracker_.port(), false);
  line_client http_b(tracker_.port(), false);
  auto first = get(http_a, announce_target(passkey(alice_), info, 'a', 6881, 0, "started"));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body,
            "d8:completei1e10:incompletei0e8:intervali120e12:min intervali30e5:peers0:6:peers60:e");
  auto second = get(http_b, announce_target(passkey(bob_), info, 'b', 7000, 5000, "started"));
  // bob learns alice's address: 127.0.0.1 and port 6881 (0x1AE1), six bytes.
  const std::string alice_peer("\x7f\x00\x00\x01\x1a\xe1", 6);
  EXPECT_EQ(second.body,
            "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers6:" +
                alice_peer + "6:peers60:e");
  auto list = alice_.request("list_files g");
  EXPECT_EQ(list.data.at(0), "movie.mkv size=5000 uploader=alice mode=open seeders=1 leechers=1");

  // Eve has a passkey but is no member; strangers and unknown torrents get nothing either.
  auto refused = get(http_a, announce_target(passkey(eve_), info, 'e', 7001, 5000));
  EXPECT_NE(refused.body.find("failure reason"), std::string::npos);
  EXPECT_NE(refused.body.find("only members"), std::string::npos);
  auto unknown_key = get(http_a, announce_target(std::string(32, 'f'), info, 'x', 7002, 0));
  EXPECT_NE(unknown_key.body.find("unknown passkey"), std::string::npos);
  auto unknown_file = get(http_a, announce_target(passkey(alice_), info_dict("x", 1), 'a', 1, 0));
  EXPECT_NE(unknown_file.body.find("unknown torrent"), std::string::npos);
  auto malformed = get(http_a, "/announce/g?pk=x&info_hash=short&peer_id=p&port=1&left=0");
  EXPECT_NE(malformed.body.find("failure reason"), std::string::npos);
  // The URL must name the group.
  auto no_group = get(http_a, announce_target(passkey(alice_), info, 'a', 6881, 0)
                                  .replace(0, std::string("/announce/g").size(), "/announce"));
  EXPECT_NE(no_group.body.find("names the group"), std::string::npos) << no_group.body;
  auto no_such_group = get(http_a, announce_in("h", passkey(alice_), info, 'a', 6881, 0));
  EXPECT_NE(no_such_group.body.find("unknown group"), std::string::npos);

  // A stopped peer leaves the swarm.
  get(http_a, announce_target(passkey(alice_), info, 'a', 6881, 0, "stopped"));
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "movie.mkv size=5000 uploader=alice mode=open seeders=0 leechers=1");
}

TEST_F(FilesTracker, HybridTorrentIsOneSwarmUnderEitherHash) {
  const std::string info = hybrid_info_dict("both.iso", 40000, 3);  // 3 pieces of 16 KiB
  auto added = alice_.request(add_file_line("g", "both.iso", 40000, info));
  ASSERT_TRUE(added.ok) << added.text;
  line_client http_a(tracker_.port(), false);
  line_client http_b(tracker_.port(), false);
  // Alice's client speaks v2, Bob's only v1: both land in the one swarm.
  get(http_a, announce_target(passkey(alice_), info, 'a', 6881, 0, "started"));
  auto v1 = get(http_b, announce_to("g", passkey(bob_), v1_announce_hash(info), 'b', 7000, 40000));
  const std::string alice_peer("\x7f\x00\x00\x01\x1a\xe1", 6);
  EXPECT_EQ(v1.body, "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers6:" +
                         alice_peer + "6:peers60:e");
  EXPECT_EQ(bob_.request("list_files g").data.at(0),
            "both.iso size=40000 uploader=alice mode=open seeders=1 leechers=1");
  // The membership rule holds under the v1 hash too.
  auto refused = get(http_b, announce_to("g", passkey(eve_), v1_announce_hash(info), 'e', 7001, 1));
  EXPECT_NE(refused.body.find("only members"), std::string::npos);

  // A v1 half that does not match the v2 half is refused.
  EXPECT_EQ(
      alice_.request(add_file_line("g", "x.iso", 40000, hybrid_info_dict("x.iso", 40000, 2))).code,
      "BAD_FILE");
  auto wrong_length = hybrid_info_dict("y.iso", 40000, 3);
  wrong_length.replace(wrong_length.find("6:lengthi40000e", 30), 15, "6:lengthi40001e");
  EXPECT_EQ(alice_.request(add_file_line("g", "y.iso", 40000, wrong_length)).code, "BAD_FILE");
  EXPECT_EQ(alice_.request("list_files g").data.size(), 1u);
}

// Issue 15: files of open groups are v1-only torrents, named by the SHA-256 of their info
// dictionary like every file, announced under its SHA-1.
TEST_F(FilesTracker, V1TorrentIsOneSwarmUnderItsSha1) {
  const std::string info = v1_info_dict("old.iso", 40000, 3);
  auto added = alice_.request(add_file_line("g", "old.iso", 40000, info));
  ASSERT_TRUE(added.ok) << added.text;
  line_client http_a(tracker_.port(), false);
  line_client http_b(tracker_.port(), false);
  get(http_a, announce_to("g", passkey(alice_), v1_announce_hash(info), 'a', 6881, 0, "started"));
  auto reply = get(http_b, announce_to("g", passkey(bob_), v1_announce_hash(info), 'b', 7000, 1));
  const std::string alice_peer("\x7f\x00\x00\x01\x1a\xe1", 6);
  EXPECT_EQ(reply.body,
            "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers6:" +
                alice_peer + "6:peers60:e");
  EXPECT_EQ(bob_.request("list_files g").data.at(0),
            "old.iso size=40000 uploader=alice mode=open seeders=1 leechers=1");
  // Its truncated SHA-256 is no swarm of it.
  EXPECT_NE(get(http_b, announce_in("g", passkey(bob_), info, 'c', 7001, 1)).body.find("unknown"),
            std::string::npos);
  // Pieces, length and name are checked as for the v1 part of a hybrid.
  EXPECT_EQ(
      alice_.request(add_file_line("g", "x.iso", 40000, v1_info_dict("x.iso", 40000, 2))).code,
      "BAD_FILE");
  EXPECT_EQ(
      alice_.request(add_file_line("g", "y.iso", 40001, v1_info_dict("y.iso", 40000, 3))).code,
      "BAD_FILE");
  EXPECT_EQ(
      alice_.request(add_file_line("g", "z.iso", 40000, v1_info_dict("old.iso", 40000, 3))).code,
      "BAD_FILE");
  EXPECT_EQ(alice_.request("list_files g").data.size(), 1u);
}

TEST(FilesTrackerIpv6, AnnouncesOverIpv6GetPeers6) {
  ASSERT_GE(sodium_init(), 0);
  tracker_process tracker({}, {}, "[::1]:0");
  ASSERT_EQ(tracker.host(), "::1");
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  const std::string info = group_of_two_with_file(alice, bob, "v6.bin", 100);
  line_client http_a("::1", tracker.port(), false);
  line_client http_b("::1", tracker.port(), false);
  get(http_a, announce_target(alice.request("passkey").text, info, 'a', 6881, 0, "started"));
  auto reply = get(http_b, announce_target(bob.request("passkey").text, info, 'b', 7000, 100));
  // Alice's address as BEP 7 gives it: 16 bytes of ::1, then port 6881; no IPv4 peers.
  std::string alice_peer(15, '\0');
  alice_peer += "\x01\x1a\xe1";
  EXPECT_EQ(reply.body,
            "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers0:6:peers618:" +
                alice_peer + "e");
}

// Issue 15: swarms are keyed by (group, info-hash) and a peer entry belongs to its announcer.
TEST_F(FilesTracker, SameContentInAnotherGroupIsAnotherSwarm) {
  const std::string info = info_dict("secret.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "secret.bin", 5000, info)).ok);
  // Eve holds the same info dictionary and registers it in a group of her own.
  ASSERT_TRUE(eve_.request("create_group e").ok);
  ASSERT_TRUE(eve_.request(add_file_line("e", "secret.bin", 5000, info)).ok);
  line_client http(tracker_.port(), false);
  get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0, "started"));
  auto eves = get(http, announce_in("e", passkey(eve_), info, 'e', 7001, 5000, "started"));
  EXPECT_EQ(eves.body,
            "d8:completei0e10:incompletei1e8:intervali120e12:min intervali30e5:peers0:6:peers60:e");
  EXPECT_EQ(eve_.request("list_files e").data.at(0),
            "secret.bin size=5000 uploader=eve mode=open seeders=0 leechers=1");
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "secret.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");
  // Naming the secret group does not help her either.
  auto named = get(http, announce_in("g", passkey(eve_), info, 'e', 7001, 5000, "started"));
  EXPECT_NE(named.body.find("only members"), std::string::npos);
}

TEST_F(FilesTracker, NobodyElseCanStopOrReplaceMyPeer) {
  const std::string info = info_dict("mine.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "mine.bin", 5000, info)).ok);
  line_client http(tracker_.port(), false);
  get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0, "started"));
  // Bob, a member, sends alice's peer_id: as stopped, and as a leecher at his own port.
  get(http, announce_in("g", passkey(bob_), info, 'a', 6881, 0, "stopped"));
  get(http, announce_in("g", passkey(bob_), info, 'a', 7000, 5000));
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "mine.bin size=5000 uploader=alice mode=open seeders=1 leechers=1");
}

// bob, a seeder of kept.bin beside alice, stops being a member of g by `going` (leaving or
// being removed): he leaves the counts at once, his other announces are refused and his
// `stopped` is still taken.
void expect_dropped_at_once_and_only_stopping(std::uint16_t tracker_port, line_client& alice,
                                              line_client& bob,
                                              const std::function<void()>& going) {
  const std::string info = info_dict("kept.bin", 5000);
  ASSERT_TRUE(alice.request(add_file_line("g", "kept.bin", 5000, info)).ok);
  line_client http(tracker_port, false);
  const std::string bobs_key = bob.request("passkey").text;
  get(http, announce_in("g", alice.request("passkey").text, info, 'a', 6881, 0, "started"));
  get(http, announce_in("g", bobs_key, info, 'b', 7000, 0, "started"));
  EXPECT_EQ(alice.request("list_files g").data.at(0),
            "kept.bin size=5000 uploader=alice mode=open seeders=2 leechers=0");
  going();
  EXPECT_EQ(alice.request("list_files g").data.at(0),
            "kept.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");
  auto again = get(http, announce_in("g", bobs_key, info, 'b', 7000, 0));
  EXPECT_NE(again.body.find("only members"), std::string::npos);
  EXPECT_EQ(alice.request("list_files g").data.at(0),
            "kept.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");
  auto stopped = get(http, announce_in("g", bobs_key, info, 'b', 7000, 0, "stopped"));
  EXPECT_EQ(stopped.body.find("failure reason"), std::string::npos) << stopped.body;
}

TEST_F(FilesTracker, LeaverIsDroppedAtOnceAndMayOnlyStop) {
  expect_dropped_at_once_and_only_stopping(tracker_.port(), alice_, bob_,
                                           [&] { ASSERT_TRUE(bob_.request("leave_group g").ok); });
}

TEST_F(FilesTracker, RemovedMemberIsDroppedAtOnceAndMayOnlyStop) {
  expect_dropped_at_once_and_only_stopping(tracker_.port(), alice_, bob_, [&] {
    ASSERT_TRUE(alice_.request("remove_member g bob").ok);
  });
}

TEST_F(FilesTracker, AnnouncesFasterThanTheMinimumIntervalAreRefusedAfterABurst) {
  const std::string info = info_dict("busy.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "busy.bin", 5000, info)).ok);
  line_client http(tracker_.port(), false);
  const std::string key = passkey(alice_);
  int answered = 0;
  std::string refusal;
  for (int i = 0; i < 50 && refusal.empty(); ++i) {
    auto r = get(http, announce_in("g", key, info, 'a', 6881, 0));
    if (r.body.find("failure reason") == std::string::npos) {
      ++answered;
    } else {
      refusal = r.body;
    }
  }
  EXPECT_GE(answered, 2);  // a client's start-up announces pass
  EXPECT_LE(answered, 10);
  EXPECT_NE(refusal.find("min interval"), std::string::npos) << refusal;
  // Another member, or the same member for another torrent, is not held back; nor is stopped.
  EXPECT_EQ(get(http, announce_in("g", passkey(bob_), info, 'b', 7000, 0)).body.find("failure"),
            std::string::npos);
  EXPECT_EQ(get(http, announce_in("g", key, info, 'a', 6881, 0, "stopped")).body.find("failure"),
            std::string::npos);
}

TEST_F(FilesTracker, AnnouncesAreAnsweredFromMemoryAndFollowMembership) {
  const std::string info = info_dict("hot.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "hot.bin", 5000, info)).ok);
  line_client http(tracker_.port(), false);
  const std::string eves_key = passkey(eve_);
  get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0, "started"));
  auto before = tracker_process::counter(tracker_.stats(), "announce_lookups_total");
  EXPECT_GE(before, 1);
  get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0));
  get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0));
  EXPECT_EQ(tracker_process::counter(tracker_.stats(), "announce_lookups_total"), before);
  // A refusal is remembered too, until the membership changes.
  EXPECT_NE(get(http, announce_in("g", eves_key, info, 'e', 7001, 5000)).body.find("only members"),
            std::string::npos);
  ASSERT_TRUE(eve_.request("join_group g").ok);
  ASSERT_TRUE(alice_.request("accept_request g eve").ok);
  auto in = get(http, announce_in("g", eves_key, info, 'e', 7001, 5000));
  EXPECT_EQ(in.body.find("failure"), std::string::npos) << in.body;
  ASSERT_TRUE(eve_.request("leave_group g").ok);
  EXPECT_NE(get(http, announce_in("g", eves_key, info, 'e', 7001, 5000)).body.find("only members"),
            std::string::npos);
}

// Requests sent together come back in their order, whether each is answered from memory at
// once or waits for the store (a passkey the cache has not met yet).
TEST_F(FilesTracker, PipelinedHttpRequestsAreAnsweredInOrder) {
  const std::string info = info_dict("pipe.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "pipe.bin", 5000, info)).ok);
  line_client http(tracker_.port(), false);
  const std::string alices_key = passkey(alice_);
  const std::string bobs_key = passkey(bob_);
  EXPECT_EQ(get(http, announce_in("g", alices_key, info, 'a', 6881, 0, "started")).status, 200);
  const auto lookups = tracker_process::counter(tracker_.stats(), "announce_lookups_total");
  http.send_raw(get_request("/health") +
                get_request(announce_in("g", bobs_key, info, 'b', 7000, 5000, "started")) +
                get_request(announce_in("g", alices_key, info, 'a', 6881, 0)) +
                get_request("/nothing", true) + get_request("/health"));
  const auto health = read_response(http);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  // bob's passkey is looked up in the store; alice is in the swarm already.
  const std::string alice_peer("\x7f\x00\x00\x01\x1a\xe1", 6);
  EXPECT_EQ(read_response(http).body,
            "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers6:" +
                alice_peer + "6:peers60:e");
  // alice's, from memory, after bob's: she is told of him.
  const std::string bob_peer("\x7f\x00\x00\x01\x1b\x58", 6);
  EXPECT_EQ(read_response(http).body,
            "d8:completei1e10:incompletei1e8:intervali120e12:min intervali30e5:peers6:" + bob_peer +
                "6:peers60:e");
  EXPECT_EQ(read_response(http).status, 404);
  // "Connection: close": what came after it is not answered.
  EXPECT_TRUE(http.closed_within());
  EXPECT_EQ(tracker_process::counter(tracker_.stats(), "announce_lookups_total"), lookups + 1);
}

// An HTTP connection reads into a buffer of its own, smaller than these requests together:
// requests cut across reads, a header line across two of them, are all answered in order.
TEST_F(FilesTracker, PipelinedHttpRequestsLongerThanOneReadAreAllAnswered) {
  line_client http(tracker_.port(), false);
  std::string requests;
  constexpr int count = 40;
  for (int i = 0; i < count; ++i) {
    requests += "GET /health HTTP/1.1\r\nHost: tracker\r\nX-Padding: " +
                std::string(300 + i * 7, static_cast<char>('a' + i % 26)) + "\r\n\r\n";
  }
  ASSERT_GT(requests.size(), 8u * 2048);
  http.send_raw(requests);
  for (int i = 0; i < count; ++i) {
    const auto health = read_response(http);
    EXPECT_EQ(health.status, 200) << i;
    EXPECT_EQ(health.body, "ok\n") << i;
  }
}

// Each announce gets its own defaults: a numwant sent by one announce answered from memory
// is not the next one's (one I/O thread, so that both run on it).
TEST(FilesTrackerOneThread, NumwantIsEachAnnouncesOwn) {
  ASSERT_GE(sodium_init(), 0);
  tracker_process tracker({"--threads", "1"});
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  const std::string info = group_of_two_with_file(alice, bob, "want.bin");
  const std::string alices_key = alice.request("passkey").text;
  const std::string bobs_key = bob.request("passkey").text;
  line_client http(tracker.port(), false);
  get(http, announce_in("g", alices_key, info, 'a', 6881, 0, "started"));
  get(http, announce_in("g", bobs_key, info, 'b', 7000, 5000, "started"));  // now in memory
  const auto none = get(http, announce_in("g", bobs_key, info, 'b', 7000, 5000) + "&numwant=0");
  EXPECT_NE(none.body.find("5:peers0:"), std::string::npos) << none.body;
  // No numwant: the default (50), so bob is told of alice.
  const auto some = get(http, announce_in("g", bobs_key, info, 'b', 7000, 5000));
  EXPECT_NE(some.body.find("5:peers6:"), std::string::npos) << some.body;
}

// Each tracker of a shared store answers announces from its own memory: a membership
// changed on another tracker reaches it through the event feed.
TEST(FilesTrackersSharingAStore, MembershipChangedElsewhereIsSeenAtOnce) {
  SWARMHUB_REQUIRE_POSTGRES();
  ASSERT_GE(sodium_init(), 0);
  postgres_database database;
  tracker_process one({"--store", database.conninfo()});
  tracker_process two({"--store", database.conninfo()});
  auto alice = two.user("alice");
  auto bob = one.user("bob");
  auto eve = two.user("eve");
  const std::string info = group_of_two_with_file(alice, bob, "shared.bin");
  const std::string bobs_key = bob.request("passkey").text;
  const std::string eves_key = eve.request("passkey").text;
  line_client http(one.port(), false);
  get(http, announce_in("g", bobs_key, info, 'b', 7000, 0, "started"));
  // Tracker one remembers that eve is no member...
  EXPECT_NE(get(http, announce_in("g", eves_key, info, 'e', 7001, 5000)).body.find("only members"),
            std::string::npos);
  // ...until she is let in on tracker two.
  ASSERT_TRUE(eve.request("join_group g").ok);
  ASSERT_TRUE(alice.request("accept_request g eve").ok);
  bool admitted = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !admitted && std::chrono::steady_clock::now() < deadline;) {
    admitted = get(http, announce_in("g", eves_key, info, 'e', 7001, 5000)).body.find("failure") ==
               std::string::npos;
  }
  ASSERT_TRUE(admitted);
  EXPECT_EQ(bob.request("list_files g").data.at(0),
            "shared.bin size=5000 uploader=alice mode=open seeders=1 leechers=1");
  // She leaves on tracker two: tracker one drops her peer and refuses her.
  ASSERT_TRUE(eve.request("leave_group g").ok);
  bool dropped = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !dropped && std::chrono::steady_clock::now() < deadline;) {
    dropped = bob.request("list_files g").data.at(0).ends_with("leechers=0");
  }
  EXPECT_TRUE(dropped);
  EXPECT_NE(get(http, announce_in("g", eves_key, info, 'e', 7001, 5000)).body.find("only members"),
            std::string::npos);
}

// new_passkey: the old key names nobody from the reply on, for announces and .torrent files
// alike, and the peers announced with it leave the swarms at once.
TEST_F(FilesTracker, NewPasskeyRefusesTheOldOneAtOnce) {
  const std::string info = info_dict("keyed.bin", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "keyed.bin", 5000, info)).ok);
  ASSERT_TRUE(alice_.request("group_mode g open").ok);
  line_client http(tracker_.port(), false);
  const std::string old_key = passkey(bob_);
  get(http, announce_in("g", old_key, info, 'b', 7000, 0, "started"));
  EXPECT_EQ(get(http, "/torrents/g/keyed.bin?pk=" + old_key).status, 200);
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "keyed.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");

  const auto fresh = bob_.request("new_passkey");
  ASSERT_TRUE(fresh.ok) << fresh.text;
  const std::string new_key = fresh.text;
  EXPECT_EQ(new_key.size(), 32u);
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(passkey(bob_), new_key);
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "keyed.bin size=5000 uploader=alice mode=open seeders=0 leechers=0");
  EXPECT_NE(get(http, announce_in("g", old_key, info, 'b', 7000, 0)).body.find("unknown passkey"),
            std::string::npos);
  EXPECT_NE(get(http, announce_in("g", old_key, info, 'b', 7000, 0, "stopped"))
                .body.find("unknown passkey"),
            std::string::npos);
  EXPECT_EQ(get(http, "/torrents/g/keyed.bin?pk=" + old_key).status, 403);
  auto again = get(http, announce_in("g", new_key, info, 'b', 7000, 0));
  EXPECT_EQ(again.body.find("failure"), std::string::npos) << again.body;
  EXPECT_EQ(get(http, "/torrents/g/keyed.bin?pk=" + new_key).status, 200);
  EXPECT_EQ(alice_.request("list_files g").data.at(0),
            "keyed.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");
  // Alice's key is hers alone: bob's rotation left it as it was.
  EXPECT_EQ(get(http, announce_in("g", passkey(alice_), info, 'a', 6881, 0)).body.find("failure"),
            std::string::npos);

  EXPECT_EQ(bob_.request("new_passkey now").code, "BAD_ARGUMENTS");
  auto nobody = tracker_.connect();
  EXPECT_EQ(nobody.request("new_passkey").code, "NOT_LOGGED_IN");
}

// The other trackers of the store refuse the old key as soon as the event feed brings the
// change (their announces are answered from memory).
TEST(FilesTrackersSharingAStore, NewPasskeyIsRefusedOnEveryTracker) {
  SWARMHUB_REQUIRE_POSTGRES();
  ASSERT_GE(sodium_init(), 0);
  postgres_database database;
  tracker_process one({"--store", database.conninfo()});
  tracker_process two({"--store", database.conninfo()});
  auto alice = one.user("alice");
  ASSERT_TRUE(alice.request("create_group g").ok);
  const std::string info = info_dict("shared.bin", 5000);
  ASSERT_TRUE(alice.request(add_file_line("g", "shared.bin", 5000, info)).ok);
  const std::string old_key = alice.request("passkey").text;
  line_client http(two.port(), false);
  auto first = get(http, announce_in("g", old_key, info, 'a', 6881, 0, "started"));
  ASSERT_EQ(first.body.find("failure"), std::string::npos) << first.body;  // now in two's memory
  auto on_two = two.user("bob");
  ASSERT_TRUE(on_two.request("join_group g").ok);
  ASSERT_TRUE(alice.request("accept_request g bob").ok);
  ASSERT_EQ(on_two.request("list_files g").data.at(0),
            "shared.bin size=5000 uploader=alice mode=open seeders=1 leechers=0");

  const auto fresh = alice.request("new_passkey");
  ASSERT_TRUE(fresh.ok) << fresh.text;
  bool refused = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !refused && std::chrono::steady_clock::now() < deadline;) {
    refused = on_two.request("list_files g").data.at(0).ends_with("seeders=0 leechers=0");
  }
  EXPECT_TRUE(refused) << "tracker two still counts the peer of the old passkey";
  EXPECT_NE(get(http, announce_in("g", old_key, info, 'a', 6881, 0)).body.find("unknown passkey"),
            std::string::npos);
  auto again = get(http, announce_in("g", fresh.text, info, 'a', 6881, 0));
  EXPECT_EQ(again.body.find("failure"), std::string::npos) << again.body;
}

TEST_F(FilesTracker, HttpClientsGetHttpOnlyAndKeepAlive) {
  line_client http(tracker_.port(), false);
  for (int i = 0; i < 3; ++i) {  // three requests on one connection
    auto health = get(http, "/health");
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok\n");
  }
  EXPECT_EQ(get(http, "/nothing").status, 404);
  EXPECT_TRUE(http.events().empty());  // never greeted as a line client
  http.send_raw("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(http.read_line(), "HTTP/1.1 200 OK\r");
  EXPECT_TRUE(http.closed_within());
}

TEST_F(FilesTracker, OwnerChoosesGroupModeAndListingsShowIt) {
  auto groups = bob_.request("list_groups");
  ASSERT_EQ(groups.data.size(), 1u);
  EXPECT_EQ(groups.data[0], "g owner=alice members=2 mode=sealed");  // the default
  EXPECT_EQ(bob_.request("group_mode g open").code, "NOT_OWNER");
  EXPECT_EQ(alice_.request("group_mode g ajar").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice_.request("group_mode nogroup open").code, "NO_SUCH_GROUP");
  auto opened = alice_.request("group_mode G open");
  ASSERT_TRUE(opened.ok) << opened.text;
  EXPECT_EQ(bob_.request("list_groups").data[0], "g owner=alice members=2 mode=open");
  ASSERT_TRUE(alice_.request("group_mode g sealed").ok);
  EXPECT_EQ(bob_.request("list_groups").data[0], "g owner=alice members=2 mode=sealed");
}

// Each file keeps the mode it was shared with: sealed when its info dictionary carries the
// group's ssl-cert, whatever the group's mode is now.
TEST_F(FilesTracker, ListingsShowEachFilesModeAndASealedFileGetsNoTorrent) {
  const auto member_key = util::to_base64(net::make_member_key().public_der);
  std::string ca;
  for (const auto& line : alice_.request("group_cert g " + member_key).data) {
    if (line.starts_with("ca ")) ca = util::from_base64(line.substr(3)).value_or("");
  }
  ASSERT_FALSE(ca.empty());
  std::string sealed = info_dict("sealed.bin", 5000);
  sealed.insert(sealed.size() - 1, bencode::string("ssl-cert") + bencode::string(ca));
  ASSERT_TRUE(alice_.request(add_file_line("g", "sealed.bin", 5000, sealed)).ok);
  ASSERT_TRUE(alice_.request("group_mode g open").ok);
  ASSERT_TRUE(
      alice_.request(add_file_line("g", "open.bin", 5000, v1_info_dict("open.bin", 5000, 1))).ok);
  EXPECT_EQ(bob_.request("list_files g").data,
            (std::vector<std::string>{
                "open.bin size=5000 uploader=alice mode=open seeders=0 leechers=0",
                "sealed.bin size=5000 uploader=alice mode=sealed seeders=0 leechers=0"}));
  line_client http(tracker_.port(), false);
  const auto refused = get(http, "/torrents/g/sealed.bin?pk=" + passkey(bob_));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body,
            "the file was shared while the group was sealed: swarmhub clients only\n");
  EXPECT_EQ(get(http, "/torrents/g/open.bin?pk=" + passkey(bob_)).status, 200);
}

TEST_F(FilesTracker, OpenGroupsGiveMembersATorrentWithTheirPasskey) {
  const std::string info = info_dict("movie one.mkv", 5000);
  ASSERT_TRUE(alice_.request(add_file_line("g", "movie one.mkv", 5000, info)).ok);
  const std::string bob_key = passkey(bob_);
  const std::string eve_key = passkey(eve_);
  const std::string target = "/torrents/g/movie%20one.mkv?pk=";
  line_client http(tracker_.port(), false);
  auto sealed = get(http, target + bob_key);
  EXPECT_EQ(sealed.status, 403);
  EXPECT_EQ(sealed.body, "the group is sealed: swarmhub clients only\n");

  ASSERT_TRUE(alice_.request("group_mode g open").ok);
  auto torrent = get(http, target + bob_key);
  ASSERT_EQ(torrent.status, 200);
  // The stored info dictionary, byte for byte (so the info-hash is the file's), announcing
  // to this tracker's group swarm with bob's passkey.
  const std::string url = "http://tracker/announce/g?pk=" + bob_key;
  EXPECT_EQ(torrent.body, "d" + bencode::string("announce") + bencode::string(url) +
                              bencode::string("info") + info + "e");
  EXPECT_EQ(get(http, target + eve_key).status, 403);               // not a member
  EXPECT_EQ(get(http, target + std::string(32, 'f')).status, 403);  // unknown passkey
  EXPECT_EQ(get(http, "/torrents/g/movie%20one.mkv").status, 403);
  EXPECT_EQ(get(http, "/torrents/g/other.mkv?pk=" + bob_key).status, 404);
  EXPECT_EQ(get(http, "/torrents/nogroup/movie%20one.mkv?pk=" + bob_key).status, 404);
  EXPECT_EQ(get(http, "/torrents/g/..?pk=" + bob_key).status, 400);
}

}  // namespace
}  // namespace swarmhub::test

namespace swarmhub::test {
namespace {

// The next event named `name`, passing over any other (join requests, files added, ...);
// nothing when none comes within `timeout`.
std::optional<proto::event> event_named(line_client& c, const std::string& name,
                                        std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto e = c.read_event(std::max(left, 1ms));
    if (!e) return std::nullopt;
    if (e->name == name) return e;
  }
  return std::nullopt;
}

// A v2 folder: `tree` is its bencoded file tree (files' leaves with made-up pieces roots).
std::string folder_info(const std::string& name, const std::string& tree) {
  return "d" + bencode::string("file tree") + tree + bencode::string("meta version") +
         bencode::integer(2) + bencode::string("name") + bencode::string(name) +
         bencode::string("piece length") + bencode::integer(16384) + "e";
}

std::string leaf(long long size) {
  return "d" + bencode::string("") + "d" + bencode::string("length") + bencode::integer(size) +
         bencode::string("pieces root") + bencode::string(std::string(32, 'r')) + "ee";
}

TEST_F(FilesTracker, FolderIsRegisteredWithItsFileCountAndUnsafePathsAreNot) {
  // photos/{a.jpg, 2024/{b.jpg, raw/c.raw}}
  const std::string tree = "d" + bencode::string("2024") + "d" + bencode::string("b.jpg") +
                           leaf(2000) + bencode::string("raw") + "d" + bencode::string("c.raw") +
                           leaf(3000) + "ee" + bencode::string("a.jpg") + leaf(1000) + "e";
  const std::string info = folder_info("photos", tree);
  auto added = alice_.request(add_file_line("g", "photos", 6000, info));
  ASSERT_TRUE(added.ok) << added.text;
  EXPECT_TRUE(alice_.request(add_file_line("g", "other", 6000, folder_info("other", tree))).ok);
  auto list = bob_.request("list_files g");
  ASSERT_EQ(list.data.size(), 2u);
  EXPECT_EQ(list.data[1], "photos size=6000 uploader=alice mode=open seeders=0 leechers=0 files=3");
  EXPECT_EQ(alice_.request(add_file_line("g", "photos2", 5999, folder_info("photos2", tree))).code,
            "BAD_FILE");  // the total is wrong

  // A component `..` anywhere, v2 or v1, is refused with the reason.
  const std::string up = "d" + bencode::string("..") + "d" + bencode::string("x") + leaf(10) + "ee";
  auto refused = alice_.request(add_file_line("g", "evil", 10, folder_info("evil", up)));
  EXPECT_EQ(refused.code, "BAD_FILE");
  EXPECT_NE(refused.text.find("unsafe path component '..'"), std::string::npos) << refused.text;
  const std::string v1 = "d" + bencode::string("files") + "ld" + bencode::string("length") +
                         bencode::integer(10) + bencode::string("path") + "l" +
                         bencode::string("..") + bencode::string("x") + "eee" +
                         bencode::string("name") + bencode::string("evil") +
                         bencode::string("piece length") + bencode::integer(16384) +
                         bencode::string("pieces") + bencode::string(std::string(20, 'p')) + "e";
  EXPECT_EQ(alice_.request(add_file_line("g", "evil", 10, v1)).code, "BAD_FILE");
  EXPECT_EQ(bob_.request("list_files g").data.size(), 2u);
}

TEST_F(FilesTracker, RemoveFileOnlyByItsSharerOrTheOwner) {
  line_client carol = tracker_.user("carol");
  ASSERT_TRUE(carol.request("join_group g").ok);
  ASSERT_TRUE(alice_.request("accept_request g carol").ok);
  const std::string b = info_dict("b.bin", 5000);
  const std::string c = info_dict("c d.bin", 10);
  ASSERT_TRUE(bob_.request(add_file_line("g", "b.bin", 5000, b)).ok);
  ASSERT_TRUE(bob_.request(add_file_line("g", "c d.bin", 10, c)).ok);

  // Each refusal, with its reason.
  auto not_sharer = carol.request("remove_file g b.bin");
  EXPECT_EQ(not_sharer.code, "NOT_OWNER");
  EXPECT_EQ(not_sharer.text, "only bob, who shared it, or the owner of g can remove b.bin");
  EXPECT_EQ(eve_.request("remove_file g b.bin").code, "NOT_MEMBER");
  EXPECT_EQ(bob_.request("remove_file g nothing.bin").code, "NO_SUCH_FILE");
  EXPECT_EQ(bob_.request("remove_file nogroup b.bin").code, "NO_SUCH_GROUP");
  EXPECT_EQ(bob_.request("remove_file g").code, "BAD_ARGUMENTS");
  EXPECT_EQ(bob_.request("remove_file g b.bin extra").code, "BAD_ARGUMENTS");
  EXPECT_EQ(bob_.request("remove_file bad/group b.bin").code, "BAD_NAME");
  EXPECT_EQ(bob_.request("list_files g").data.size(), 2u);

  // bob seeds b.bin; the owner removes it: its swarm ends, every other member hears of it.
  line_client http(tracker_.port(), false);
  const std::string bobs_key = passkey(bob_);
  EXPECT_EQ(get(http, announce_target(bobs_key, b, 'b', 7000, 0, "started")).body.find("failure"),
            std::string::npos);
  auto removed = alice_.request("remove_file g b.bin");
  ASSERT_TRUE(removed.ok) << removed.text;
  EXPECT_EQ(removed.text, "b.bin removed from g");
  for (auto* member : {&bob_, &carol}) {
    const auto e = event_named(*member, "FILE_REMOVED");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->text, "g b.bin alice");
  }
  EXPECT_NE(get(http, announce_target(bobs_key, b, 'b', 7000, 0)).body.find("unknown torrent"),
            std::string::npos);
  // No member, told nothing: her events came before her reply (the removal's fan-out ran
  // before alice's reply).
  EXPECT_TRUE(eve_.request("ping").ok);
  for (const auto& e : eve_.events()) EXPECT_NE(e.name, "FILE_REMOVED");

  // Its sharer may remove it too; the name is quoted in the event as in the request.
  ASSERT_TRUE(bob_.request("remove_file g \"c d.bin\"").ok);
  const auto e = event_named(alice_, "FILE_REMOVED");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->text, "g \"c d.bin\" bob");
  EXPECT_TRUE(bob_.request("list_files g").data.empty());
  EXPECT_EQ(bob_.request("remove_file g b.bin").code, "NO_SUCH_FILE");

  // The same content may be shared again: a new swarm, which takes announces.
  ASSERT_TRUE(carol.request(add_file_line("g", "b.bin", 5000, b)).ok);
  EXPECT_EQ(get(http, announce_target(bobs_key, b, 'b', 7000, 0)).body.find("failure"),
            std::string::npos);
  EXPECT_EQ(bob_.request("list_files g").data.at(0),
            "b.bin size=5000 uploader=carol mode=open seeders=1 leechers=0");
}

TEST(FilesTrackersSharingAStore, FileRemovedOnOneTrackerIsGoneOnTheOther) {
  SWARMHUB_REQUIRE_POSTGRES();
  ASSERT_GE(sodium_init(), 0);
  postgres_database database;
  tracker_process one({"--store", database.conninfo()});
  tracker_process two({"--store", database.conninfo()});
  auto alice = two.user("alice");
  auto bob = one.user("bob");
  ASSERT_TRUE(alice.request("create_group g").ok);
  ASSERT_TRUE(bob.request("join_group g").ok);
  ASSERT_TRUE(alice.request("accept_request g bob").ok);
  const std::string info = info_dict("shared.bin", 5000);
  ASSERT_TRUE(bob.request(add_file_line("g", "shared.bin", 5000, info)).ok);
  const std::string bobs_key = bob.request("passkey").text;
  line_client http(one.port(), false);
  EXPECT_EQ(get(http, announce_in("g", bobs_key, info, 'b', 7000, 0, "started")).body.find("fail"),
            std::string::npos);
  auto carol = two.user("carol");  // no member
  EXPECT_EQ(carol.request("remove_file g shared.bin").code, "NOT_MEMBER");

  // The owner removes it on tracker two: bob hears of it on tracker one, whose swarm is gone.
  ASSERT_TRUE(alice.request("remove_file g shared.bin").ok);
  const auto e = event_named(bob, "FILE_REMOVED");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->text, "g shared.bin alice");
  EXPECT_NE(get(http, announce_in("g", bobs_key, info, 'b', 7000, 0)).body.find("unknown torrent"),
            std::string::npos);
  EXPECT_TRUE(bob.request("list_files g").data.empty());
}

}  // namespace
}  // namespace swarmhub::test
