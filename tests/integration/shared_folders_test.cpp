// Issue 17: a folder shared as one torrent (upload_file <dir>), downloaded as the same tree,
// every byte compared; a hostile tracker's folder that reaches out of its destination is
// refused; remove_file ends a file's swarm and its sharers stop sharing it.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <filesystem>
#include <map>

#include "client_process.hpp"
#include "fake_tracker.hpp"
#include "swarmhub/proto/http.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace fs = std::filesystem;
namespace bencode = proto::bencode;

// Every file below `top` (symbolic links too), by its path relative to `top`, with its bytes.
std::map<std::string, std::string> tree_of(const fs::path& top) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const auto rel = fs::path(it->path()).lexically_relative(top).string();
    if (it->is_symlink()) {
      out[rel] = "<symlink>";
    } else if (it->is_regular_file()) {
      out[rel] = read_file(it->path().string());
    } else {
      out[rel + "/"] = "";
    }
  }
  return out;
}

// A release: files at the top, in sub-folders two deep, an empty one, names with spaces and
// letters beyond ASCII.
void make_release(const fs::path& top) {
  fs::create_directories(top / "docs" / "html");
  fs::create_directories(top / "bin");
  make_file((top / "README").string(), 1234, 1);
  make_file((top / "docs" / "manual ü.pdf").string(), 700 * 1024 + 3, 2);
  make_file((top / "docs" / "html" / "index.html").string(), 40'000, 3);
  make_file((top / "bin" / "tool").string(), 2 * 1024 * 1024 + 11, 4);
  make_file((top / "bin" / "empty.cfg").string(), 0, 5);
}

class SharedFolders : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_.log_in("alice");
    bob_.log_in("bob");
    ASSERT_TRUE(alice_.request("create_group g").ok);
    ASSERT_TRUE(bob_.request("join_group g").ok);
    ASSERT_TRUE(alice_.request("accept_request g bob").ok);
  }

  // alice shares a release in g with `flags`; bob downloads it under another name, then
  // (having it now) into a folder of his; both trees are the release's, byte for byte.
  // `v2`: the torrent has v2 hashes (a sealed group's), so the tracker has its files' piece
  // layers (v1 metadata carries every piece hash itself).
  void share_and_fetch(const std::string& flags, bool v2 = true) {
    const fs::path release = dir_.file("a/release 1.0");
    make_release(release);
    auto up = alice_.request("upload_file \"" + release.string() + "/\" g" + flags, 120s);
    ASSERT_TRUE(up.ok) << up.code << " " << up.text;
    auto list = bob_.request("list_files g");
    ASSERT_EQ(list.data.size(), 1u);
    EXPECT_TRUE(list.data[0].starts_with("\"release 1.0\" 2.7 MiB uploader=alice")) << list.data[0];
    EXPECT_TRUE(list.data[0].ends_with(" files=5")) << list.data[0];
    // The layers of bin/tool and of the manual (the other files are one piece or none).
    const auto layers = bob_.request("piece_layers g \"release 1.0\"");
    EXPECT_EQ(layers.data.empty(), !v2) << layers.text;

    fs::create_directories(dir_.file("b"));
    const std::string renamed = dir_.file("b/renamed");
    auto down = bob_.request("download_file g \"release 1.0\" " + renamed);
    ASSERT_TRUE(down.ok) << down.text;
    auto waited = bob_.request("wait_downloads 120", 130s);
    ASSERT_TRUE(waited.ok) << waited.text;
    // Every file's piece hashes came from the tracker with the torrent, none from alice: a
    // hybrid folder's pieces passed by their v1 hash before their v2 hashes came made
    // libtorrent 2.0.8 fail it ("v1 and v2 hashes do not describe the same data").
    auto shown = bob_.request("show_downloads");
    ASSERT_EQ(shown.data.size(), 1u);
    EXPECT_TRUE(shown.data[0].ends_with(" hashes=known")) << shown.data[0];
    const auto want = tree_of(release);
    EXPECT_EQ(want.size(), 8u);  // 5 files, 3 folders
    EXPECT_EQ(tree_of(renamed), want);

    auto again = bob_.request("download_file g \"release 1.0\" " + dir_.file("b"));
    ASSERT_TRUE(again.ok) << again.text;
    EXPECT_NE(again.text.find("is here already"), std::string::npos) << again.text;
    EXPECT_EQ(tree_of(dir_.file("b/release 1.0")), want);
    auto verified = bob_.request("verify g \"release 1.0\"", 60s);
    EXPECT_TRUE(verified.ok) << verified.text;
  }

  temp_dir dir_;
  tracker_process tracker_;
  client_process alice_{tracker_.client_address()};
  client_process bob_{tracker_.client_address()};
};

TEST_F(SharedFolders, ASealedGroupsFolderArrivesWhole) {
  share_and_fetch("");
}

TEST_F(SharedFolders, AHybridFolderArrivesWhole) {
  share_and_fetch(" --hybrid");
}

TEST_F(SharedFolders, AnOpenGroupsFolderArrivesWholeAndHasATorrentFile) {
  ASSERT_TRUE(alice_.request("group_mode g open").ok);
  share_and_fetch("", false);
  auto wrote = bob_.request("torrent_file g \"release 1.0\" " + dir_.path());
  ASSERT_TRUE(wrote.ok) << wrote.text;
  const std::string torrent = read_file(dir_.file("release 1.0.torrent"));
  EXPECT_NE(torrent.find("5:filesl"), std::string::npos);  // a v1 folder: its file list
  auto magnet = bob_.request("magnet g \"release 1.0\"");
  ASSERT_TRUE(magnet.ok) << magnet.text;
  EXPECT_NE(magnet.data.at(0).find("dn=release%201.0"), std::string::npos) << magnet.data.at(0);
}

