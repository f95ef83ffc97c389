#include "swarmhub/store/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

namespace {

// Warns about the directory's files (and those of its subdirectories, tls/) that other local
// users may read: they were made by an older tracker or by hand. The directory itself is
// checked when it is made.
void warn_about_loose_files(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string path = it->path().string();
    std::string warning;
    if (it->is_directory(ec)) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        warning = "directory " + path + " may be read by other local users; run: chmod 700 " + path;
    } else {
      warning = net::check_private_file(path);
    }
    if (!warning.empty()) spdlog::warn("{}", warning);
  }
}

}  // namespace

data_dir::data_dir(std::string path) : path_(std::move(path)) {
  try {
    if (const auto warning = net::make_private_dir(path_); !warning.empty())
      spdlog::warn("{}", warning);
  } catch (const std::system_error& e) {
    throw store_failure("cannot create data directory " + path_ + ": " + e.what());
  }
  warn_about_loose_files(path_);
  const std::string lock_path = file("tracker.lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) throw store_failure("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw store_failure("data directory " + path_ + " is in use by another tracker (pid " +
                        (n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "?") +
                        "); give each tracker its own --data-dir");
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(lock_fd_, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(lock_fd_, pid.data(), pid.size(), 0);
  }
}

data_dir::~data_dir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the lock
}

}  // namespace swarmhub::store
