// The swarm registry: who is in a swarm, checked against a plain model of it.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "swarmhub/tracker/swarms/access_cache.hpp"
#include "swarmhub/tracker/swarms/announce_throttle.hpp"
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

swarm_registry::peer at_port(int port, std::int64_t left = 0, std::string user = "user") {
  return {std::move(user), asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port),
          left};
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
  swarms.announce("g", "s", peer_id(1), at_port(1), false, 50, t);
  swarms.announce("g", "s", peer_id(2), at_port(2, 100), false, 50, t);
  const auto r = swarms.announce("g", "s", peer_id(3), at_port(3, 100), false, 50, t);
  EXPECT_EQ(ports(r), (std::multiset<int>{1, 2}));
  EXPECT_EQ(r.seeders, 1);
  EXPECT_EQ(r.leechers, 2);
  // Announcing again as a seeder moves the peer between the counts, once.
  const auto again = swarms.announce("g", "s", peer_id(3), at_port(3, 0), false, 50, t);
  EXPECT_EQ(again.seeders, 2);
  EXPECT_EQ(again.leechers, 1);
  EXPECT_EQ(swarms.count("g", "other").seeders + swarms.count("g", "other").leechers, 0);
}

TEST(SwarmRegistry, StoppedPeersAndSilentOnesAreForgotten) {
  swarm_registry swarms(10s);
  const auto t = clock::now();
  swarms.announce("g", "s", peer_id(1), at_port(1), false, 50, t);
  swarms.announce("g", "s", peer_id(2), at_port(2), false, 50, t);
  swarms.announce("g", "s", peer_id(2), at_port(2), true, 50, t);  // stopped
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 1);
  // Peer 1 announces again at t+5 s, peer 3 only at t: at t+10 s peer 1 is the only one left.
  swarms.announce("g", "s", peer_id(3), at_port(3), false, 50, t);
  swarms.announce("g", "s", peer_id(1), at_port(1), false, 50, t + 5s);
  EXPECT_EQ(swarms.count("g", "s", t + 9s).seeders, 2);
  EXPECT_EQ(swarms.count("g", "s", t + 10s).seeders, 1);
  const auto r = swarms.announce("g", "s", peer_id(4), at_port(4), false, 50, t + 10s);
  EXPECT_EQ(ports(r), (std::multiset<int>{1}));
  EXPECT_EQ(swarms.count("g", "s", t + 15s).seeders, 1);  // only peer 4, announced at t+10 s
  EXPECT_EQ(swarms.count("g", "s", t + 20s).seeders, 0);
}

TEST(SwarmRegistry, ExpiryFollowsTheLastAnnounceWhenMembersMove) {
  swarm_registry swarms(10s);
  const auto t = clock::now();
  for (int i = 1; i <= 4; ++i) {
    swarms.announce("g", "s", peer_id(i), at_port(i), false, 0, t + std::chrono::seconds(i));
  }
  // Peer 1, the oldest, stops: peer 4, the newest, moves into its place. Then peer 2
  // announces again and becomes the newest.
  swarms.announce("g", "s", peer_id(1), at_port(1), true, 0, t + 4s);
  swarms.announce("g", "s", peer_id(2), at_port(2), false, 0, t + 5s);
  EXPECT_EQ(swarms.count("g", "s", t + 12s).seeders, 3);
  EXPECT_EQ(swarms.count("g", "s", t + 13s).seeders, 2);  // peer 3 (t+3 s) went
  EXPECT_EQ(swarms.count("g", "s", t + 14s).seeders, 1);  // then peer 4 (t+4 s)
  const auto r = swarms.announce("g", "s", peer_id(5), at_port(5), false, 50, t + 14s);
  EXPECT_EQ(ports(r), (std::multiset<int>{2}));
  EXPECT_EQ(swarms.count("g", "s", t + 15s).seeders, 1);  // peer 2 (t+5 s) went; 5 stays
  EXPECT_EQ(swarms.count("g", "s", t + 24s).seeders, 0);
}

