#pragma once
// Everything a tracker can be told at start. apps/tracker/main.cpp fills it from flags.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "swarmhub/net/host_port.hpp"
#include "swarmhub/tracker/accounts/passwords.hpp"
#include "swarmhub/tracker/conn/plaintext_rule.hpp"

namespace swarmhub::tracker {

struct tracker_options {
  net::host_port listen{"0.0.0.0", 7070};
  unsigned threads = 0;  // 0: one per core
  // With the default count of I/O threads (one per core), each is bound to its core.
  bool bind_threads = true;

  std::string data_dir = "data";  // holds tracker.db (SQLite) and tracker.lock
  // A PostgreSQL connection string: the store several trackers share. Empty: SQLite in
  // data_dir, for one tracker.
  std::string store;
  // The trackers of tracker_info.txt when started from it, and which one this is (0-based).
  std::vector<net::host_port> tracker_list;
  std::size_t tracker_index = 0;
  // How long a login outlives its tracker: a tracker renews its users' logins in the store
  // every third of this, so after a crash they may log in elsewhere once it has passed.
  std::chrono::milliseconds login_lease{std::chrono::seconds(15)};
  // How long a member certificate of a sealed group is valid (docs/protocol.md): a member who
  // leaves can still prove membership to peers for at most this long.
  std::chrono::seconds member_cert_lifetime{std::chrono::hours(1)};
  std::string server_password;  // empty: none (T5)
  hash_cost password_cost = hash_cost::interactive;
  unsigned max_auth_failures = 3;  // wrong server passwords before the connection is closed
  bool exit_when_empty = false;    // T6: stop when the last client leaves
  // Accounts one address may create before create_user is slowed down (docs/protocol.md).
  unsigned new_users_per_address = 20;

  // Chat (C1-C5).
  std::string chat_log_path;         // "" logs nothing; main defaults it to <data_dir>/chat.log
  bool log_direct_messages = false;  // direct messages go to chat.log too
  std::size_t max_message = 2000;    // bytes of one chat message
  double chat_rate = 10;             // messages per second per user, sustained ...
  double chat_burst = 30;            // ... after a burst of this many
  unsigned max_flood_refusals = 50;  // refused messages in a row before a cut-off
  std::size_t lobby_presence_limit = 100;  // above this many online, lobby joins are not announced
  std::size_t backlog_limit = 1000;        // unseen group messages delivered at login, at most

  // Limits on what one peer can make the tracker hold or do (T7).
  std::size_t max_line = 64 * 1024;      // bytes in one request line
  std::size_t max_output = 1024 * 1024;  // bytes queued for a client before it is cut off
  unsigned max_malformed = 16;           // malformed lines in a row before a cut-off
  std::size_t max_clients = 200'000;     // connections held at once
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds linger{std::chrono::seconds(2)};  // waiting for the peer to close
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(5)};
  // A connection that says nothing this long is greeted as a line client. One that starts
  // with an HTTP request line is served HTTP instead, and never sees the greeting.
  std::chrono::milliseconds greeting_delay{100};
  // What one user can make the store keep (store::quotas; 0: no limit).
  std::int64_t max_groups_per_user = 1'000;  // groups owned
  std::int64_t max_files_per_user = 10'000;  // files registered, in all groups together
  std::int64_t max_unfinished_layers = 4;    // piece layers being sent at once

  // TLS on the same port (a connection whose first byte is 0x16). Empty paths: the
  // self-signed certificate kept in data_dir/tls (net::ensure_self_signed).
  std::string tls_cert;
  std::string tls_key;
  // A handshake not finished in this time is cut off (a client stalled mid-handshake).
  std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(10)};
  plaintext_mode plaintext = plaintext_mode::loopback;
  // GET /metrics: served to loopback; elsewhere only with `Authorization: Bearer <this>`
  // (empty: never elsewhere).
  std::string metrics_token;

  // Bytes queued above which a client's further requests wait (its replies must drain).
  std::size_t read_pause_threshold() const { return max_output / 4; }
};

}  // namespace swarmhub::tracker
