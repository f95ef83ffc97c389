// Paths as typed (`~`), copies of files, sizes for people.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "process.hpp"
#include "swarmhub/util/paths.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::util {
namespace {

TEST(ExpandTilde, HomeAndBelowItOnly) {
  EXPECT_EQ(expand_tilde("~", "/home/ann"), "/home/ann");
  EXPECT_EQ(expand_tilde("~/", "/home/ann"), "/home/ann/");
  EXPECT_EQ(expand_tilde("~/Downloads", "/home/ann"), "/home/ann/Downloads");
  EXPECT_EQ(expand_tilde("~/x.bin", "/home/ann/"), "/home/ann/x.bin");
  EXPECT_EQ(expand_tilde("~bob/x", "/home/ann"), "~bob/x");
  EXPECT_EQ(expand_tilde("a/~/x", "/home/ann"), "a/~/x");
  EXPECT_EQ(expand_tilde("/tmp/x", "/home/ann"), "/tmp/x");
  EXPECT_EQ(expand_tilde("", "/home/ann"), "");
  EXPECT_EQ(expand_tilde("~/x", ""), "~/x");
}

TEST(ExpandTilde, UsesHome) {
  const char* before = std::getenv("HOME");
  const std::string saved = before ? before : "";
  ::setenv("HOME", "/home/zoe", 1);
  EXPECT_EQ(expand_tilde("~/slides.pdf"), "/home/zoe/slides.pdf");
  if (before) ::setenv("HOME", saved.c_str(), 1);
}

TEST(CloneFile, SameBytesAtTheNewPlaceAndNeverOverwrites) {
  test::temp_dir dir;
  { std::ofstream(dir.file("a")) << "some content"; }
  const auto made = clone_file(dir.file("a"), dir.file("b"));
  EXPECT_TRUE(made.error.empty()) << made.error;
  EXPECT_EQ(test::read_file(dir.file("b")), "some content");
  EXPECT_FALSE(clone_file(dir.file("a"), dir.file("b")).error.empty());
  EXPECT_FALSE(clone_file(dir.file("missing"), dir.file("c")).error.empty());
}

TEST(HumanSize, BinaryUnitsOneDecimal) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(1023), "1023 B");
  EXPECT_EQ(human_size(1024), "1.0 KiB");
  EXPECT_EQ(human_size(4'823'449), "4.6 MiB");
  EXPECT_EQ(human_size(209'715'200), "200.0 MiB");
  EXPECT_EQ(human_size(3LL << 40), "3.0 TiB");
}

}  // namespace
}  // namespace swarmhub::util
