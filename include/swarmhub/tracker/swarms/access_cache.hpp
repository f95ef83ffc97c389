#pragma once
// What an announce needs to know, kept in memory so that announces do not wait for the
// store: passkey -> user, (user, group) -> member or not, (group, announced info-hash) ->
// the swarm key. Filled from the store on a miss; thread-safe.
//
// Staying correct: every write of the cache happens inside a store job (on the store
// thread), and so does every change of membership (this tracker's join, accept, leave) and
// every event from the other trackers of a shared store (relay::handle), which forget the
// entries they change. A fill reads the store either before a change committed, and then
// the change's forget runs after it, or after, and then it reads the change. When the feed
// loses events, a store job clears everything. A removed file's entries are forgotten the same
// way (swarms/membership.hpp).
//
// Bounded: each map holds at most `max_entries`; a full map is emptied (it refills itself).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "swarmhub/util/string_hash.hpp"

namespace swarmhub::tracker {

class access_cache {
 public:
  static constexpr std::size_t max_entries = 1 << 18;

  std::optional<std::string> user_of(std::string_view passkey) const;
  std::optional<bool> is_member(std::string_view user, std::string_view group) const;
  std::optional<std::string> swarm_of(std::string_view group, std::string_view info_hash) const;
  bool has_swarm(std::string_view group, std::string_view info_hash) const;
  // All an announce needs at once: true, with `user`, `swarm_key`, `member` and the
  // `version` they were read at set, when all three are known.
  bool find(std::string_view passkey, std::string_view group, std::string_view info_hash,
            std::string& user, std::string& swarm_key, bool& member, std::uint64_t& version) const;

  // Counts the changes: every set, forget and clear adds one, inside its write lock, so the
  // version `find` returns is the one its answers were read at. A change is seen by a later
  // version() when something orders them, such as a lock both take after it (see
  // http_service.cpp's check after an announce's entry): not by the atomic's own orderings.
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

  void set_user(std::string_view passkey, std::string_view user);
  void set_member(std::string_view user, std::string_view group, bool member);
  void set_swarm(std::string_view group, std::string_view info_hash, std::string_view swarm_key);

  // A membership changed: `user` joined or left `group`.
  void forget_member(std::string_view user, std::string_view group);
  // `group` was removed (or made again): every entry of it goes.
  void forget_group(std::string_view group);
  // A file of `group` left the registry: every info-hash that led to its swarm goes.
  void forget_swarm(std::string_view group, std::string_view swarm_key);
  // `user`'s passkey changed.
  void forget_user(std::string_view user);
  void clear();

 private:
  using map = util::string_map<std::string>;
  static void put(map& m, std::string key, std::string value);
  void changed() { version_.fetch_add(1, std::memory_order_release); }  // under the write lock

  // Announces read in parallel; fills and forgets write. glibc's lock lets new readers in
  // while a writer waits: each read is a few lookups, so with one reader per I/O thread
  // there are gaps for a writer all the time.
  mutable std::shared_mutex mutex_;
  map users_;    // passkey -> user
  map members_;  // folded user \t folded group -> "1" or "0"
  map swarms_;   // folded group \t info-hash -> swarm key
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace swarmhub::tracker
