#pragma once
// Who is in each swarm right now, from announces: live state, never stored. A peer that
// stops announcing is forgotten `peer_lifetime` after its last announce. Thread-safe.
//
// A swarm is one group's swarm of one torrent: (group, swarm key). The same content in
// another group is another swarm, so its peers never meet this one's. A peer entry is
// (peer_id, the user who announced it): another user's announce, whatever peer_id it
// sends, never changes or removes it. Group and user names are compared case-insensitively.
//
// Every operation costs O(1) amortised plus the peers it returns, whatever the size of the
// swarm: an announce must stay cheap when thousands of peers share one torrent.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/util/sharded.hpp"
#include "swarmhub/util/string_hash.hpp"

namespace swarmhub::tracker {

// A short fingerprint of a passkey (64-bit FNV-1a), the same on every tracker: enough to tell
// a user's passkeys apart after a new_passkey, not a secret and not a check of one.
std::uint64_t passkey_tag(std::string_view passkey);

class swarm_registry {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t peer_id_size = 20;  // BitTorrent peer ids are 20 bytes

  struct peer {
    std::string user;
    asio::ip::address address;
    std::uint16_t port = 0;
    std::int64_t left = 0;      // bytes still missing; 0 for a seeder
    std::uint64_t passkey = 0;  // passkey_tag of the passkey it was announced with
  };

  struct reply {
    std::string peers4;  // compact IPv4 peers (BEP 23): 6 bytes each
    std::string peers6;  // compact IPv6 peers (BEP 7): 18 bytes each
    int seeders = 0;
    int leechers = 0;
  };

  struct counts {
    int seeders = 0;
    int leechers = 0;
  };

  explicit swarm_registry(std::chrono::seconds peer_lifetime = std::chrono::seconds(360))
      : lifetime_(peer_lifetime) {}

  // Records `p` under (`peer_id` (20 bytes), p.user) in `group`'s swarm `swarm_key` (or
  // forgets that entry when `stopped`) and returns up to `want` other peers of the swarm,
  // from a random place in it so that every peer gets handed out. The counts include the
  // announcing peer.
  reply announce(std::string_view group, std::string_view swarm_key, std::string_view peer_id,
                 const peer& p, bool stopped, int want, clock::time_point now = clock::now());
  // The same into `out`, whose strings keep their room from one call to the next.
  void announce(std::string_view group, std::string_view swarm_key, std::string_view peer_id,
                const peer& p, bool stopped, int want, reply& out,
                clock::time_point now = clock::now());

  counts count(std::string_view group, std::string_view swarm_key,
               clock::time_point now = clock::now());

  // Swarms with a peer, and peer entries, in every group right now (expired ones may still
  // count until their swarm is next touched).
  struct totals {
    std::size_t swarms = 0;
    std::size_t peers = 0;
  };
  totals total();

  // Forgets every peer `user` announced in `group`'s swarms (they left it), or, with no
  // user, the group's swarms altogether (it was removed).
  void forget(std::string_view group, std::string_view user = {});
  // Forgets `group`'s swarm `swarm_key` (its file was removed).
  void forget_swarm(std::string_view group, std::string_view swarm_key);

  // `user` has a new passkey, whose tag is `current`: every entry they announced with another
  // one goes, in every group (a client given the old one is refused from now on; the
  // swarmhub client announces again with the new one).
  void forget_old_passkeys(std::string_view user, std::uint64_t current);

 private:
  // The peer_id, then the announcer's folded user name.
  using peer_key = std::string;
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  // A peer's address and port as an announce reply lists it (BEP 23 and BEP 7), made once
  // when it announces: a reply copies them.
  struct contact {
    std::array<char, 18> bytes{};
    std::uint8_t size = 0;  // 6 for IPv4, 18 for IPv6
  };
  // The members are also a list in announce order, by index (`older`, `newer`). The lifetime
  // is the same for all, so the list is sorted by expiry: the oldest expire first, and an
  // announce moves its member to the newest end. No copy of a key, no lookup, and no memory
  // beyond the members themselves.
  struct member {
    peer_key id;
    peer who;
    clock::time_point expires;
    std::size_t older = none;
    std::size_t newer = none;
  };
  struct swarm {
    std::vector<member> members;  // unordered; removal swaps the last one in
    // contacts[i] is members[i]'s, apart: a reply reads 50 of them in a row, 19 bytes each,
    // instead of one cache line (or more) of each member's (perf: two thirds of an announce's
    // time in the registry went to reading them there).
    std::vector<contact> contacts;
    util::string_map<std::size_t> index;  // id -> members[i]
    std::size_t oldest = none;
    std::size_t newest = none;
    int seeders = 0;
  };

  static contact contact_of(const peer& p);
  // The slots that point at m's neighbours: the newer one's `older` (the swarm's `newest`
  // when m is the newest), the older one's `newer` (its `oldest` when m is the oldest).
  static std::size_t& pointer_from_newer(swarm& s, const member& m);
  static std::size_t& pointer_from_older(swarm& s, const member& m);
  // Takes member i, which is in the list, out of it.
  static void unlink(swarm& s, std::size_t i);
  // Puts member i, which is not in the list, at its newest end.
  static void link_as_newest(swarm& s, std::size_t i);
  static void forget_expired(swarm& s, clock::time_point now);
  static void remove(swarm& s, std::size_t i);

  // The swarms whose key hashes to one part (util::sharded): announces to different
  // torrents take different locks.
  struct swarms_part {
    // By folded group name, then swarm key.
    util::string_map<util::string_map<swarm>> groups;
    std::minstd_rand random{std::random_device{}()};
  };
  std::chrono::seconds lifetime_;
  util::sharded<swarms_part> parts_;
};

}  // namespace swarmhub::tracker