TEST_F(SharedFolders, WhatCannotBeSharedAsAFolderIsRefusedWithTheReason) {
  fs::create_directories(dir_.file("empty"));
  auto empty = alice_.request("upload_file " + dir_.file("empty") + " g");
  EXPECT_EQ(empty.code, "BAD_FILE");
  EXPECT_NE(empty.text.find("holds no files"), std::string::npos) << empty.text;

  fs::create_directories(dir_.file("linked/sub"));
  make_file(dir_.file("linked/sub/f"), 100, 1);
  fs::create_symlink("/etc/passwd", dir_.file("linked/sub/passwd"));
  auto linked = alice_.request("upload_file " + dir_.file("linked") + " g");
  EXPECT_EQ(linked.code, "BAD_FILE");
  EXPECT_NE(linked.text.find("symbolic link"), std::string::npos) << linked.text;
  EXPECT_TRUE(alice_.request("list_files g").data.empty());
}

TEST_F(SharedFolders, RemoveFileStopsEverySharerAndLeavesTheCopies) {
  make_file(dir_.file("f.bin"), 300'000, 9);
  ASSERT_TRUE(alice_.request("upload_file " + dir_.file("f.bin") + " g").ok);
  fs::create_directories(dir_.file("b"));
  ASSERT_TRUE(bob_.request("download_file g f.bin " + dir_.file("b")).ok);
  ASSERT_TRUE(bob_.request("wait_downloads 60", 70s).ok);
  ASSERT_EQ(bob_.show_count(), 1u);

  // Only its sharer or the owner: bob is neither.
  auto refused = bob_.request("remove_file g f.bin");
  EXPECT_EQ(refused.code, "NOT_OWNER");
  EXPECT_EQ(bob_.show_count(), 1u);

  ASSERT_TRUE(alice_.request("remove_file g f.bin").ok);
  EXPECT_EQ(alice_.show_count(), 0u);  // her own reply stops her share
  ASSERT_TRUE(bob_.wait_for_event("FILE_REMOVED"));
  EXPECT_EQ(bob_.events().back().text, "g f.bin alice");
  EXPECT_EQ(bob_.show_count(), 0u);
  EXPECT_TRUE(bob_.request("list_files g").data.empty());
  EXPECT_EQ(read_file(dir_.file("b/f.bin")), read_file(dir_.file("f.bin")));
}

// What a lying tracker says a folder holds.
std::string file_info_of(const std::string& name, const std::string& info) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(info.data()), info.size());
  std::string hex;
  for (const unsigned char b : digest) hex += fmt::format("{:02x}", b);
  std::string b64(sodium_base64_encoded_len(info.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(info.data()),
                    info.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.pop_back();
  return "- name " + name + "\n- size 5\n- info_hash " + hex + "\n- info " + b64 + "\nOK\n";
}

TEST(SharedFoldersDistrust, AFolderReachingOutOfItsDestinationIsRefused) {
  ASSERT_GE(sodium_init(), 0);
  fake_tracker fake;
  temp_dir dir;
  client_process client(fake.address());
  fake.answer("passkey", "OK " + std::string(32, 'a') + "\n");
  fake.answer("login", "OK logged in as alice\n* LOGGED_IN alice\n");
  ASSERT_TRUE(client.request("login alice secret1").ok);
  fs::create_directories(dir.file("got"));
  const auto leaf = "d" + bencode::string("") + "d" + bencode::string("length") +
                    bencode::integer(5) + bencode::string("pieces root") +
                    bencode::string(std::string(32, 'r')) + "ee";
  // v1: files/path ["..", "..", "escaped"]; v2: a file tree with ".." as a folder.
  const std::string v1 =
      "d" + bencode::string("files") + "ld" + bencode::string("length") + bencode::integer(5) +
      bencode::string("path") + "l" + bencode::string("..") + bencode::string("..") +
      bencode::string("escaped") + "eee" + bencode::string("name") + bencode::string("evil") +
      bencode::string("piece length") + bencode::integer(16384) + bencode::string("pieces") +
      bencode::string(std::string(20, 'p')) + "e";
  const std::string v2 = "d" + bencode::string("file tree") + "d" + bencode::string("..") + "d" +
                         bencode::string("escaped") + leaf + "ee" +
                         bencode::string("meta version") + bencode::integer(2) +
                         bencode::string("name") + bencode::string("evil") +
                         bencode::string("piece length") + bencode::integer(16384) + "e";
  for (const auto& info : {v1, v2}) {
    fake.answer("file_info", file_info_of("evil", info));
    const auto r = client.request("download_file g evil " + dir.file("got"), 20s);
    EXPECT_EQ(r.code, "BAD_FILE");
    EXPECT_NE(r.text.find("unsafe path component '..'"), std::string::npos) << r.text;
  }
  fake.answer("list_groups", "- g owner=alice members=1 mode=open\nOK 1 group\n");
  const auto t = client.request("torrent_file g evil " + dir.file("got"), 20s);
  EXPECT_EQ(t.code, "BAD_FILE") << t.text;
  EXPECT_EQ(tree_of(dir.path()), (std::map<std::string, std::string>{{"got/", ""}}));
  fake.answer("ping", "OK pong\n");
  EXPECT_TRUE(client.request("ping", 20s).ok);
}

}  // namespace
}  // namespace swarmhub::test
