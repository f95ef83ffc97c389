#include "swarmhub/tracker/swarms/swarms.hpp"

#include <algorithm>
#include <cstring>

#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
std::uint64_t passkey_tag(std::string_view passkey) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : passkey) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

swarm_registry::contact swarm_registry::contact_of(const peer& p) {
  contact out;
  const auto put = [&out](const auto& address_bytes) {
    std::memcpy(out.bytes.data(), address_bytes.data(), address_bytes.size());
    out.size = static_cast<std::uint8_t>(address_bytes.size() + 2);
  };
  if (p.address.is_v4()) {
    put(p.address.to_v4().to_bytes());
  } else {
    put(p.address.to_v6().to_bytes());
  }
  out.bytes[out.size - 2] = static_cast<char>(p.port >> 8);
  out.bytes[out.size - 1] = static_cast<char>(p.port & 0xFF);
  return out;
}

std::size_t& swarm_registry::pointer_from_newer(swarm& s, const member& m) {
  return m.newer != none ? s.members[m.newer].older : s.newest;
}

std::size_t& swarm_registry::pointer_from_older(swarm& s, const member& m) {
  return m.older != none ? s.members[m.older].newer : s.oldest;
}

void swarm_registry::unlink(swarm& s, std::size_t i) {
  auto& m = s.members[i];
  pointer_from_older(s, m) = m.newer;
  pointer_from_newer(s, m) = m.older;
  m.older = m.newer = none;
}

void swarm_registry::link_as_newest(swarm& s, std::size_t i) {
  auto& m = s.members[i];
  m.older = s.newest;
  m.newer = none;
  pointer_from_older(s, m) = i;
  s.newest = i;
}

void swarm_registry::remove(swarm& s, std::size_t i) {
  unlink(s, i);  // nothing points at i any more
  if (s.members[i].who.left == 0) --s.seeders;
  s.index.erase(s.members[i].id);
  if (i + 1 != s.members.size()) {
    // The last member moves into the hole: its neighbours in the list, and its index entry
    // (always there), follow it.
    auto& moved = s.members[i] = std::move(s.members.back());
    s.contacts[i] = s.contacts.back();
    pointer_from_older(s, moved) = i;
    pointer_from_newer(s, moved) = i;
    s.index.find(moved.id)->second = i;
  }
  s.members.pop_back();
  s.contacts.pop_back();
}

void swarm_registry::forget_expired(swarm& s, clock::time_point now) {
  while (s.oldest != none && s.members[s.oldest].expires <= now) remove(s, s.oldest);
}

swarm_registry::reply swarm_registry::announce(std::string_view group, std::string_view swarm_key,
                                               std::string_view peer_id, const peer& p,
                                               bool stopped, int want, clock::time_point now) {
  reply out;
  announce(group, swarm_key, peer_id, p, stopped, want, out, now);
  return out;
}

void swarm_registry::announce(std::string_view group, std::string_view swarm_key,
                              std::string_view peer_id, const peer& p, bool stopped, int want,
                              reply& out, clock::time_point now) {
  // The keys are built in buffers of the thread's, reused: a lookup makes no string, and
  // only a new entry copies them.
  static thread_local std::string id, folded_group;
  id.assign(peer_id.substr(0, peer_id_size));
  id.resize(peer_id_size, '\0');
  util::append_ascii_lower(id, p.user);
  folded_group.clear();
  util::append_ascii_lower(folded_group, group);
  const auto reachable = contact_of(p);

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
  std::size_t self = none;
  if (stopped) {
    if (found != s.index.end()) remove(s, found->second);
  } else {
    const auto expires = now + lifetime_;
    if (found == s.index.end()) {
      self = s.members.size();
      s.index.emplace(id, self);
      s.members.push_back(member{id, p, expires});
      s.contacts.push_back(reachable);
    } else {
      self = found->second;
      unlink(s, self);
      auto& m = s.members[self];
      if (m.who.left == 0) --s.seeders;
      m.who = p;
      m.expires = expires;
      s.contacts[self] = reachable;
    }
    link_as_newest(s, self);
    if (p.left == 0) ++s.seeders;
  }

  const auto total = s.members.size();
  out.seeders = s.seeders;
  out.leechers = static_cast<int>(total) - s.seeders;
  out.peers4.clear();
  out.peers6.clear();
  // A window of the swarm from a random start, wrapping round, without the announcer.
  const auto others = static_cast<int>(total) - (self != none ? 1 : 0);
  want = std::clamp(want, 0, others);
  out.peers4.reserve(static_cast<std::size_t>(want) * 6);  // most peers are IPv4
  std::size_t i = total > 0 ? part.state.random() % total : 0;
  for (; want > 0; i = i + 1 == total ? 0 : i + 1) {
    if (i == self) continue;
    const auto& c = s.contacts[i];
    (c.size == 6 ? out.peers4 : out.peers6).append(c.bytes.data(), c.size);
    --want;
  }
  if (s.members.empty()) {
    swarms.erase(here);
    if (swarms.empty()) groups.erase(g);
  }
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
