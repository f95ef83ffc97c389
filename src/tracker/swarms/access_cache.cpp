#include "swarmhub/tracker/swarms/access_cache.hpp"

#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

std::string pair_key(std::string_view a, std::string_view b) {
  return util::ascii_lower(a) + '\t' + util::ascii_lower(b);
}

// pair_key() for a lookup: in a buffer of the thread's, reused, valid until the next call.
std::string_view lookup_key(std::string_view a, std::string_view b) {
  static thread_local std::string key;
  key.clear();
  util::append_ascii_lower(key, a);
  key += '\t';
  util::append_ascii_lower(key, b);
  return key;
}

template <class Map>
std::optional<std::string> value_of(const Map& m, std::string_view key) {
  const auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

void access_cache::put(map& m, std::string key, std::string value) {
  if (m.size() >= max_entries && !m.contains(key)) m.clear();
  m.insert_or_assign(std::move(key), std::move(value));
}

std::optional<std::string> access_cache::user_of(std::string_view passkey) const {
  const std::shared_lock lock(mutex_);
  return value_of(users_, passkey);
}

std::optional<bool> access_cache::is_member(std::string_view user, std::string_view group) const {
  const std::shared_lock lock(mutex_);
  const auto it = members_.find(lookup_key(user, group));
  if (it == members_.end()) return std::nullopt;
  return it->second == "1";
}

std::optional<std::string> access_cache::swarm_of(std::string_view group,
                                                  std::string_view info_hash) const {
  const std::shared_lock lock(mutex_);
  return value_of(swarms_, lookup_key(group, info_hash));
}

bool access_cache::has_swarm(std::string_view group, std::string_view info_hash) const {
  const std::shared_lock lock(mutex_);
  return swarms_.contains(lookup_key(group, info_hash));
}

bool access_cache::find(std::string_view passkey, std::string_view group,
                        std::string_view info_hash, std::string& user, std::string& swarm_key,
                        bool& member, std::uint64_t& version) const {
  const std::shared_lock lock(mutex_);
  const auto u = users_.find(passkey);
  if (u == users_.end()) return false;
  const auto s = swarms_.find(lookup_key(group, info_hash));
  if (s == swarms_.end()) return false;
  const auto m = members_.find(lookup_key(u->second, group));
  if (m == members_.end()) return false;
  user = u->second;
  swarm_key = s->second;
  member = m->second == "1";
  version = version_.load(std::memory_order_relaxed);  // changes only under the write lock
  return true;
}

void access_cache::set_user(std::string_view passkey, std::string_view user) {
  const std::lock_guard lock(mutex_);
  changed();
  put(users_, std::string(passkey), std::string(user));
}

void access_cache::set_member(std::string_view user, std::string_view group, bool member) {
  const std::lock_guard lock(mutex_);
  changed();
  put(members_, pair_key(user, group), member ? "1" : "0");
}

void access_cache::set_swarm(std::string_view group, std::string_view info_hash,
                             std::string_view swarm_key) {
  const std::lock_guard lock(mutex_);
  changed();
  put(swarms_, pair_key(group, info_hash), std::string(swarm_key));
}

void access_cache::forget_member(std::string_view user, std::string_view group) {
  const std::lock_guard lock(mutex_);
  changed();
  members_.erase(pair_key(user, group));
}

void access_cache::forget_group(std::string_view group) {
  const std::string suffix = '\t' + util::ascii_lower(group);
  const std::string prefix = util::ascii_lower(group) + '\t';
  const std::lock_guard lock(mutex_);
  changed();
  std::erase_if(members_, [&](const auto& e) { return e.first.ends_with(suffix); });
  std::erase_if(swarms_, [&](const auto& e) { return e.first.starts_with(prefix); });
}

void access_cache::forget_swarm(std::string_view group, std::string_view swarm_key) {
  const std::string prefix = util::ascii_lower(group) + '\t';
  const std::lock_guard lock(mutex_);
  changed();
  std::erase_if(
      swarms_, [&](const auto& e) { return e.second == swarm_key && e.first.starts_with(prefix); });
}

void access_cache::forget_user(std::string_view user) {
  const std::lock_guard lock(mutex_);
  changed();
  std::erase_if(users_, [&](const auto& e) { return util::iequals_ascii(e.second, user); });
}

void access_cache::clear() {
  const std::lock_guard lock(mutex_);
  changed();
  users_.clear();
  members_.clear();
  swarms_.clear();
}

}  // namespace swarmhub::tracker
