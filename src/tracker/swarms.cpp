#include "swarmhub/tracker/swarms.hpp"

namespace swarmhub::tracker {

void swarm_registry::prune(swarm& s, clock::time_point now) {
  std::erase_if(s, [now](const auto& kv) { return kv.second.expires <= now; });
}

swarm_registry::reply swarm_registry::announce(const std::string& swarm_key,
                                               const std::string& peer_id, const peer& p,
                                               bool stopped, int want, clock::time_point now) {
  const std::lock_guard lock(mutex_);
  auto& s = swarms_[swarm_key];
  prune(s, now);
  if (stopped) {
    s.erase(peer_id);
  } else {
    s[peer_id] = entry{p, now + lifetime_};
  }
  reply out;
  for (const auto& [id, e] : s) {
    (e.who.left == 0 ? out.seeders : out.leechers) += 1;
    if (id == peer_id || want <= 0) continue;
    const auto port = e.who.port;
    const char port_bytes[2] = {static_cast<char>(port >> 8), static_cast<char>(port & 0xFF)};
    if (e.who.address.is_v4()) {
      const auto bytes = e.who.address.to_v4().to_bytes();
      out.peers4.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      out.peers4.append(port_bytes, 2);
    } else {
      const auto bytes = e.who.address.to_v6().to_bytes();
      out.peers6.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      out.peers6.append(port_bytes, 2);
    }
    --want;
  }
  if (s.empty()) swarms_.erase(swarm_key);
  return out;
}

swarm_registry::counts swarm_registry::count(const std::string& swarm_key, clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto it = swarms_.find(swarm_key);
  if (it == swarms_.end()) return {};
  prune(it->second, now);
  counts out;
  for (const auto& [id, e] : it->second) (e.who.left == 0 ? out.seeders : out.leechers) += 1;
  return out;
}

}  // namespace swarmhub::tracker