TEST(SwarmRegistry, WantLimitsThePeersAndEveryPeerGetsHandedOut) {
  swarm_registry swarms;
  const auto t = clock::now();
  for (int i = 1; i <= 100; ++i) swarms.announce("g", "s", peer_id(i), at_port(i), false, 0, t);
  std::set<int> seen;
  for (int round = 0; round < 200; ++round) {
    const auto r = swarms.announce("g", "s", peer_id(1), at_port(1), false, 10, t);
    const auto got = ports(r);
    EXPECT_EQ(got.size(), 10u);
    EXPECT_FALSE(got.contains(1));
    EXPECT_EQ(std::set<int>(got.begin(), got.end()).size(), got.size());  // no repeats
    seen.insert(got.begin(), got.end());
  }
  EXPECT_EQ(seen.size(), 99u);
  EXPECT_TRUE(ports(swarms.announce("g", "s", peer_id(1), at_port(1), false, 0, t)).empty());
}

TEST(SwarmRegistry, IPv4AndIPv6PeersGoInTheirOwnCompactLists) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarm_registry::peer v6 = at_port(0x1234);
  v6.address = asio::ip::make_address("2001:db8::7");
  swarm_registry::peer v4 = at_port(0xABCD);
  v4.address = asio::ip::make_address("10.1.2.3");
  swarms.announce("g", "s", peer_id(1), v6, false, 50, t);
  swarms.announce("g", "s", peer_id(2), v4, false, 50, t);
  // One reply buffer for every announce: each fills it afresh.
  swarm_registry::reply r;
  swarms.announce("g", "s", peer_id(3), at_port(3), false, 50, r, t);
  EXPECT_EQ(r.peers4, std::string("\x0a\x01\x02\x03\xab\xcd", 6));
  EXPECT_EQ(r.peers6, std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07\x12\x34", 18));
  swarms.announce("g", "s", peer_id(1), at_port(1), false, 0, r, t);
  EXPECT_TRUE(r.peers4.empty());
  EXPECT_TRUE(r.peers6.empty());
  EXPECT_EQ(r.seeders, 3);
  // A peer that announces again from another address is handed out at the new one.
  swarms.announce("g", "s", peer_id(3), v6, false, 50, r, t);
  EXPECT_EQ(ports(r), (std::multiset<int>{1, 0xABCD}));
  EXPECT_TRUE(r.peers6.empty());
}

TEST(SwarmRegistry, TheSameTorrentInAnotherGroupIsAnotherSwarm) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarms.announce("secret", "s", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  const auto r = swarms.announce("eves", "s", peer_id(2), at_port(2, 5, "eve"), false, 50, t);
  EXPECT_TRUE(ports(r).empty());
  EXPECT_EQ(r.seeders, 0);
  EXPECT_EQ(r.leechers, 1);
  EXPECT_EQ(swarms.count("SECRET", "s").seeders, 1);  // group names fold case
  EXPECT_EQ(swarms.count("secret", "s").leechers, 0);
}

TEST(SwarmRegistry, AnEntryBelongsToTheUserWhoAnnouncedIt) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarms.announce("g", "s", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  // Bob sends alice's peer_id: stopping it does nothing, announcing it is his own entry.
  swarms.announce("g", "s", peer_id(1), at_port(1, 0, "bob"), true, 50, t);
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 1);
  const auto r = swarms.announce("g", "s", peer_id(1), at_port(9, 5, "bob"), false, 50, t);
  EXPECT_EQ(ports(r), (std::multiset<int>{1}));
  EXPECT_EQ(r.seeders, 1);
  EXPECT_EQ(r.leechers, 1);
  // Alice's own stop (her name in any case) removes hers.
  swarms.announce("g", "s", peer_id(1), at_port(1, 0, "ALICE"), true, 50, t);
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 0);
  EXPECT_EQ(swarms.count("g", "s", t).leechers, 1);
}

