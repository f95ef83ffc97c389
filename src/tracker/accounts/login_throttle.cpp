#include "swarmhub/tracker/accounts/login_throttle.hpp"

#include <algorithm>
#include <vector>

namespace swarmhub::tracker {

std::chrono::milliseconds login_throttle::wait_time(const std::string& key, clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.locked_until <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

void login_throttle::failure(const std::string& key, clock::time_point now) {
  const std::lock_guard lock(mutex_);
  auto& e = entries_[key];
  if (e.failures > 0 && now - e.last_failure > policy_.forget_after) e = entry{};
  ++e.failures;
  e.last_failure = now;
  if (e.failures >= policy_.free_failures) {
    const unsigned doublings = std::min(e.failures - policy_.free_failures, 20u);
    const auto delay = std::min<std::chrono::milliseconds>(policy_.first_delay * (1LL << doublings),
                                                           policy_.max_delay);
    e.locked_until = now + delay;
  }
  if (entries_.size() > policy_.max_keys) trim(now);
}

void login_throttle::success(const std::string& key) {
  const std::lock_guard lock(mutex_);
  entries_.erase(key);
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

}  // namespace swarmhub::tracker
