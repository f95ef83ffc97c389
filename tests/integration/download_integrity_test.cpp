// Issue 16: a download is done only when the file on disk is whole; one that cannot progress
// fails with a reason; `verify` rechecks a file; rate limits hold on loopback.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "client_process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

// The first offset where the two files differ, or -1 when they are the same.
long long first_difference(const std::string& a, const std::string& b) {
  const std::string x = read_file(a);
  const std::string y = read_file(b);
  const auto n = std::min(x.size(), y.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return static_cast<long long>(i);
  }
  return x.size() == y.size() ? -1 : static_cast<long long>(n);
}

void overwrite(const std::string& path, std::streamoff at, std::size_t bytes, char with) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(at);
  f.write(std::string(bytes, with).data(), static_cast<std::streamsize>(bytes));
}

bool has_event(client_process& c, std::string_view name, std::string_view text_part) {
  for (const auto& e : c.events()) {
    if (e.name == name && e.text.find(text_part) != std::string::npos) return true;
  }
  return false;
}

// The stress test's size: 3 files for each of 3 leechers, 20 MiB each (what CI runs), unless
// SWARMHUB_STRESS="<files>,<leechers>,<MiB>" asks for more: "19,8,64" is 152 downloads of
// 64 MiB, the size of the stress issue 16 reports. Run it alone, e.g.
//   SWARMHUB_STRESS=19,8,64 build/dev/tests/integration_tests \
//     --gtest_filter='*StressPausedSeeder*'
struct stress_size {
  int files = 3;
  int leechers = 3;
  std::size_t mib = 20;
  // Seconds for each leecher's wait: two minutes for the CI size, more in proportion.
  int wait_seconds() const {
    const auto scale = static_cast<double>(files * leechers) * static_cast<double>(mib) / 180.0;
    return static_cast<int>(120 * std::max(1.0, scale));
  }
};

stress_size stress_size_from_environment() {
  stress_size size;
  if (const char* asked = std::getenv("SWARMHUB_STRESS")) {
    unsigned long long mib = 0;
    if (std::sscanf(asked, "%d,%d,%llu", &size.files, &size.leechers, &mib) != 3 ||
        size.files < 1 || size.leechers < 1 || mib < 1) {
      ADD_FAILURE() << "SWARMHUB_STRESS is <files>,<leechers>,<MiB>, not '" << asked << "'";
      return {};
    }
    size.mib = static_cast<std::size_t>(mib);
  }
  return size;
}

class DownloadIntegrity : public ::testing::Test {
 protected:
  void group_of(client_process& owner,
                std::vector<std::pair<client_process*, std::string>> others) {
    ASSERT_TRUE(owner.request("create_group g").ok);
    for (auto& [c, name] : others) {
      ASSERT_TRUE(c->request("join_group g").ok);
      ASSERT_TRUE(owner.request("accept_request g " + name).ok);
    }
  }
  std::string path(const std::string& name) { return dir_.file(name); }

  // Seconds from download_file to the end of wait_downloads of `bytes` from `seeder` to
  // `leecher`.
  double timed_download(client_process& seeder, client_process& leecher, std::size_t bytes) {
    fs::create_directories(path("a"));
    fs::create_directories(path("b"));
    make_file(path("a/data.bin"), bytes, 5);
    EXPECT_TRUE(seeder.request("upload_file " + path("a/data.bin") + " g").ok);
    const auto start = clock_type::now();
    EXPECT_TRUE(leecher.request("download_file g data.bin " + path("b")).ok);
    const auto waited = leecher.request("wait_downloads 60", 70s);
    EXPECT_TRUE(waited.ok) << waited.text;
    const std::chrono::duration<double> took = clock_type::now() - start;
    EXPECT_EQ(first_difference(path("a/data.bin"), path("b/data.bin")), -1);
    return took.count();
  }

  temp_dir dir_;
  tracker_process tracker_;
};

constexpr std::size_t mib = 1024 * 1024;

// 4 MiB at 1 MiB/s cannot take less than about 3 s (libtorrent's buckets start with up to a
// second's worth), though loopback peers are "local" to libtorrent.
TEST_F(DownloadIntegrity, TheUploadLimitHoldsOnLoopback) {
  client_process alice(tracker_.client_address(), {"--upload-limit", std::to_string(mib)});
  client_process bob(tracker_.client_address());
  alice.log_in("alice");
  bob.log_in("bob");
  group_of(alice, {{&bob, "bob"}});
  EXPECT_GE(timed_download(alice, bob, 4 * mib), 2.9);
}

TEST_F(DownloadIntegrity, TheDownloadLimitHoldsOnLoopback) {
  client_process alice(tracker_.client_address());
  client_process bob(tracker_.client_address(), {"--download-limit", std::to_string(mib)});
  alice.log_in("alice");
  bob.log_in("bob");
  group_of(alice, {{&bob, "bob"}});
  EXPECT_GE(timed_download(alice, bob, 4 * mib), 2.9);
}

