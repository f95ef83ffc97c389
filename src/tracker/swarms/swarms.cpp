#include "swarmhub/tracker/swarms/swarms.hpp"

#include <algorithm>
#include <cstring>

#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

void append_compact(swarm_registry::reply& out, const swarm_registry::peer& p) {
  const char port_bytes[2] = {static_cast<char>(p.port >> 8), static_cast<char>(p.port & 0xFF)};
  if (p.address.is_v4()) {
    const auto bytes = p.address.to_v4().to_bytes();
    out.peers4.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    out.peers4.append(port_bytes, 2);
  } else {
    const auto bytes = p.address.to_v6().to_bytes();
    out.peers6.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    out.peers6.append(port_bytes, 2);
  }
}

}  // namespace

std::uint64_t passkey_tag(std::string_view passkey) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : passkey) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

void swarm_registry::remove(swarm& s, std::size_t i) {
  if (s.members[i].who.left == 0) --s.seeders;
  s.index.erase(s.members[i].id);
  if (i + 1 != s.members.size()) {
    s.members[i] = std::move(s.members.back());
    s.index[s.members[i].id] = i;
  }
  s.members.pop_back();
}

void swarm_registry::forget_expired(swarm& s, clock::time_point now) {
  while (!s.expiries.empty() && s.expiries.front().at <= now) {
    const auto it = s.index.find(s.expiries.front().id);
    // Gone already (stopped), or announced again since: that entry is stale.
    if (it != s.index.end() && s.members[it->second].expires <= now) remove(s, it->second);
    s.expiries.pop_front();
  }
}

swarm_registry::reply swarm_registry::announce(std::string_view group, std::string_view swarm_key,
                                               std::string_view peer_id, const peer& p,
                                               bool stopped, int want, clock::time_point now) {
  // The keys are built in buffers of the thread's, reused: a lookup makes no string, and
  // only a new entry copies them.
  static thread_local std::string id, folded_group;
  id.assign(peer_id.substr(0, peer_id_size));
  id.resize(peer_id_size, '\0');
  util::append_ascii_lower(id, p.user);
  folded_group.clear();
  util::append_ascii_lower(folded_group, group);

  auto& part = parts_.of(swarm_key);
  const std::lock_guard lock(part.mutex);
  auto& groups = part.state.groups;
  auto g = groups.find(folded_group);
  if (g == groups.end()) g = groups.try_emplace(folded_group).first;
  auto& swarms = g->second;
  auto here = swarms.find(swarm_key);
  if (here == swarms.end()) here = swarms.try_emplace(std::string(swarm_key)).first;
  auto& s = here->second;
  forget_expired(s, now);
  const auto found = s.index.find(id);
  std::size_t self = s.members.size();  // none
  if (stopped) {
    if (found != s.index.end()) remove(s, found->second);
  } else {
    const auto expires = now + lifetime_;
    if (found == s.index.end()) {
      self = s.members.size();
      s.index.emplace(id, self);
      s.members.push_back(member{id, p, expires});
    } else {
      self = found->second;
      if (s.members[self].who.left == 0) --s.seeders;
      s.members[self].who = p;
      s.members[self].expires = expires;
    }
    if (p.left == 0) ++s.seeders;
    s.expiries.push_back(expiry{expires, id});
  }

  reply out;
  const auto total = static_cast<int>(s.members.size());
  out.seeders = s.seeders;
  out.leechers = total - s.seeders;
  // A window of the swarm from a random start, wrapping round, without the announcer.
  const auto others = total - (self < s.members.size() ? 1 : 0);
  want = std::clamp(want, 0, others);
  out.peers4.reserve(static_cast<std::size_t>(want) * 6);  // most peers are IPv4
  const std::size_t start = total > 0 ? part.state.random() % static_cast<std::size_t>(total) : 0;
  for (std::size_t k = 0; want > 0; ++k) {
    const auto i = (start + k) % s.members.size();
    if (i == self) continue;
    append_compact(out, s.members[i].who);
    --want;
  }
  if (s.members.empty()) {
    swarms.erase(here);
    if (swarms.empty()) groups.erase(g);
  }
  return out;
}

swarm_registry::counts swarm_registry::count(std::string_view group, std::string_view swarm_key,
                                             clock::time_point now) {
  auto& part = parts_.of(swarm_key);
  const std::lock_guard lock(part.mutex);
  auto& groups = part.state.groups;
  const auto g = groups.find(util::ascii_lower(group));
  if (g == groups.end()) return {};
  const auto it = g->second.find(swarm_key);
  if (it == g->second.end()) return {};
  forget_expired(it->second, now);
  const auto total = static_cast<int>(it->second.members.size());
  return {it->second.seeders, total - it->second.seeders};
}

void swarm_registry::forget(std::string_view group, std::string_view user) {
  const auto folded_group = util::ascii_lower(group);
  const auto owner = util::ascii_lower(user);
  for (auto& part : parts_.all()) {
    const std::lock_guard lock(part.mutex);
    auto& groups = part.state.groups;
    const auto g = groups.find(folded_group);
    if (g == groups.end()) continue;
    if (user.empty()) {
      groups.erase(g);
      continue;
    }
    for (auto it = g->second.begin(); it != g->second.end();) {
      auto& s = it->second;
      for (std::size_t i = s.members.size(); i-- > 0;) {
        if (std::string_view(s.members[i].id).substr(peer_id_size) == owner) remove(s, i);
      }
      it = s.members.empty() ? g->second.erase(it) : std::next(it);
    }
    if (g->second.empty()) groups.erase(g);
  }
}

void swarm_registry::forget_swarm(std::string_view group, std::string_view swarm_key) {
  auto& part = parts_.of(swarm_key);
  const std::lock_guard lock(part.mutex);
  auto& groups = part.state.groups;
  const auto g = groups.find(util::ascii_lower(group));
  if (g == groups.end()) return;
  g->second.erase(std::string(swarm_key));
  if (g->second.empty()) groups.erase(g);
}

void swarm_registry::forget_old_passkeys(std::string_view user, std::uint64_t current) {
  const auto owner = util::ascii_lower(user);
  for (auto& part : parts_.all()) {
    const std::lock_guard lock(part.mutex);
    auto& groups = part.state.groups;
    for (auto g = groups.begin(); g != groups.end();) {
      for (auto it = g->second.begin(); it != g->second.end();) {
        auto& s = it->second;
        for (std::size_t i = s.members.size(); i-- > 0;) {
          const auto& m = s.members[i];
          if (m.who.passkey != current && std::string_view(m.id).substr(peer_id_size) == owner)
            remove(s, i);
        }
        it = s.members.empty() ? g->second.erase(it) : std::next(it);
      }
      g = g->second.empty() ? groups.erase(g) : std::next(g);
    }
  }
}

swarm_registry::totals swarm_registry::total() {
  totals out;
  for (auto& part : parts_.all()) {
    const std::lock_guard lock(part.mutex);
    for (const auto& [group, swarms] : part.state.groups) {
      for (const auto& [key, s] : swarms) {
        if (s.members.empty()) continue;
        ++out.swarms;
        out.peers += s.members.size();
      }
    }
  }
  return out;
}

}  // namespace swarmhub::tracker
