// What an info dictionary names (proto/info_files.hpp): single files and folders, v1, v2 and
// hybrid, and every unsafe path refused before any file is written.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "swarmhub/proto/info_files.hpp"

namespace swarmhub::proto {
namespace {

std::string str(const std::string& s) {
  return std::to_string(s.size()) + ":" + s;
}

std::string num(long long n) {
  return "i" + std::to_string(n) + "e";
}

// A v2 leaf: { "": { length, pieces root } }.
std::string leaf(long long length) {
  return "d0:d6:length" + num(length) + "11:pieces root" + str(std::string(32, 'r')) + "ee";
}

// v2 info: `tree` is the bencoded file tree.
std::string v2_info(const std::string& name, const std::string& tree) {
  return "d9:file tree" + tree + "12:meta version" + num(2) + "4:name" + str(name) +
         "12:piece length" + num(16384) + "e";
}

struct v1_entry {
  std::vector<std::string> path;
  long long length;
  bool pad = false;
};

// v1 folder info with enough pieces for `total` bytes.
std::string v1_folder(const std::string& name, const std::vector<v1_entry>& files) {
  std::string list = "l";
  long long total = 0;
  for (const auto& f : files) {
    list += "d";
    if (f.pad) list += "4:attr1:p";
    list += "6:length" + num(f.length) + "4:pathl";
    for (const auto& p : f.path) list += str(p);
    list += "ee";
    total += f.length;
  }
  list += "e";
  const long long pieces = (total + 16383) / 16384;
  return "d5:files" + list + "4:name" + str(name) + "12:piece length" + num(16384) + "6:pieces" +
         str(std::string(static_cast<std::size_t>(20 * pieces), 'h')) + "e";
}

TEST(InfoFiles, SingleV2File) {
  const auto c = read_info_files(v2_info("a.bin", "d5:a.bin" + leaf(100) + "e"));
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.name, "a.bin");
  EXPECT_FALSE(c.folder);
  ASSERT_EQ(c.files.size(), 1U);
  EXPECT_TRUE(c.files[0].path.empty());
  EXPECT_EQ(c.size, 100);
}

TEST(InfoFiles, ASealedFileCarriesItsGroupsCertificate) {
  const std::string open = v2_info("a.bin", "d5:a.bin" + leaf(5) + "e");
  EXPECT_FALSE(ssl_cert_of(open).has_value());
  std::string sealed = open;
  sealed.insert(sealed.size() - 1, "8:ssl-cert" + str("-----BEGIN CERTIFICATE-----"));
  EXPECT_EQ(ssl_cert_of(sealed).value_or(""), "-----BEGIN CERTIFICATE-----");
  // Only the dictionary's own key counts, not those bytes in a name.
  EXPECT_FALSE(ssl_cert_of(v2_info("8:ssl-cert", "d10:8:ssl-cert" + leaf(5) + "e")).has_value());
  EXPECT_FALSE(ssl_cert_of("not bencode").has_value());
}

TEST(InfoFiles, NestedV2Folder) {
  const auto tree =
      "d5:a.txt" + leaf(3) + "3:subd5:b.txt" + leaf(4) + "4:deepd5:c.txt" + leaf(5) + "eee";
  const auto c = read_info_files(v2_info("photos", tree));
  ASSERT_EQ(c.error, "");
  EXPECT_TRUE(c.folder);
  ASSERT_EQ(c.files.size(), 3U);
  EXPECT_EQ(c.files[0].path, (std::vector<std::string>{"a.txt"}));
  EXPECT_EQ(c.files[1].path, (std::vector<std::string>{"sub", "b.txt"}));
  EXPECT_EQ(c.files[2].path, (std::vector<std::string>{"sub", "deep", "c.txt"}));
  EXPECT_EQ(c.size, 12);
}

TEST(InfoFiles, V1FolderWithoutItsPadFiles) {
  const auto c = read_info_files(
      v1_folder("rel", {{{"a"}, 10}, {{".pad", "16374"}, 16374, true}, {{"docs", "b"}, 20}}));
  ASSERT_EQ(c.error, "");
  EXPECT_TRUE(c.folder);
  EXPECT_EQ(c.files.size(), 2U);
  EXPECT_EQ(c.size, 30);
  EXPECT_EQ(c.v1_length, 16404);
}

TEST(InfoFiles, EveryUnsafeComponentIsRefused) {
  const std::vector<std::string> unsafe = {"..",
                                           ".",
                                           "",
                                           "a/b",
                                           "a\\b",
                                           "bell\a",
                                           "\xe2\x80\xae"
                                           "gpj.exe",
                                           "\xe2\x81\xa6"
                                           "x",
                                           std::string("nul\0x", 5),
                                           "\xff\xfe",
                                           std::string(256, 'n')};
  for (const auto& bad : unsafe) {
    SCOPED_TRACE(testing::PrintToString(bad));
    // In a v1 folder's path, at the top and deeper down.
    EXPECT_NE(read_info_files(v1_folder("rel", {{{bad}, 5}})).error, "");
    EXPECT_NE(read_info_files(v1_folder("rel", {{{"ok", bad, "x"}, 5}})).error, "");
    // As a v2 tree's key, at the top and deeper down.
    EXPECT_NE(read_info_files(v2_info("rel", "d" + str(bad) + leaf(5) + "e")).error, "");
    EXPECT_NE(read_info_files(v2_info("rel", "d2:okd" + str(bad) + leaf(5) + "ee")).error, "");
    // As the name of the torrent itself.
    EXPECT_NE(read_info_files(v1_folder(bad, {{{"a"}, 5}})).error, "");
  }
}

TEST(InfoFiles, DotDotSaysWhatIsWrong) {
  const auto c = read_info_files(v1_folder("rel", {{{"..", "..", "etc", "passwd"}, 5}}));
  EXPECT_NE(c.error.find("unsafe path component '..'"), std::string::npos) << c.error;
}

TEST(InfoFiles, MalformedEntriesAreRefused) {
  EXPECT_NE(read_info_files("not bencode").error, "");
  EXPECT_NE(read_info_files("de").error, "");
  EXPECT_NE(read_info_files(v2_info("rel", "de")).error, "");                       // empty tree
  EXPECT_NE(read_info_files(v2_info("rel", "d1:ad0:d6:lengthi-1eeee")).error, "");  // negative
  EXPECT_NE(read_info_files(v1_folder("rel", {{{}, 5}})).error, "");                // no path
  EXPECT_NE(read_info_files("d5:filesle4:name3:rel12:piece lengthi16384e6:pieces0:e").error, "");
}

TEST(InfoFiles, HybridPartsMustAgree) {
  const std::string v1_part =
      "5:filesld6:length" + num(5) + "4:pathl1:aeed6:length" + num(6) + "4:pathl1:beee";
  const auto hybrid = [&](const std::string& tree) {
    return "d9:file tree" + tree + v1_part + "12:meta version" + num(2) + "4:name" + str("rel") +
           "12:piece length" + num(16384) + "6:pieces" + str(std::string(20, 'h')) + "e";
  };
  EXPECT_EQ(read_info_files(hybrid("d1:a" + leaf(5) + "1:b" + leaf(6) + "e")).error, "");
  EXPECT_NE(read_info_files(hybrid("d1:a" + leaf(5) + "1:c" + leaf(6) + "e")).error, "");
  EXPECT_NE(read_info_files(hybrid("d1:a" + leaf(5) + "1:b" + leaf(7) + "e")).error, "");
}

TEST(InfoFiles, TooDeepIsRefused) {
  std::string tree = leaf(1);
  for (int i = 0; i < max_info_depth + 2; ++i) tree = "d1:d" + tree + "e";
  EXPECT_NE(read_info_files(v2_info("rel", tree)).error, "");
}

}  // namespace
}  // namespace swarmhub::proto