TEST_F(DownloadIntegrity, VerifySaysWhetherAFileIsWhole) {
  client_process alice(tracker_.client_address());
  client_process bob(tracker_.client_address());
  alice.log_in("alice");
  bob.log_in("bob");
  group_of(alice, {{&bob, "bob"}});
  fs::create_directories(path("a"));
  fs::create_directories(path("b"));
  make_file(path("a/data.bin"), 8 * mib, 3);
  ASSERT_TRUE(alice.request("upload_file " + path("a/data.bin") + " g").ok);
  ASSERT_TRUE(bob.request("download_file g data.bin " + path("b")).ok);
  ASSERT_TRUE(bob.request("wait_downloads 60").ok);
  EXPECT_EQ(bob.request("verify g nothing.bin").code, "NO_SUCH_FILE");
  const auto whole = bob.request("verify g data.bin");
  EXPECT_TRUE(whole.ok) << whole.text;
  EXPECT_NE(whole.text.find("is whole"), std::string::npos) << whole.text;

  overwrite(path("b/data.bin"), 3 * mib + 100, 20'000, '\0');  // a hole, as in the issue
  const auto broken = bob.request("verify g data.bin");
  EXPECT_FALSE(broken.ok);
  EXPECT_NE(broken.text.find("not whole"), std::string::npos) << broken.text;
  // A download again (its re-fetch from a seeder is not shown here: see the report).
  const auto shown = bob.request("show_downloads");
  ASSERT_EQ(shown.data.size(), 1u);
  EXPECT_TRUE(shown.data[0].starts_with("[D] [g] data.bin")) << shown.data[0];
}

TEST_F(DownloadIntegrity, ADownloadWithNoPeerFailsWithAReason) {
  client_process alice(tracker_.client_address());
  client_process bob(tracker_.client_address(), {"--stall-timeout", "2"});
  alice.log_in("alice");
  bob.log_in("bob");
  group_of(alice, {{&bob, "bob"}});
  fs::create_directories(path("a"));
  fs::create_directories(path("b"));
  make_file(path("a/data.bin"), 2 * mib, 4);
  ASSERT_TRUE(alice.request("upload_file " + path("a/data.bin") + " g").ok);
  ASSERT_TRUE(alice.request("stop_share g data.bin").ok);  // registered, shared by nobody
  ASSERT_TRUE(bob.request("download_file g data.bin " + path("b")).ok);
  const auto waited = bob.request("wait_downloads 30");
  EXPECT_EQ(waited.code, "DOWNLOAD_FAILED") << waited.text;
  EXPECT_NE(waited.text.find("no peer for 2 s"), std::string::npos) << waited.text;
  EXPECT_TRUE(has_event(bob, "DOWNLOAD_FAILED", "no peer for 2 s"));
  const auto shown = bob.request("show_downloads");
  ASSERT_EQ(shown.data.size(), 1u);
  EXPECT_TRUE(shown.data[0].starts_with("[F] [g] data.bin")) << shown.data[0];
}

// Hybrid: see RottenPiecesFromAPeerAreRejectedByTheDownloader in file_sharing_test.cpp.
TEST_F(DownloadIntegrity, ADownloadWhoseOnlySeederHasRottenDataFailsWithAReason) {
  client_process liar(tracker_.client_address());
  client_process bob(tracker_.client_address(), {"--stall-timeout", "3"});
  liar.log_in("liar");
  bob.log_in("bob");
  group_of(liar, {{&bob, "bob"}});
  fs::create_directories(path("a"));
  fs::create_directories(path("b"));
  make_file(path("a/data.bin"), 4 * mib, 6);
  ASSERT_TRUE(liar.request("upload_file " + path("a/data.bin") + " g --hybrid").ok);
  overwrite(path("a/data.bin"), 0, 4 * mib, '\x55');  // every piece rots
  ASSERT_TRUE(bob.request("download_file g data.bin " + path("b")).ok);
  const auto waited = bob.request("wait_downloads 40", 50s);
  EXPECT_EQ(waited.code, "DOWNLOAD_FAILED") << waited.text;
  // The seeder's seed mode finds the rot and offers nothing: a stall either way.
  EXPECT_TRUE(has_event(bob, "DOWNLOAD_FAILED", " for 3 s")) << waited.text;
  const auto shown = bob.request("show_downloads");
  ASSERT_EQ(shown.data.size(), 1u);
  EXPECT_TRUE(shown.data[0].starts_with("[F] [g] data.bin")) << shown.data[0];
}

// The stress, made small enough for CI: a seeder paused and resumed (SIGSTOP and
// SIGCONT duty cycles), leechers starting mid-way and so also sending to each other, on a
// slow disk (every write of the leechers sleeps first: tests/support/slow_disk_writes.cpp);
// every DONE must mean every byte is right on disk. Slow writes widen the window in which
// libtorrent 2.0.8 passes a piece twice and "finishes" early (src/p2p/engine.cpp,
// torrent_finished_alert) when it asks peers for piece hashes; with the tracker's piece
// layer it asks none, so the check before DONE (kept) finds nothing missing: refetched=0.
TEST_F(DownloadIntegrity, StressPausedSeederLateLeechersEveryByteRight) {
#if defined(__SANITIZE_THREAD__)
  // Sixty megabytes through a paused seeder and slowed disks take minutes under TSan, whose
  // run of this test would time out rather than find a race the shorter tests do not.
  GTEST_SKIP() << "a stress test of timing; the other file-sharing tests run under TSan";
#endif
  const stress_size size = stress_size_from_environment();
  const int files = size.files;
  const int leechers = size.leechers;
  std::printf("stress: %d files of about %zu MiB for each of %d leechers\n", files, size.mib,
              leechers);
  client_process seeder(tracker_.client_address());
  seeder.log_in("seeder");
  std::vector<std::unique_ptr<client_process>> peers;
  std::vector<std::pair<client_process*, std::string>> members;
  // The leechers (started now) inherit it; the seeder and the tracker are already running.
  ASSERT_EQ(setenv("LD_PRELOAD", SWARMHUB_SLOW_WRITES_LIB, 1), 0);
  // Under ASan the shim comes before its runtime in the library list, which ASan refuses
  // unless told that the order is meant (the shim allocates nothing).
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_before = asan ? asan : "";
  setenv("ASAN_OPTIONS",
         (asan_before + (asan_before.empty() ? "" : ":") + "verify_asan_link_order=0").c_str(), 1);
  for (int i = 0; i < leechers; ++i) {
    peers.push_back(std::make_unique<client_process>(tracker_.client_address()));
    peers.back()->log_in("leecher" + std::to_string(i));
    members.emplace_back(peers.back().get(), "leecher" + std::to_string(i));
  }
  unsetenv("LD_PRELOAD");
  if (asan) {
    setenv("ASAN_OPTIONS", asan_before.c_str(), 1);
  } else {
    unsetenv("ASAN_OPTIONS");
  }
  group_of(seeder, members);
  fs::create_directories(path("src"));
  for (int f = 0; f < files; ++f) {
    const std::string name = "f" + std::to_string(f) + ".bin";
    make_file(path("src/" + name), size.mib * mib + 4096 * static_cast<std::size_t>(f) + 7,
              100 + static_cast<unsigned>(f));
    ASSERT_TRUE(seeder.request("upload_file " + path("src/" + name) + " g").ok);
  }
  std::atomic<bool> stop_cycling{false};
  std::thread cycling([&] {
    while (!stop_cycling) {
      seeder.proc().signal(SIGSTOP);
      std::this_thread::sleep_for(150ms);  // the fault itself, not a synchronisation
      seeder.proc().signal(SIGCONT);
      std::this_thread::sleep_for(100ms);
    }
    seeder.proc().signal(SIGCONT);
  });
  for (int i = 0; i < leechers; ++i) {
    const std::string to = path("got" + std::to_string(i));
    fs::create_directories(to);
    for (int f = 0; f < files; ++f) {
      ASSERT_TRUE(peers[i]->request("download_file g f" + std::to_string(f) + ".bin " + to).ok);
    }
    if (i + 1 < leechers) {  // the next one starts once this one is under way
      for (const auto deadline = clock_type::now() + 20s; clock_type::now() < deadline;) {
        const auto shown = peers[i]->request("show_downloads");
        if (shown.data.empty() || shown.data[0].find(" 0.0%") == std::string::npos) break;
      }
    }
  }
  for (auto& p : peers) {
    const int seconds = size.wait_seconds();
    const auto waited =
        p->request("wait_downloads " + std::to_string(seconds), std::chrono::seconds(seconds + 10));
    EXPECT_TRUE(waited.ok) << waited.text;
  }
  stop_cycling = true;
  cycling.join();
  int refetched = 0;
  for (int i = 0; i < leechers; ++i) {
    for (int f = 0; f < files; ++f) {
      const std::string name = "f" + std::to_string(f) + ".bin";
      EXPECT_TRUE(has_event(*peers[i], "DOWNLOAD_DONE", name));
      EXPECT_EQ(first_difference(path("src/" + name), path("got" + std::to_string(i) + "/" + name)),
                -1)
          << "leecher " << i << " " << name;
    }
    for (const auto& line : peers[i]->request("show_downloads").data) {
      EXPECT_TRUE(line.starts_with("[C] ")) << line;
      // With every piece hash known from the start (the tracker's piece layer), libtorrent
      // never finishes early, and the check before DONE finds nothing to fetch again.
      EXPECT_TRUE(line.ends_with(" hashes=known")) << line;
      const auto at = line.find(" refetched=");
      ASSERT_NE(at, std::string::npos) << line;
      refetched += std::stoi(line.substr(at + 11));
    }
  }
  std::printf("pieces fetched again after a premature finish: %d\n", refetched);
  EXPECT_EQ(refetched, 0);
}

}  // namespace
}  // namespace swarmhub::test
