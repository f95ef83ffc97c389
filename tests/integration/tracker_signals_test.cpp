// T4: SIGINT/SIGTERM/SIGUSR1 tell every client and exit 0; SIGUSR2 reports and changes nothing.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <vector>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

class TrackerShutdownSignal : public ::testing::TestWithParam<int> {};

TEST_P(TrackerShutdownSignal, EveryClientIsToldThenTheTrackerExitsCleanly) {
  tracker_process tracker;
  std::vector<line_client> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(tracker.connect());
  for (auto& c : clients) ASSERT_EQ(c.request("ping").text, "pong");
  tracker.proc().signal(GetParam());
  for (auto& c : clients) {
    auto e = c.read_event();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->name, "CLOSING");
    EXPECT_EQ(e->text, "shutdown server is closing");
    EXPECT_TRUE(c.closed_within());
  }
  EXPECT_EQ(tracker.proc().wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(Signals, TrackerShutdownSignal,
                         ::testing::Values(SIGINT, SIGTERM, SIGUSR1), [](const auto& info) {
                           return std::string(info.param == SIGINT    ? "SIGINT"
                                              : info.param == SIGTERM ? "SIGTERM"
                                                                      : "SIGUSR1");
                         });

// More signals while it drains (an impatient operator, a service manager repeating itself):
// the tracker still exits. One taken just as the drain ended used to start a wait nobody
// cancelled, and the tracker never exited.
TEST(TrackerSignals, SignalsDuringTheDrainDoNotKeepTheTrackerRunning) {
  for (int round = 0; round < 5; ++round) {
    tracker_process tracker;
    auto c = tracker.connect();
    ASSERT_EQ(c.request("ping").text, "pong");
    std::optional<int> status;
    for (const auto deadline = std::chrono::steady_clock::now() + 15s;
         !status && std::chrono::steady_clock::now() < deadline;) {
      tracker.proc().signal(SIGTERM);
      status = tracker.proc().wait(0ms);
    }
    ASSERT_EQ(status, 0) << "round " << round << "\n" << tracker.log();
  }
}

TEST(TrackerSignals, ShutdownDoesNotWaitForAClientThatNeverReads) {
  tracker_process tracker({"--shutdown-grace", "0.5", "--max-output", "65536"});
  auto hog = tracker.connect();
  int rcvbuf = 4096;
  setsockopt(hog.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += "help\n";
  for (int i = 0; i < 50; ++i) hog.try_send(burst);
  tracker.proc().signal(SIGTERM);
  EXPECT_EQ(tracker.proc().wait(), 0);
}

TEST(TrackerSignals, Usr2PrintsCountersAndChangesNothing) {
  tracker_process tracker;
  auto a = tracker.connect();
  auto b = tracker.connect();
  auto c = tracker.connect();
  // An answer proves the tracker has accepted the connection (connect() alone does not).
  for (auto* x : {&a, &b, &c}) ASSERT_EQ(x->request("ping").text, "pong");
  const std::string stats = tracker.stats();
  EXPECT_TRUE(stats.starts_with("stats ")) << stats;
  EXPECT_EQ(tracker_process::counter(stats, "clients"), 3);
  EXPECT_EQ(tracker_process::counter(stats, "connections_total"), 3);
  EXPECT_EQ(tracker_process::counter(stats, "requests_total"), 3);
  for (auto* x : {&a, &b, &c}) EXPECT_EQ(x->request("ping").text, "pong");
  EXPECT_FALSE(tracker.proc().wait(0ms));
}

}  // namespace
}  // namespace swarmhub::test
