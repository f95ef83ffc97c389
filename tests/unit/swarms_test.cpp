// The swarm registry: who is in a swarm, checked against a plain model of it.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "swarmhub/tracker/swarms/swarms.hpp"

namespace swarmhub::tracker {
namespace {

using namespace std::chrono_literals;
using clock = swarm_registry::clock;

std::string peer_id(int n) {
  auto id = std::to_string(n);
  id.insert(0, swarm_registry::peer_id_size - id.size(), '-');
  return id;
}

swarm_registry::peer at_port(int port, std::int64_t left = 0) {
  return {"user", asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port), left};
}

// The ports of the compact IPv4 peers of a reply.
std::multiset<int> ports(const swarm_registry::reply& r) {
  std::multiset<int> out;
  for (std::size_t i = 0; i + 6 <= r.peers4.size(); i += 6) {
    out.insert((static_cast<unsigned char>(r.peers4[i + 4]) << 8) |
               static_cast<unsigned char>(r.peers4[i + 5]));
  }
  return out;
}

TEST(SwarmRegistry, AnnouncerGetsTheOthersAndTheCounts) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarms.announce("s", peer_id(1), at_port(1), false, 50, t);
  swarms.announce("s", peer_id(2), at_port(2, 100), false, 50, t);
  const auto r = swarms.announce("s", peer_id(3), at_port(3, 100), false, 50, t);
  EXPECT_EQ(ports(r), (std::multiset<int>{1, 2}));
  EXPECT_EQ(r.seeders, 1);
  EXPECT_EQ(r.leechers, 2);
  // Announcing again as a seeder moves the peer between the counts, once.
  const auto again = swarms.announce("s", peer_id(3), at_port(3, 0), false, 50, t);
  EXPECT_EQ(again.seeders, 2);
  EXPECT_EQ(again.leechers, 1);
  EXPECT_EQ(swarms.count("other").seeders + swarms.count("other").leechers, 0);
}

TEST(SwarmRegistry, StoppedPeersAndSilentOnesAreForgotten) {
  swarm_registry swarms(10s);
  const auto t = clock::now();
  swarms.announce("s", peer_id(1), at_port(1), false, 50, t);
  swarms.announce("s", peer_id(2), at_port(2), false, 50, t);
  swarms.announce("s", peer_id(2), at_port(2), true, 50, t);  // stopped
  EXPECT_EQ(swarms.count("s", t).seeders, 1);
  // Peer 1 announces again at t+5 s, peer 3 only at t: at t+10 s peer 1 is the only one left.
  swarms.announce("s", peer_id(3), at_port(3), false, 50, t);
  swarms.announce("s", peer_id(1), at_port(1), false, 50, t + 5s);
  EXPECT_EQ(swarms.count("s", t + 9s).seeders, 2);
  EXPECT_EQ(swarms.count("s", t + 10s).seeders, 1);
  const auto r = swarms.announce("s", peer_id(4), at_port(4), false, 50, t + 10s);
  EXPECT_EQ(ports(r), (std::multiset<int>{1}));
  EXPECT_EQ(swarms.count("s", t + 15s).seeders, 1);  // only peer 4, announced at t+10 s
  EXPECT_EQ(swarms.count("s", t + 20s).seeders, 0);
}

TEST(SwarmRegistry, WantLimitsThePeersAndEveryPeerGetsHandedOut) {
  swarm_registry swarms;
  const auto t = clock::now();
  for (int i = 1; i <= 100; ++i) swarms.announce("s", peer_id(i), at_port(i), false, 0, t);
  std::set<int> seen;
  for (int round = 0; round < 200; ++round) {
    const auto r = swarms.announce("s", peer_id(1), at_port(1), false, 10, t);
    const auto got = ports(r);
    EXPECT_EQ(got.size(), 10u);
    EXPECT_FALSE(got.contains(1));
    EXPECT_EQ(std::set<int>(got.begin(), got.end()).size(), got.size());  // no repeats
    seen.insert(got.begin(), got.end());
  }
  EXPECT_EQ(seen.size(), 99u);
  EXPECT_TRUE(ports(swarms.announce("s", peer_id(1), at_port(1), false, 0, t)).empty());
}

// Random announces, stops and silences, against a map of who should be there.
TEST(SwarmRegistry, MatchesAModelUnderRandomChurn) {
  swarm_registry swarms(10s);
  std::map<int, std::pair<clock::time_point, std::int64_t>> model;  // id -> expiry, left
  std::mt19937 random(7);
  auto now = clock::now();
  for (int step = 0; step < 2500; ++step) {
    now += std::chrono::milliseconds(random() % 20);
    std::erase_if(model, [&](const auto& kv) { return kv.second.first <= now; });
    const int id = static_cast<int>(random() % 120);
    const bool stopped = random() % 10 == 0;
    const std::int64_t left = random() % 3 == 0 ? 0 : 5;
    const auto r = swarms.announce("s", peer_id(id), at_port(id + 1, left), stopped, 1000, now);
    if (stopped) {
      model.erase(id);
    } else {
      model[id] = {now + 10s, left};
    }
    std::multiset<int> expected;
    int seeders = 0;
    for (const auto& [other, state] : model) {
      seeders += state.second == 0 ? 1 : 0;
      if (other != id) expected.insert(other + 1);
    }
    ASSERT_EQ(ports(r), expected) << "step " << step;
    ASSERT_EQ(r.seeders, seeders) << "step " << step;
    ASSERT_EQ(r.leechers, static_cast<int>(model.size()) - seeders) << "step " << step;
  }
}

}  // namespace
}  // namespace swarmhub::tracker
