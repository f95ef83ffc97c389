#include "swarmhub/net/secure_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace swarmhub::net {
namespace {

constexpr mode_t group_other_bits = 077;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Writes all of `bytes` to `fd`; false with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::string make_private_dir(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path dir(path);
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (ec) throw std::system_error(ec, "cannot create " + dir.parent_path().string());
  }
  if (::mkdir(path.c_str(), 0700) == 0) return "";
  if (errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "cannot create " + path);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot inspect " + path);
  if (!S_ISDIR(st.st_mode))
    throw std::system_error(std::make_error_code(std::errc::not_a_directory), path);
  if ((st.st_mode & group_other_bits) == 0) return "";
  return "directory " + path + " has mode " + octal(st.st_mode) +
         ": other local users may read it; run: chmod 700 " + path;
}

std::string check_private_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & group_other_bits) == 0) return "";
  return "file " + path + " has mode " + octal(st.st_mode) +
         ": other local users may read it; run: chmod 600 " + path;
}

int open_private_file(const std::string& path, int flags) {
  return ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

std::string write_private_file(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());  // a leftover of a run that died; O_EXCL below refuses reuse
  const int fd = open_private_file(temporary, O_WRONLY | O_EXCL);
  if (fd < 0) return errno_text("cannot create", temporary);
  const bool written = write_all(fd, bytes) && ::fsync(fd) == 0;
  const std::string error = written ? "" : errno_text("cannot write", temporary);
  ::close(fd);
  if (written && ::rename(temporary.c_str(), path.c_str()) == 0) return "";
  const std::string why = written ? errno_text("cannot rename onto", path) : error;
  ::unlink(temporary.c_str());
  return why;
}

std::string append_private_file(const std::string& path, std::string_view bytes) {
  const int fd = open_private_file(path, O_WRONLY | O_APPEND);
  if (fd < 0) return errno_text("cannot open", path);
  const bool written = write_all(fd, bytes);
  const std::string error = written ? "" : errno_text("cannot write", path);
  ::close(fd);
  return error;
}

}  // namespace swarmhub::net
