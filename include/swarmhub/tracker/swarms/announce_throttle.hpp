#pragma once
// The minimum announce interval, per (user, group, announced info-hash): a token bucket that
// holds `burst` announces and gains one every `min_interval`, so a client's start-up
// announces (started, a hybrid's second hash, a re-announce after login) pass and a flood
// does not. Thread-safe.
//
// Memory is bounded: a user has at most `max_torrents` buckets; a bucket that has filled up
// again is the same as none, so it is dropped when room is needed, and every bucket is
// swept once it has been idle that long.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "swarmhub/util/sharded.hpp"
#include "swarmhub/util/string_hash.hpp"

namespace swarmhub::tracker {

class announce_throttle {
 public:
  using clock = std::chrono::steady_clock;
  enum class verdict { pass, too_soon, too_many_torrents };

  struct limits {
    std::chrono::seconds min_interval{30};
    int burst = 5;
    std::size_t max_torrents = 4096;  // per user
  };

  explicit announce_throttle(limits l) : limits_(l) {}
  announce_throttle() : announce_throttle(limits{}) {}

  // Takes one announce of `user` for `torrent` (the group and the info-hash announced).
  verdict admit(std::string_view user, std::string_view torrent,
                clock::time_point now = clock::now());
  // The same, the torrent named by its group and announced info-hash (hex).
  verdict admit(std::string_view user, std::string_view group, std::string_view info_hash,
                clock::time_point now = clock::now());

  const limits& settings() const { return limits_; }
  std::size_t size() const;  // buckets held, for tests

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point at;
  };
  // A user's buckets by a 64-bit hash of the torrent: a node of 32 bytes with no key of its own
  // to allocate and read (a million of them in the announce benchmark, each probe a cache miss
  // more with string keys). Two torrents that collide share a bucket of each user who
  // announces both, who is then throttled sooner: about 2^-64 a pair by chance; an uploader
  // who grinds two info-hashes to collide (the hash is not keyed) gains nothing more.
  using buckets = std::unordered_map<std::uint64_t, bucket>;

  // By folded user name, in the part its hash picks (util::sharded).
  using users_map = util::string_map<buckets>;

  double refill(const bucket& b, clock::time_point now) const;
  // Every part's idle buckets go, once every `burst` intervals (by whichever admit comes
  // first after that), so the whole throttle stays bounded by the active users.
  void sweep_when_due(clock::time_point now);

  const limits limits_;
  mutable util::sharded<users_map> parts_;
  std::atomic<clock::time_point> next_sweep_{};
};

}  // namespace swarmhub::tracker
