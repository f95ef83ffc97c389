#include "swarmhub/tracker/swarms/announce_throttle.hpp"

#include <algorithm>
#include <functional>

#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

double announce_throttle::refill(const bucket& b, clock::time_point now) const {
  const std::chrono::duration<double> idle = now - b.at;
  return std::min<double>(limits_.burst, b.tokens + idle / limits_.min_interval);
}

void announce_throttle::sweep_when_due(clock::time_point now) {
  auto due = next_sweep_.load(std::memory_order_relaxed);
  if (now < due ||
      !next_sweep_.compare_exchange_strong(due, now + limits_.min_interval * limits_.burst)) {
    return;  // not yet, or another thread sweeps
  }
  for (auto& part : parts_.all()) {
    const std::lock_guard lock(part.mutex);
    auto& users = part.state;
    for (auto u = users.begin(); u != users.end();) {
      std::erase_if(u->second,
                    [&](const auto& entry) { return refill(entry.second, now) >= limits_.burst; });
      u = u->second.empty() ? users.erase(u) : std::next(u);
    }
  }
}

announce_throttle::verdict announce_throttle::admit(std::string_view user, std::string_view torrent,
                                                    clock::time_point now) {
  // Looked up without a temporary string; the keys are copied only into a new entry.
  static thread_local std::string folded;
  folded.clear();
  util::append_ascii_lower(folded, user);
  sweep_when_due(now);
  auto& part = parts_.of(folded);
  const std::lock_guard lock(part.mutex);
  auto& users = part.state;
  auto u = users.find(folded);
  if (u == users.end()) u = users.try_emplace(folded).first;
  auto& mine = u->second;
  const std::uint64_t key = std::hash<std::string_view>{}(torrent);
  auto it = mine.find(key);
  if (it == mine.end()) {
    if (mine.size() >= limits_.max_torrents) {
      std::erase_if(mine,
                    [&](const auto& entry) { return refill(entry.second, now) >= limits_.burst; });
      if (mine.size() >= limits_.max_torrents) return verdict::too_many_torrents;
    }
    it = mine.emplace(key, bucket{static_cast<double>(limits_.burst), now}).first;
  }
  auto& b = it->second;
  b.tokens = refill(b, now);
  b.at = now;
  if (b.tokens < 1) return verdict::too_soon;
  b.tokens -= 1;
  return verdict::pass;
}

announce_throttle::verdict announce_throttle::admit(std::string_view user, std::string_view group,
                                                    std::string_view info_hash,
                                                    clock::time_point now) {
  static thread_local std::string torrent;
  torrent.clear();
  util::append_ascii_lower(torrent, group);
  torrent += '\t';
  torrent += info_hash;
  return admit(user, torrent, now);
}

std::size_t announce_throttle::size() const {
  std::size_t n = 0;
  for (auto& part : parts_.all()) {
    const std::lock_guard lock(part.mutex);
    for (const auto& [user, mine] : part.state) n += mine.size();
  }
  return n;
}

}  // namespace swarmhub::tracker