TEST(SwarmRegistry, ForgetDropsALeaversPeersOrAWholeGroup) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarms.announce("g", "s", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  swarms.announce("g", "s", peer_id(2), at_port(2, 0, "bob"), false, 50, t);
  swarms.announce("g", "s", peer_id(3), at_port(3, 5, "bob"), false, 50, t);
  swarms.announce("g", "u", peer_id(2), at_port(2, 0, "bob"), false, 50, t);
  swarms.announce("h", "s", peer_id(2), at_port(2, 0, "bob"), false, 50, t);
  swarms.forget("G", "Bob");
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 1);
  EXPECT_EQ(swarms.count("g", "s", t).leechers, 0);
  EXPECT_EQ(swarms.count("g", "u", t).seeders, 0);
  EXPECT_EQ(swarms.count("h", "s", t).seeders, 1);  // another group: still there
  swarms.forget("g");
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 0);
  EXPECT_EQ(swarms.count("h", "s", t).seeders, 1);
}

TEST(SwarmRegistry, ForgetSwarmDropsOneFilesSwarmOnly) {
  swarm_registry swarms;
  const auto t = clock::now();
  swarms.announce("g", "s", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  swarms.announce("g", "u", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  swarms.announce("h", "s", peer_id(1), at_port(1, 0, "alice"), false, 50, t);
  swarms.forget_swarm("G", "s");
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 0);
  EXPECT_EQ(swarms.count("g", "u", t).seeders, 1);
  EXPECT_EQ(swarms.count("h", "s", t).seeders, 1);  // the same content in another group
}

TEST(SwarmRegistry, ANewPasskeyDropsThePeersOfTheOldOnesOnly) {
  swarm_registry swarms;
  const auto t = clock::now();
  const auto with_key = [](int port, std::string user, std::string_view key) {
    auto p = at_port(port, 0, std::move(user));
    p.passkey = passkey_tag(key);
    return p;
  };
  swarms.announce("g", "s", peer_id(1), with_key(1, "bob", "old"), false, 50, t);
  swarms.announce("h", "s", peer_id(1), with_key(1, "bob", "old"), false, 50, t);
  swarms.announce("g", "s", peer_id(2), with_key(2, "bob", "new"), false, 50, t);  // already
  swarms.announce("g", "s", peer_id(3), with_key(3, "alice", "other"), false, 50, t);
  swarms.forget_old_passkeys("Bob", passkey_tag("new"));
  EXPECT_EQ(swarms.count("g", "s", t).seeders, 2);  // bob's new entry and alice's
  EXPECT_EQ(swarms.count("h", "s", t).seeders, 0);  // every group
  EXPECT_EQ(swarms.total().swarms, 1u);
  EXPECT_NE(passkey_tag("old"), passkey_tag("new"));
  EXPECT_EQ(passkey_tag("old"), passkey_tag(std::string("old")));
}

TEST(AnnounceThrottle, ABurstPassesThenOnePerMinInterval) {
  announce_throttle throttle({30s, 3, 10});
  using verdict = announce_throttle::verdict;
  const auto t = clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(throttle.admit("alice", "g\tx", t), verdict::pass);
  EXPECT_EQ(throttle.admit("alice", "g\tx", t + 1s), verdict::too_soon);
  EXPECT_EQ(throttle.admit("ALICE", "g\tx", t + 2s), verdict::too_soon);  // same user
  EXPECT_EQ(throttle.admit("bob", "g\tx", t + 2s), verdict::pass);        // another user
  EXPECT_EQ(throttle.admit("alice", "g\ty", t + 2s), verdict::pass);      // another torrent
  EXPECT_EQ(throttle.admit("alice", "g\tx", t + 31s), verdict::pass);
  EXPECT_EQ(throttle.admit("alice", "g\tx", t + 32s), verdict::too_soon);
}

TEST(AnnounceThrottle, AGroupAndInfoHashNameTheSameBucketAsTheirKey) {
  announce_throttle throttle({30s, 1, 10});
  using verdict = announce_throttle::verdict;
  const auto t = clock::now();
  EXPECT_EQ(throttle.admit("Alice", "G", "abcd", t), verdict::pass);
  EXPECT_EQ(throttle.admit("alice", "g\tabcd", t), verdict::too_soon);  // group folded
  EXPECT_EQ(throttle.admit("alice", "g", "ABCD", t), verdict::pass);    // the hash is not
  EXPECT_EQ(throttle.size(), 2u);
}

TEST(AnnounceThrottle, MemoryPerUserIsBoundedAndIdleBucketsGo) {
  announce_throttle throttle({30s, 2, 4});
  using verdict = announce_throttle::verdict;
  const auto t = clock::now();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(throttle.admit("eve", std::to_string(i), t), verdict::pass);
  EXPECT_EQ(throttle.admit("eve", "4", t), verdict::too_many_torrents);
  EXPECT_EQ(throttle.size(), 4u);
  // Once a bucket has filled up again it is as good as none: it makes room.
  EXPECT_EQ(throttle.admit("eve", "4", t + 61s), verdict::pass);
  EXPECT_EQ(throttle.size(), 1u);
  EXPECT_EQ(throttle.admit("bob", "x", t + 200s), verdict::pass);  // sweeps eve's
  EXPECT_EQ(throttle.size(), 1u);
}

TEST(AccessCache, RemembersAndForgetsWhatChanges) {
  access_cache cache;
  EXPECT_FALSE(cache.user_of("pk"));
  cache.set_user("pk", "Alice");
  cache.set_member("alice", "G", true);
  cache.set_member("eve", "g", false);
  cache.set_swarm("g", "hash", "key");
  cache.set_swarm("h", "hash", "key");
  EXPECT_EQ(cache.user_of("pk"), "Alice");
  EXPECT_EQ(cache.is_member("ALICE", "g"), true);
  EXPECT_EQ(cache.is_member("eve", "G"), false);
  EXPECT_EQ(cache.swarm_of("G", "hash"), "key");
  cache.forget_member("Eve", "g");
  EXPECT_FALSE(cache.is_member("eve", "g"));
  EXPECT_TRUE(cache.is_member("alice", "g"));
  cache.forget_group("g");
  EXPECT_FALSE(cache.is_member("alice", "g"));
  EXPECT_FALSE(cache.swarm_of("g", "hash"));
  EXPECT_TRUE(cache.swarm_of("h", "hash"));
  cache.forget_user("alice");
  EXPECT_FALSE(cache.user_of("pk"));
}

TEST(AccessCache, AnAnnounceFindsAllThreeAtOnce) {
  access_cache cache;
  std::string user = "unchanged", swarm = "unchanged";
  bool member = false;
  std::uint64_t version = 0;
  cache.set_user("pk", "Alice");
  cache.set_swarm("G", "hash", "key");
  EXPECT_FALSE(cache.find("pk", "g", "hash", user, swarm, member, version));  // membership unknown
  EXPECT_EQ(user, "unchanged");
  cache.set_member("ALICE", "g", false);
  ASSERT_TRUE(cache.find("pk", "g", "hash", user, swarm, member, version));
  EXPECT_EQ(user, "Alice");
  EXPECT_EQ(swarm, "key");
  EXPECT_FALSE(member);
  cache.set_member("alice", "G", true);
  ASSERT_TRUE(cache.find("pk", "G", "hash", user, swarm, member, version));
  EXPECT_TRUE(member);
  EXPECT_FALSE(cache.find("other", "g", "hash", user, swarm, member, version));
  EXPECT_TRUE(cache.find("pk", "g", "HASH", user, swarm, member, version));  // folded, as swarm_of
  EXPECT_TRUE(cache.has_swarm("g", "hash"));
  EXPECT_FALSE(cache.has_swarm("h", "hash"));
  cache.forget_swarm("g", "key");
  EXPECT_FALSE(cache.has_swarm("g", "hash"));
  EXPECT_FALSE(cache.find("pk", "g", "hash", user, swarm, member, version));
}

// An announce skips its checks after entering the swarm when the version is unchanged: every
// write must move it, and a read must not.
TEST(AccessCache, EveryChangeMovesTheVersionAndReadsDoNot) {
  access_cache cache;
  std::string user, swarm;
  bool member = false;
  std::uint64_t seen = 0;
  auto moved = [&cache, last = cache.version()]() mutable {
    const auto now = cache.version();
    const bool changed = now != last;
    last = now;
    return changed;
  };
  cache.set_user("pk", "alice");
  EXPECT_TRUE(moved());
  cache.set_swarm("g", "hash", "key");
  EXPECT_TRUE(moved());
  cache.set_member("alice", "g", true);
  EXPECT_TRUE(moved());
  ASSERT_TRUE(cache.find("pk", "g", "hash", user, swarm, member, seen));
  EXPECT_EQ(seen, cache.version());
  EXPECT_TRUE(cache.has_swarm("g", "hash"));
  EXPECT_EQ(cache.is_member("alice", "g"), true);
  EXPECT_FALSE(moved());
  cache.forget_member("alice", "g");
  EXPECT_TRUE(moved());
  cache.forget_swarm("g", "key");
  EXPECT_TRUE(moved());
  cache.forget_group("g");
  EXPECT_TRUE(moved());
  cache.forget_user("alice");
  EXPECT_TRUE(moved());
  cache.clear();
  EXPECT_TRUE(moved());
}

TEST(AccessCache, ARemovedFilesHashesAllGo) {
  access_cache cache;
  cache.set_swarm("g", "v2-hash", "key");
  cache.set_swarm("g", "v1-hash", "key");  // a hybrid's other hash
  cache.set_swarm("g", "other", "key2");
  cache.set_swarm("h", "v2-hash", "key");
  cache.forget_swarm("G", "key");
  EXPECT_FALSE(cache.swarm_of("g", "v2-hash"));
  EXPECT_FALSE(cache.swarm_of("g", "v1-hash"));
  EXPECT_EQ(cache.swarm_of("g", "other"), "key2");
  EXPECT_EQ(cache.swarm_of("h", "v2-hash"), "key");
}

// Random announces, stops and silences, against a map of who should be there.
TEST(SwarmRegistry, MatchesAModelUnderRandomChurn) {
  // A lifetime of about 100 steps: many entries expire, from every place in the order.
  swarm_registry swarms(1s);
  std::map<int, std::pair<clock::time_point, std::int64_t>> model;  // id -> expiry, left
  std::mt19937 random(7);
  auto now = clock::now();
  for (int step = 0; step < 2500; ++step) {
    now += std::chrono::milliseconds(random() % 20);
    std::erase_if(model, [&](const auto& kv) { return kv.second.first <= now; });
    const int id = static_cast<int>(random() % 120);
    const bool stopped = random() % 10 == 0;
    const std::int64_t left = random() % 3 == 0 ? 0 : 5;
    // Now and then one user (ids 100 and up) leaves: their entries go, from anywhere in the
    // order of expiry.
    if (random() % 200 == 0) {
      swarms.forget("g", "leaver");
      std::erase_if(model, [](const auto& kv) { return kv.first >= 100; });
    }
    const auto user = id >= 100 ? "leaver" : "user";
    const auto r =
        swarms.announce("g", "s", peer_id(id), at_port(id + 1, left, user), stopped, 1000, now);
    if (stopped) {
      model.erase(id);
    } else {
      model[id] = {now + 1s, left};
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
