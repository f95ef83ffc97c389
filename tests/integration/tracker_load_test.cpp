// T1: many clients at once, each getting every reply, in order.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

TEST(TrackerLoad, TwoHundredClientsHundredLinesEachAllRepliesInOrder) {
  tracker_process tracker;
  constexpr int clients = 200;
  constexpr int lines = 100;
  std::vector<line_client> connections;
  connections.reserve(clients);
  for (int i = 0; i < clients; ++i) connections.emplace_back(tracker.port());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto& c = connections[i];
      // Alternate requests with different replies so any reordering shows.
      for (int n = 0; n < lines; ++n) {
        const bool even = n % 2 == 0;
        c.send_line(even ? "ping" : "client " + std::to_string(i) + " line " + std::to_string(n));
        const auto r = c.read_reply(30s);
        if (!r.ok || r.text != (even ? "pong" : "Received your msg.")) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  const std::string stats = tracker.stats();
  EXPECT_EQ(tracker_process::counter(stats, "clients"), clients);
  EXPECT_EQ(tracker_process::counter(stats, "requests_total"), clients * lines);
}

TEST(TrackerLoad, PipelinedBurstsAreAnsweredInOrder) {
  tracker_process tracker;
  auto c = tracker.connect();
  std::string burst;
  for (int n = 0; n < 5000; ++n) burst += n % 2 == 0 ? "ping\n" : "help quit\n";
  c.send_raw(burst);
  for (int n = 0; n < 5000; ++n) {
    const auto r = c.read_reply();
    ASSERT_TRUE(r.ok);
    if (n % 2 == 0) {
      ASSERT_EQ(r.text, "pong") << n;
    } else {
      ASSERT_EQ(r.data.at(0), "usage: quit") << n;
    }
  }
}

}  // namespace
}  // namespace swarmhub::test
