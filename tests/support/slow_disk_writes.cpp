// LD_PRELOAD shim for tests: every pwrite() sleeps first (SWARMHUB_SLOW_WRITE_US microseconds,
// 2000 unless set), as on a disk that many downloads keep busy. A piece then passes its hash
// well before its last block is written, the window in which libtorrent 2.0.8 could count a
// piece twice (src/p2p/engine.cpp, torrent_finished_alert).

#include <dlfcn.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

namespace {

using pwrite_fn = ssize_t (*)(int, const void*, size_t, off_t);

ssize_t slow_pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  static const auto real = reinterpret_cast<pwrite_fn>(dlsym(RTLD_NEXT, "pwrite64"));
  static const long delay_us = [] {
    const char* text = std::getenv("SWARMHUB_SLOW_WRITE_US");
    return text != nullptr ? std::atol(text) : 2000L;
  }();
  timespec pause{delay_us / 1'000'000, (delay_us % 1'000'000) * 1000};
  nanosleep(&pause, nullptr);
  return real(fd, buffer, count, offset);
}

}  // namespace

extern "C" ssize_t pwrite64(int fd, const void* buffer, size_t count, off_t offset) {
  return slow_pwrite(fd, buffer, count, offset);
}

extern "C" ssize_t pwrite(int fd, const void* buffer, size_t count, off_t offset) {
  return slow_pwrite(fd, buffer, count, offset);
}
