#pragma once
// What every session of one tracker shares: its options, counters, the set of sessions, who
// is online, the store and the threads for slow work. Owned by the server, outlives sessions.

#include <memory>
#include <string>

#include "swarmhub/net/offload_pool.hpp"
#include "swarmhub/net/tls_server_context.hpp"
#include "swarmhub/store/async_store.hpp"
#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/tracker/accounts/login_throttle.hpp"
#include "swarmhub/tracker/accounts/presence.hpp"
#include "swarmhub/tracker/chat/chat_log.hpp"
#include "swarmhub/tracker/chat/fanout.hpp"
#include "swarmhub/tracker/chat/feed_marks.hpp"
#include "swarmhub/tracker/chat/pairing.hpp"
#include "swarmhub/tracker/chat/room_posts.hpp"
#include "swarmhub/tracker/chat/rooms.hpp"
#include "swarmhub/tracker/chat/seen_marks.hpp"
#include "swarmhub/tracker/conn/session_registry.hpp"
#include "swarmhub/tracker/options.hpp"
#include "swarmhub/tracker/stats.hpp"
#include "swarmhub/tracker/swarms/access_cache.hpp"
#include "swarmhub/tracker/swarms/announce_throttle.hpp"
#include "swarmhub/tracker/swarms/swarms.hpp"

namespace swarmhub::tracker {

std::string make_tracker_id(const tracker_options& options);

struct tracker_core {
  tracker_core(tracker_options opts, std::unique_ptr<store::async_store> db)
      : options(std::move(opts)),
        tracker_id(make_tracker_id(options)),
        store(std::move(db)),
        log(options.chat_log_path) {}

  // When this tracker's logins lapse if it stops renewing them from now on (unix ms).
  std::int64_t lease_end(std::int64_t now_ms) const { return now_ms + options.login_lease.count(); }

  const tracker_options options;
  // Names this process among the trackers of one store: its address and a random part.
  const std::string tracker_id;
  // The identity of the store (store::backend::store_id), read once at start.
  std::string store_id;
  tracker_stats stats;
  session_registry sessions;
  presence online;
  // Login throttles (docs/protocol.md, "Limits on guessing"): per user name or per known
  // (user, address) pair, per address, and accounts created per address.
  login_throttle throttle;
  login_throttle address_throttle{{.free_failures = 20}};
  login_throttle new_users{{.free_failures = options.new_users_per_address,
                            .first_delay = std::chrono::minutes(1),
                            .max_delay = std::chrono::hours(1),
                            .forget_after = std::chrono::hours(1)}};
  known_addresses known;
  std::unique_ptr<store::async_store> store;
  // Events from the other trackers of a shared store; null for a store of one tracker.
  std::unique_ptr<store::event_feed> feed;
  net::offload_pool hashing{2};  // Argon2id is slow on purpose; it never runs on I/O threads
  room_registry rooms;
  room_posts posts{*this};
  room_fanout fanout;      // started by the server with one shard per I/O thread
  seen_marks seen{*this};  // users' read marks, stored in batches
  // Room and direct messages the event feed brought lately (ids of two sequences); on the
  // store thread only (see its header).
  feed_marks room_marks;
  feed_marks direct_marks;
  pairing pairs;
  chat_log log;
  swarm_registry swarms;
  access_cache access;  // written on the store thread only (see its header)
  announce_throttle announces;
  // The certificate new TLS connections get; reloaded on SIGHUP. Null: no TLS (0x16 is then
  // just a byte of the line protocol).
  std::unique_ptr<net::tls_server_context> tls;
};

}  // namespace swarmhub::tracker
