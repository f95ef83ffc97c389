#pragma once
// Slows down password guessing. Failures are counted per key (a user name, an address);
// after `free_failures` failures a key is locked for a delay that doubles with every further
// failure, up to `max_delay`. A success clears the key. Thread-safe; memory is bounded by
// `max_keys` (the entries closest to expiry are dropped first).
//
// An attempt takes its failure slot with take() BEFORE its password is checked, so attempts
// running at the same time cannot all pass a check made before any of them failed; a success
// clears the slot (success()) or returns it (give_back()).
//
// Several trackers of one store count together: each change made here is told to an
// observer (which sends it to the other trackers), and a change another tracker made is
// applied with apply(), which tells nobody.

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
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

  // Counts an attempt on `key` as failed, now, unless `key` is locked: zero when it was
  // taken, else how long the key must still wait (and nothing is counted).
  std::chrono::milliseconds take(const std::string& key, clock::time_point now = clock::now());
  // Undoes one take() of `key` (an attempt that turned out not to count).
  void give_back(const std::string& key);

  void failure(const std::string& key, clock::time_point now = clock::now());
  void success(const std::string& key);

  // What a change is called between trackers: a failure counted (take, failure), one given
  // back, or the key cleared by a success.
  static constexpr std::string_view failed = "fail";
  static constexpr std::string_view given_back = "undo";
  static constexpr std::string_view cleared = "clear";
  // Set once, before any other call. Called outside the throttle's lock.
  using observer = std::function<void(std::string_view change, const std::string& key)>;
  void observe(observer o) { observer_ = std::move(o); }
  // A change another tracker made (failed, given_back or cleared; anything else is ignored).
  void apply(std::string_view change, const std::string& key, clock::time_point now = clock::now());

  std::size_t size() const;

 private:
  struct entry {
    unsigned failures = 0;
    clock::time_point locked_until{};
    clock::time_point last_failure{};
  };

  std::chrono::milliseconds wait_locked(const std::string& key, clock::time_point now) const;
  void undo_one(const std::string& key);
  void count_failure(const std::string& key, clock::time_point now);
  void lock_for(entry& e) const;
  void trim(clock::time_point now);

  void tell(std::string_view change, const std::string& key) const {
    if (observer_) observer_(change, key);
  }

  policy policy_;
  observer observer_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;
};

// The addresses each user logged in from lately. A login from one of them is throttled on
// its own (user, address) pair only, so a stranger's guesses elsewhere cannot lock the user
// out. Thread-safe; bounded like the throttle (the oldest go first).
class known_addresses {
 public:
  using clock = std::chrono::steady_clock;

  explicit known_addresses(std::chrono::milliseconds keep = std::chrono::hours(24 * 7),
                           std::size_t max_entries = 100'000)
      : keep_(keep), max_entries_(max_entries) {}

  void remember(const std::string& user, const std::string& address,
                clock::time_point now = clock::now());
  // As login_throttle: told of each remember(); apply() is one another tracker made.
  using observer = std::function<void(const std::string& user, const std::string& address)>;
  void observe(observer o) { observer_ = std::move(o); }
  void apply(const std::string& user, const std::string& address,
             clock::time_point now = clock::now());
  bool knows(const std::string& user, const std::string& address,
             clock::time_point now = clock::now()) const;

 private:
  static std::string key(const std::string& user, const std::string& address);

  observer observer_;
  std::chrono::milliseconds keep_;
  std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, clock::time_point> seen_;  // by key(), last success
};

}  // namespace swarmhub::tracker
