// Private files at rest: directories 0700, files created 0600 whatever the umask, and a
// warning (not a silent change) for anything looser that already exists.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "process.hpp"
#include "swarmhub/net/secure_files.hpp"

namespace swarmhub::net {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Runs `body` with umask 0, so that only the modes the code asks for count.
template <class F>
void with_open_umask(F body) {
  const mode_t old = ::umask(0);
  body();
  ::umask(old);
}

TEST(SecureFiles, MakesPrivateDirectoriesAndWarnsAboutLooseOnes) {
  test::temp_dir dir;
  with_open_umask([&] {
    EXPECT_EQ(make_private_dir(dir.file("a/b/data")), "");
    EXPECT_EQ(mode_of(dir.file("a/b/data")), 0700u);
    EXPECT_EQ(make_private_dir(dir.file("a/b/data")), "");  // existing and private
  });
  ASSERT_EQ(::chmod(dir.file("a/b/data").c_str(), 0755), 0);
  const auto warning = make_private_dir(dir.file("a/b/data"));
  EXPECT_NE(warning.find("has mode 0755"), std::string::npos) << warning;
  EXPECT_NE(warning.find("chmod 700 " + dir.file("a/b/data")), std::string::npos) << warning;
  EXPECT_EQ(mode_of(dir.file("a/b/data")), 0755u);  // reported, not changed

  std::ofstream(dir.file("plain")) << "x";
  EXPECT_THROW(make_private_dir(dir.file("plain")), std::system_error);
}

TEST(SecureFiles, ChecksFiles) {
  test::temp_dir dir;
  EXPECT_EQ(check_private_file(dir.file("missing")), "");
  std::ofstream(dir.file("f")) << "x";
  ASSERT_EQ(::chmod(dir.file("f").c_str(), 0600), 0);
  EXPECT_EQ(check_private_file(dir.file("f")), "");
  ASSERT_EQ(::chmod(dir.file("f").c_str(), 0640), 0);
  const auto warning = check_private_file(dir.file("f"));
  EXPECT_NE(warning.find("has mode 0640"), std::string::npos) << warning;
  EXPECT_NE(warning.find("chmod 600 " + dir.file("f")), std::string::npos) << warning;
}

TEST(SecureFiles, CreatesFilesPrivateWhateverTheUmask) {
  test::temp_dir dir;
  with_open_umask([&] {
    EXPECT_EQ(write_private_file(dir.file("secret"), "one"), "");
    EXPECT_EQ(mode_of(dir.file("secret")), 0600u);
    EXPECT_EQ(write_private_file(dir.file("secret"), "two"), "");
    EXPECT_EQ(test::read_file(dir.file("secret")), "two");
    EXPECT_EQ(mode_of(dir.file("secret")), 0600u);

    EXPECT_EQ(append_private_file(dir.file("log"), "a\n"), "");
    EXPECT_EQ(append_private_file(dir.file("log"), "b\n"), "");
    EXPECT_EQ(test::read_file(dir.file("log")), "a\nb\n");
    EXPECT_EQ(mode_of(dir.file("log")), 0600u);

    const int fd = open_private_file(dir.file("log"), O_WRONLY | O_EXCL);
    EXPECT_EQ(fd, -1);
    EXPECT_EQ(errno, EEXIST);
  });
  EXPECT_NE(write_private_file(dir.file("no/such/dir/secret"), "x"), "");
}

TEST(SecureFiles, NeverFollowsASymlinkPlantedAtTheName) {
  test::temp_dir dir;
  std::ofstream(dir.file("target")) << "keep";
  ASSERT_EQ(::symlink(dir.file("target").c_str(), dir.file("link").c_str()), 0);
  EXPECT_NE(append_private_file(dir.file("link"), "x"), "");
  EXPECT_EQ(test::read_file(dir.file("target")), "keep");
}

}  // namespace
}  // namespace swarmhub::net
