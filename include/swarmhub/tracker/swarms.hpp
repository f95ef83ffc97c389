#pragma once
// Who is in each swarm right now, from announces: live state, never stored. A peer that
// stops announcing is forgotten after `peer_lifetime`. Thread-safe.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker {

class swarm_registry {
 public:
  using clock = std::chrono::steady_clock;

  struct peer {
    std::string user;
    asio::ip::address address;
    std::uint16_t port = 0;
    std::int64_t left = 0;  // bytes still missing; 0 for a seeder
  };

  struct reply {
    std::string peers4;  // compact IPv4 peers (BEP 23): 6 bytes each
    std::string peers6;  // compact IPv6 peers (BEP 7): 18 bytes each
    int seeders = 0;
    int leechers = 0;
  };

  struct counts {
    int seeders = 0;
    int leechers = 0;
  };

  explicit swarm_registry(std::chrono::seconds peer_lifetime = std::chrono::seconds(360))
      : lifetime_(peer_lifetime) {}

  // Records `p` under `peer_id` (or forgets it when `stopped`) and returns up to `want`
  // other peers of the swarm.
  reply announce(const std::string& swarm_key, const std::string& peer_id, const peer& p,
                 bool stopped, int want, clock::time_point now = clock::now());

  counts count(const std::string& swarm_key, clock::time_point now = clock::now());

 private:
  struct entry {
    peer who;
    clock::time_point expires;
  };
  using swarm = std::map<std::string, entry>;  // by peer id

  static void prune(swarm& s, clock::time_point now);

  std::chrono::seconds lifetime_;
  std::mutex mutex_;
  std::unordered_map<std::string, swarm> swarms_;
};

}  // namespace swarmhub::tracker
