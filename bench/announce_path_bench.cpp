// announce_path_bench: the in-memory steps of one HTTP announce (Google Benchmark), with the
// load `bench/run announce` sends through wrk: 5,000 peers and 100 torrents, each announce one
// peer's of one torrent, both picked at random, so that most (peer, torrent) pairs are new
// for the first half-million announces and old after. Each step is timed alone, on one
// thread, without the kernel's share (a request's recv and its reply's send), which
// `bench/run announce` measures with the rest.
//
//   announce_path_bench [--benchmark_filter=REGEX] [--benchmark_repetitions=N]

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "swarmhub/tracker/swarms/access_cache.hpp"
#include "swarmhub/tracker/swarms/announce_throttle.hpp"
#include "swarmhub/tracker/swarms/swarms.hpp"

namespace {

using swarmhub::tracker::access_cache;
using swarmhub::tracker::announce_throttle;
using swarmhub::tracker::swarm_registry;

constexpr int peers = 5000;
constexpr int torrents = 100;

// One simulated announce: which peer, of which torrent.
struct announce {
  int peer;
  int torrent;
};

const std::vector<announce>& announces() {
  static const std::vector<announce> all = [] {
    std::minstd_rand random(20);  // the same sequence in every run
    std::uniform_int_distribution<int> peer(0, peers - 1);
    std::uniform_int_distribution<int> torrent(0, torrents - 1);
    std::vector<announce> out(1 << 20);
    for (auto& a : out) a = {peer(random), torrent(random)};
    return out;
  }();
  return all;
}

std::string peer_id(int n) {
  std::string id = "-BN0001-" + std::to_string(1000000000000LL + n).substr(1);
  id.resize(swarm_registry::peer_id_size, '0');
  return id;
}
std::string user_name(int n) {
  return "peer" + std::to_string(n + 1);
}
std::string info_hash_hex(int n) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(40, '0');
  std::uint32_t x = 2654435761U * static_cast<std::uint32_t>(n + 1);
  for (auto& c : out) {
    c = hex[x & 15];
    x = x * 1103515245U + 12345U;
  }
  return out;
}

struct names {
  std::vector<std::string> ids, users, hashes;
  names() {
    for (int i = 0; i < peers; ++i) {
      ids.push_back(peer_id(i));
      users.push_back(user_name(i));
    }
    for (int t = 0; t < torrents; ++t) hashes.push_back(info_hash_hex(t));
  }
};
const names& all_names() {
  static const names n;
  return n;
}

// swarm_registry::announce of a member peer, with a reply of up to 50 others.
void registry_announce(benchmark::State& state) {
  const auto& n = all_names();
  const auto& load = announces();
  swarm_registry registry;
  swarm_registry::reply reply;
  swarm_registry::peer me{"", boost::asio::ip::make_address("127.0.0.1"), 0, 0, 1};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& a = load[i++ & (load.size() - 1)];
    me.user = n.users[static_cast<std::size_t>(a.peer)];
    me.port = static_cast<std::uint16_t>(1024 + a.peer);
    me.left = static_cast<std::int64_t>(i & 1);
    registry.announce("g", n.hashes[static_cast<std::size_t>(a.torrent)],
                      n.ids[static_cast<std::size_t>(a.peer)], me, false, 50, reply);
    benchmark::DoNotOptimize(reply.peers4.data());
  }
}
BENCHMARK(registry_announce);

// announce_throttle::admit of one user's announce of one torrent.
void throttle_admit(benchmark::State& state) {
  const auto& n = all_names();
  const auto& load = announces();
  announce_throttle throttle;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& a = load[i++ & (load.size() - 1)];
    benchmark::DoNotOptimize(throttle.admit(n.users[static_cast<std::size_t>(a.peer)], "g",
                                            n.hashes[static_cast<std::size_t>(a.torrent)]));
  }
}
BENCHMARK(throttle_admit);

// access_cache::find of a known passkey, swarm and membership.
void access_find(benchmark::State& state) {
  const auto& n = all_names();
  const auto& load = announces();
  access_cache cache;
  std::vector<std::string> passkeys;
  for (int p = 0; p < peers; ++p) {
    passkeys.push_back(std::string(32 - std::to_string(p + 1).size(), '0') + std::to_string(p + 1));
    cache.set_user(passkeys.back(), n.users[static_cast<std::size_t>(p)]);
    cache.set_member(n.users[static_cast<std::size_t>(p)], "g", true);
  }
  for (int t = 0; t < torrents; ++t) {
    cache.set_swarm("g", n.hashes[static_cast<std::size_t>(t)],
                    n.hashes[static_cast<std::size_t>(t)]);
  }
  std::string user, swarm_key;
  bool member = false;
  std::uint64_t version = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& a = load[i++ & (load.size() - 1)];
    benchmark::DoNotOptimize(cache.find(passkeys[static_cast<std::size_t>(a.peer)], "g",
                                        n.hashes[static_cast<std::size_t>(a.torrent)], user,
                                        swarm_key, member, version));
  }
}
BENCHMARK(access_find);

}  // namespace

BENCHMARK_MAIN();
