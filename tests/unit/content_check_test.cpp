// The check before DONE: a file read back from disk against its metadata's hashes, v1, v2 and
// hybrid, single files and folders, on one thread and several.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stop_token>

#include <unistd.h>

#include "swarmhub/p2p/content_check.hpp"
#include "swarmhub/p2p/engine.hpp"

namespace swarmhub {
namespace {

namespace fs = std::filesystem;
using p2p::torrent_format;

constexpr torrent_format every_format[] = {torrent_format::v1, torrent_format::v2,
                                           torrent_format::hybrid};

class ContentCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("content-check-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file of `size` random bytes at `name` under the test's folder.
  std::string make_file(const std::string& name, std::size_t size, unsigned seed) const {
    const auto path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::string bytes(size, '\0');
    std::mt19937 random(seed);
    for (auto& b : bytes) b = static_cast<char>(random());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    return path.string();
  }

  std::string dir() const { return dir_.string(); }

 private:
  fs::path dir_;
};

void flip_byte(const std::string& path, std::streamoff at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x20));
}

TEST_F(ContentCheck, AWholeFileMatchesInEveryFormatAndSizeOnOneThreadOrSeveral) {
  // One block, around a block, whole and partial 1 MiB subtrees of the check, several of them.
  const std::size_t sizes[] = {
      1, 16384, 16385, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 5, 5 * (1 << 20) - 16384};
  for (const auto size : sizes) {
    const auto path = make_file("f.bin", size, static_cast<unsigned>(size));
    for (const auto format : every_format) {
      const auto meta = p2p::describe_file(path, format);
      for (const unsigned threads : {1U, 3U}) {
        EXPECT_TRUE(p2p::content_matches(meta.info, path, threads))
            << size << " bytes, format " << static_cast<int>(format) << ", " << threads;
      }
    }
  }
}

TEST_F(ContentCheck, OneChangedByteAnywhereIsFound) {
  const std::size_t size = 3 * (1 << 20) + 5;
  const auto path = make_file("f.bin", size, 7);
  for (const auto format : every_format) {
    const auto meta = p2p::describe_file(path, format);
    for (const std::streamoff at :
         {0L, 16383L, 16384L, (1L << 20) + 9, static_cast<long>(size) - 1}) {
      flip_byte(path, at);
      EXPECT_FALSE(p2p::content_matches(meta.info, path, 2))
          << "byte " << at << ", format " << static_cast<int>(format);
      flip_byte(path, at);
    }
    EXPECT_TRUE(p2p::content_matches(meta.info, path, 2));
  }
}

TEST_F(ContentCheck, AShortLongerOrMissingFileDoesNotMatch) {
  const auto path = make_file("f.bin", (1 << 20) + 100, 3);
  for (const auto format : every_format) {
    const auto meta = p2p::describe_file(path, format);
    fs::resize_file(path, (1 << 20) + 99);
    EXPECT_FALSE(p2p::content_matches(meta.info, path, 2)) << static_cast<int>(format);
    fs::resize_file(path, (1 << 20) + 100);
    fs::rename(path, path + ".away");
    EXPECT_FALSE(p2p::content_matches(meta.info, path, 2)) << static_cast<int>(format);
    fs::rename(path + ".away", path);
  }
  // Bytes past the end are not the file's: libtorrent's own check ignores them too.
  const auto meta = p2p::describe_file(path, torrent_format::v2);
  std::ofstream(path, std::ios::binary | std::ios::app) << "more";
  EXPECT_TRUE(p2p::content_matches(meta.info, path, 2));
}

TEST_F(ContentCheck, AFoldersFilesAreCheckedAcrossPiecesAndPadding) {
  // v1 pieces span files; v2 and hybrid files start at pieces (hybrid: pad files between).
  make_file("shared/a.bin", 40000, 1);
  make_file("shared/b.bin", (1 << 20) + 3, 2);
  const auto last = make_file("shared/sub/c.bin", 70000, 3);
  for (const auto format : every_format) {
    const auto meta = p2p::describe_file(dir() + "/shared", format);
    EXPECT_TRUE(p2p::content_matches(meta.info, dir() + "/shared", 2)) << static_cast<int>(format);
    flip_byte(last, 69999);
    EXPECT_FALSE(p2p::content_matches(meta.info, dir() + "/shared", 2)) << static_cast<int>(format);
    flip_byte(last, 69999);
  }
}

// A download saved under another name (the destination named a file, or the folder's top):
// the check reads what is there, not a file of the metadata's name beside it.
TEST_F(ContentCheck, ContentUnderAnotherNameIsReadWhereItIs) {
  const auto original = make_file("f.bin", (1 << 20) + 7, 11);
  const auto renamed = dir() + "/renamed.bin";
  fs::copy_file(original, renamed);
  make_file("shared/a.bin", 30000, 12);
  const auto inside = make_file("shared/sub/b.bin", 50000, 13);
  fs::copy(dir() + "/shared", dir() + "/other", fs::copy_options::recursive);
  for (const auto format : every_format) {
    const auto file = p2p::describe_file(original, format);
    EXPECT_TRUE(p2p::content_matches(file.info, renamed, 2)) << static_cast<int>(format);
    flip_byte(renamed, 5);
    EXPECT_FALSE(p2p::content_matches(file.info, renamed, 2)) << static_cast<int>(format);
    flip_byte(renamed, 5);
    const auto folder = p2p::describe_file(dir() + "/shared", format);
    const auto moved = dir() + "/other/sub/b.bin";
    EXPECT_TRUE(p2p::content_matches(folder.info, dir() + "/other", 2)) << static_cast<int>(format);
    flip_byte(moved, 49999);
    EXPECT_FALSE(p2p::content_matches(folder.info, dir() + "/other", 2))
        << static_cast<int>(format);
    flip_byte(moved, 49999);
  }
  EXPECT_TRUE(p2p::content_matches(p2p::describe_file(inside).info, inside, 1));
}

TEST_F(ContentCheck, AStoppedCheckOrNoMetadataIsNoMatch) {
  const auto path = make_file("f.bin", 2 << 20, 5);
  const auto meta = p2p::describe_file(path, torrent_format::v2);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_FALSE(p2p::content_matches(meta.info, path, 2, stop.get_token()));
  EXPECT_FALSE(p2p::content_matches("", path, 2));
  EXPECT_FALSE(p2p::content_matches("d4:name1:xe", path, 2));
}

}  // namespace
}  // namespace swarmhub
