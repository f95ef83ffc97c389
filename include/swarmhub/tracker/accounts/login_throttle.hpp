#pragma once
// Slows down password guessing. Failures are counted per key (a user name, an address);
// after `free_failures` failures a key is locked for a delay that doubles with every further
// failure, up to `max_delay`. A success clears the key. Thread-safe; memory is bounded by
// `max_keys` (the entries closest to expiry are dropped first).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace swarmhub::tracker {

class login_throttle {
 public:
  using clock = std::chrono::steady_clock;

  struct policy {
    unsigned free_failures = 5;
    std::chrono::milliseconds first_delay{1000};
    std::chrono::milliseconds max_delay{std::chrono::minutes(5)};
    std::chrono::milliseconds forget_after{std::chrono::minutes(15)};  // quiet time that clears
    std::size_t max_keys = 100'000;
  };

  login_throttle() : login_throttle(policy{}) {}
  explicit login_throttle(policy p) : policy_(p) {}

  // How long `key` must still wait before another attempt; zero when it may try now.
  std::chrono::milliseconds wait_time(const std::string& key, clock::time_point now = clock::now());

  void failure(const std::string& key, clock::time_point now = clock::now());
  void success(const std::string& key);

  std::size_t size() const;

 private:
  struct entry {
    unsigned failures = 0;
    clock::time_point locked_until{};
    clock::time_point last_failure{};
  };

  void trim(clock::time_point now);

  policy policy_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

}  // namespace swarmhub::tracker
