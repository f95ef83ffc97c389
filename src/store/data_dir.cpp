#include "swarmhub/store/data_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

data_dir::data_dir(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  std::filesystem::create_directories(path_, ec);
  if (ec) throw store_failure("cannot create data directory " + path_ + ": " + ec.message());
  const std::string lock_path = file("tracker.lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
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
