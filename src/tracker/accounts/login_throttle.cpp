#include "swarmhub/tracker/accounts/login_throttle.hpp"

#include <algorithm>
#include <vector>

#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

std::chrono::milliseconds login_throttle::wait_time(const std::string& key, clock::time_point now) {
  const std::lock_guard lock(mutex_);
  return wait_locked(key, now);
}

std::chrono::milliseconds login_throttle::wait_locked(const std::string& key,
                                                      clock::time_point now) const {
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

std::chrono::milliseconds login_throttle::take(const std::string& key, clock::time_point now) {
  std::chrono::milliseconds wait{0};
  {
    const std::lock_guard lock(mutex_);
    wait = wait_locked(key, now);
    if (wait.count() == 0) count_failure(key, now);
  }
  if (wait.count() == 0) tell(failed, key);
  return wait;
}

void login_throttle::give_back(const std::string& key) {
  undo_one(key);
  tell(given_back, key);
}

void login_throttle::apply(std::string_view change, const std::string& key, clock::time_point now) {
  if (change == failed) {
    const std::lock_guard lock(mutex_);
    count_failure(key, now);
  } else if (change == given_back) {
    undo_one(key);
  } else if (change == cleared) {
    const std::lock_guard lock(mutex_);
    entries_.erase(key);
  }
}

void login_throttle::undo_one(const std::string& key) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.failures <= 1) {
    entries_.erase(it);
    return;
  }
  --it->second.failures;
  lock_for(it->second);
}

void login_throttle::failure(const std::string& key, clock::time_point now) {
  {
    const std::lock_guard lock(mutex_);
    count_failure(key, now);
  }
  tell(failed, key);
}

void login_throttle::count_failure(const std::string& key, clock::time_point now) {
  auto& e = entries_[key];
  if (e.failures > 0 && now - e.last_failure > policy_.forget_after) e = entry{};
  ++e.failures;
  e.last_failure = now;
  lock_for(e);
  if (entries_.size() > policy_.max_keys) trim(now);
}

void login_throttle::lock_for(entry& e) const {
  if (e.failures < policy_.free_failures) {
    e.locked_until = {};
    return;
  }
  const unsigned doublings = std::min(e.failures - policy_.free_failures, 20u);
  const auto delay = std::min<std::chrono::milliseconds>(policy_.first_delay * (1LL << doublings),
                                                         policy_.max_delay);
  e.locked_until = e.last_failure + delay;
}

void login_throttle::success(const std::string& key) {
  {
    const std::lock_guard lock(mutex_);
    if (entries_.erase(key) == 0) return;  // nothing to clear, here or (so far) elsewhere
  }
  tell(cleared, key);
}

std::size_t login_throttle::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

void login_throttle::trim(clock::time_point now) {
  // Forget what is stale; if that is not enough, the oldest failures go first.
  std::erase_if(entries_, [&](const auto& kv) {
    return now - kv.second.last_failure > policy_.forget_after;
  });
  if (entries_.size() <= policy_.max_keys) return;
  std::vector<std::pair<clock::time_point, std::string>> by_age;
  by_age.reserve(entries_.size());
  for (const auto& [key, e] : entries_) by_age.emplace_back(e.last_failure, key);
  const std::size_t drop = entries_.size() - policy_.max_keys * 9 / 10;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop),
                   by_age.end());
  for (std::size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
}

std::string known_addresses::key(const std::string& user, const std::string& address) {
  return util::ascii_lower(user) + " " + address;
}

void known_addresses::remember(const std::string& user, const std::string& address,
                               clock::time_point now) {
  apply(user, address, now);
  if (observer_) observer_(user, address);
}

void known_addresses::apply(const std::string& user, const std::string& address,
                            clock::time_point now) {
  const std::lock_guard lock(mutex_);
  seen_[key(user, address)] = now;
  if (seen_.size() <= max_entries_) return;
  std::erase_if(seen_, [&](const auto& kv) { return now - kv.second > keep_; });
  while (seen_.size() > max_entries_ * 9 / 10) {
    seen_.erase(std::min_element(seen_.begin(), seen_.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
}

bool known_addresses::knows(const std::string& user, const std::string& address,
                            clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto it = seen_.find(key(user, address));
  return it != seen_.end() && now - it->second <= keep_;
}

}  // namespace swarmhub::tracker
