#pragma once
// The store, written once for both engines: every method of store::backend as statements of
// the shared SQL over a connection (sql_connection.hpp). An engine's file instantiates it
// with its connection (sqlite_store.cpp, pg_store.cpp). Private to src/store.
//
// Transactions: a method that reads before it writes, or writes more than once, runs in one
// transaction (transact); a single statement is its own. On PostgreSQL a transaction that
// conflicts with another tracker's runs again from the start, so `work` must only compute
// its result from what it reads.

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "migrations.hpp"
#include "sql_connection.hpp"
#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/store/store.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::store::sql {

inline std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <connection Connection>
class sql_store final : public backend {
 public:
  template <class... Args>
  explicit sql_store(Args&&... connection_args) : db_(std::forward<Args>(connection_args)...) {}

  Connection& connection() { return db_; }

  // Brings the schema up to date. Throws store_failure for a schema newer than this build's.
  void migrate() {
    [[maybe_unused]] const auto lock = db_.lock_migrations();
    transact([&] {
      db_.script(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "applied_at BIGINT NOT NULL)");
      const auto current =
          single_integer("SELECT coalesce(max(version), 0) FROM schema_migrations");
      const auto known = static_cast<std::int64_t>(migrations().size());
      if (current > known) {
        throw store_failure("the database has schema version " + std::to_string(current) +
                            ", newer than this tracker knows (" + std::to_string(known) + ")");
      }
      for (auto version = current + 1; version <= known; ++version) {
        db_.script(in_dialect(Connection::kind, migrations()[static_cast<std::size_t>(version - 1)])
                       .c_str());
        db_.execute("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)", version,
                    now_seconds());
      }
    });
  }

  status create_user(std::string_view name, std::string_view password_hash) override {
    const auto inserted = db_.execute(
        "INSERT INTO users(name, password_hash, created_at, lobby_since) "
        "VALUES ($1, $2, $3, (SELECT coalesce(max(id), 0) FROM room_messages)) "
        "ON CONFLICT (name) DO NOTHING",
        name, password_hash, now_seconds());
    return inserted == 1 ? status::ok : status::user_exists;
  }

  std::optional<user_record> find_user(std::string_view name) override {
    auto r = db_.query("SELECT id, name, password_hash FROM users WHERE name = $1", name);
    if (!r.next()) return std::nullopt;
    return user_record{r.integer(0), r.text(1), r.text(2)};
  }

  status create_group(std::string_view group, std::string_view owner) override {
    return transact([&] {
      const auto owner_id = user_id(owner);
      if (!owner_id) return status::no_such_user;
      if (quotas_.groups_per_user > 0) {
        if (db_.query("SELECT 1 FROM groups WHERE name = $1", group).next()) {
          return status::group_exists;
        }
        if (single_integer("SELECT count(*) FROM groups WHERE owner_id = $1", *owner_id) >=
            quotas_.groups_per_user) {
          return status::quota_exceeded;
        }
      }
      const auto now = now_seconds();
      if (db_.execute("INSERT INTO groups(name, owner_id, created_at) VALUES ($1, $2, $3) "
                      "ON CONFLICT (name) DO NOTHING",
                      group, *owner_id, now) == 0) {
        return status::group_exists;
      }
      add_member(single_integer("SELECT id FROM groups WHERE name = $1", group), *owner_id, now);
      return status::ok;
    });
  }

  std::vector<group_summary> list_groups() override {
    auto r = db_.query(
        "SELECT g.name, u.name, (SELECT count(*) FROM memberships m WHERE m.group_id = g.id), "
        "g.mode FROM groups g JOIN users u ON u.id = g.owner_id ORDER BY g.name");
    std::vector<group_summary> out;
    while (r.next()) {
      out.push_back(
          {r.text(0), r.text(1), r.integer(2), parse_mode(r.text(3)).value_or(group_mode::sealed)});
    }
    return out;
  }

  status set_group_mode(std::string_view group, std::string_view owner, group_mode mode) override {
    return transact([&] {
      auto g = find_group(group);
      if (!g) return status::no_such_group;
      if (!util::iequals_ascii(g->owner, owner)) return status::not_owner;
      db_.execute("UPDATE groups SET mode = $2 WHERE id = $1", g->id, mode_name(mode));
      return status::ok;
    });
  }

  join_result join_group(std::string_view group, std::string_view user) override {
    return transact([&]() -> join_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid) return {status::no_such_user};
      if (membership(g->id, *uid)) return {status::already_member, g->name, g->owner};
      const auto inserted = db_.execute(
          "INSERT INTO join_requests(group_id, user_id, requested_at) VALUES ($1, $2, $3) "
          "ON CONFLICT DO NOTHING",
          g->id, *uid, now_seconds());
      if (inserted == 0) return {status::request_pending, g->name, g->owner};
      return {status::ok, g->name, g->owner};
    });
  }

  listing<join_request> list_requests(std::string_view group, std::string_view owner) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    if (!util::iequals_ascii(g->owner, owner)) return {status::not_owner};
    auto r = db_.query(
        "SELECT u.name, r.requested_at FROM join_requests r JOIN users u ON u.id = r.user_id "
        "WHERE r.group_id = $1 ORDER BY r.requested_at, u.name",
        g->id);
    listing<join_request> out;
    while (r.next()) out.items.push_back({r.text(0), r.integer(1)});
    return out;
  }

  decision_result accept_request(std::string_view group, std::string_view owner,
                                 std::string_view user) override {
    return decide(group, owner, user, true);
  }

  decision_result reject_request(std::string_view group, std::string_view owner,
                                 std::string_view user) override {
    return decide(group, owner, user, false);
  }

  decision_result remove_member(std::string_view group, std::string_view owner,
                                std::string_view user) override {
    return transact([&]() -> decision_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      if (!util::iequals_ascii(g->owner, owner)) return {status::not_owner, g->name};
      auto who = db_.query("SELECT id, name FROM users WHERE name = $1", user);
      if (!who.next()) return {status::no_such_user, g->name};
      const auto uid = who.integer(0);
      std::string canonical = who.text(1);
      if (uid == g->owner_id) return {status::is_owner, g->name, canonical};
      if (db_.execute("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2", g->id, uid) ==
          0) {
        return {status::not_member, g->name, canonical};
      }
      return {status::ok, g->name, canonical};
    });
  }

  leave_result leave_group(std::string_view group, std::string_view user) override {
    return transact([&]() -> leave_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid) return {status::no_such_user};
      leave_result out{status::ok, leave_result::effect::left, g->name, {}};
      if (!membership(g->id, *uid)) {
        if (!remove_request(g->id, *uid)) return {status::not_member, {}, g->name};
        out.what = leave_result::effect::withdrew_request;
        return out;
      }
      db_.execute("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2", g->id, *uid);
      if (g->owner_id != *uid) return out;
      auto next = db_.query(
          "SELECT m.user_id, u.name FROM memberships m JOIN users u ON u.id = m.user_id "
          "WHERE m.group_id = $1 ORDER BY m.id LIMIT 1",
          g->id);
      if (next.next()) {
        out.new_owner = next.text(1);
        out.what = leave_result::effect::owner_changed;
        db_.execute("UPDATE groups SET owner_id = $1 WHERE id = $2", next.integer(0), g->id);
      } else {
        out.what = leave_result::effect::group_removed;
        db_.execute("DELETE FROM groups WHERE id = $1", g->id);
      }
      return out;
    });
  }

  listing<member_info> list_members(std::string_view group, std::string_view requester) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(requester);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto r = db_.query(
        "SELECT u.name, m.user_id = $2, m.joined_at FROM memberships m "
        "JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 ORDER BY m.id",
        g->id, g->owner_id);
    listing<member_info> out;
    while (r.next()) out.items.push_back({r.text(0), r.boolean(1), r.integer(2)});
    return out;
  }

  bool is_member(std::string_view group, std::string_view user) override {
    return db_
        .query(
            "SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id "
            "JOIN users u ON u.id = m.user_id WHERE g.name = $1 AND u.name = $2",
            group, user)
        .next();
  }

  std::vector<pending_count> pending_requests_for_owner(std::string_view owner) override {
    auto r = db_.query(
        "SELECT g.name, count(*) FROM join_requests r JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = g.owner_id WHERE u.name = $1 GROUP BY g.id, g.name "
        "ORDER BY g.name",
        owner);
    std::vector<pending_count> out;
    while (r.next()) out.push_back({r.text(0), r.integer(1)});
    return out;
  }

  std::vector<std::string> groups_of(std::string_view user) override {
    return first_column(
        "SELECT g.name FROM memberships m JOIN groups g ON g.id = m.group_id "
        "JOIN users u ON u.id = m.user_id WHERE u.name = $1 ORDER BY g.name",
        user);
  }

  post_result post_room_message(std::string_view group, std::string_view sender,
                                std::string_view body) override {
    return transact([&] {
      hold_rooms({group});
      return post_one(group, sender, body);
    });
  }

  // Group commit: one transaction, so one durable commit, for the whole batch.
  std::vector<post_result> post_room_messages(const std::vector<room_post>& posts) override {
    return transact([&] {
      std::vector<std::string_view> rooms;
      rooms.reserve(posts.size());
      for (const auto& p : posts) rooms.push_back(p.group);
      hold_rooms(std::move(rooms));
      std::vector<post_result> out;
      out.reserve(posts.size());
      for (const auto& p : posts) out.push_back(post_one(p.group, p.sender, p.body));
      return out;
    });
  }

  listing<room_message> room_history(std::string_view group, std::string_view user,
                                     std::size_t limit) override {
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    const auto count = static_cast<std::int64_t>(limit);
    listing<room_message> out;
    const auto read = [&](auto rows, const std::string& room) {
      while (rows.next()) {
        out.items.push_back({rows.integer(0), room, rows.text(1), rows.text(2), rows.integer(3)});
      }
    };
    if (group.empty()) {  // the lobby's, from the user's creation on
      read(db_.query("SELECT * FROM (SELECT r.id, u.name, r.body, r.sent_at_ms "
                     "FROM room_messages r JOIN users u ON u.id = r.sender_id "
                     "WHERE r.group_id IS NULL "
                     "AND r.id > (SELECT lobby_since FROM users WHERE id = $1) "
                     "ORDER BY r.id DESC LIMIT $2) AS newest "
                     "ORDER BY 1",
                     *uid, count),
           std::string());
      return out;
    }
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    auto since = db_.query(
        "SELECT since_message FROM memberships WHERE group_id = $1 AND user_id = $2", g->id, *uid);
    if (!since.next()) return {status::not_member};
    read(db_.query("SELECT * FROM (SELECT r.id, u.name, r.body, r.sent_at_ms "
                   "FROM room_messages r JOIN users u ON u.id = r.sender_id "
                   "WHERE r.group_id = $1 AND r.id > $2 ORDER BY r.id DESC LIMIT $3) AS newest "
                   "ORDER BY 1",
                   g->id, since.integer(0), count),
         g->name);
    return out;
  }

  listing<room_message> room_history_page(std::string_view group, std::string_view user,
                                          const history_page& page) override {
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    std::optional<std::int64_t> group_id;  // none: the lobby
    std::string room;
    std::int64_t since = 0;
    if (group.empty()) {
      since = single_integer("SELECT lobby_since FROM users WHERE id = $1", *uid);
    } else {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      auto joined =
          db_.query("SELECT since_message FROM memberships WHERE group_id = $1 AND user_id = $2",
                    g->id, *uid);
      if (!joined.next()) return {status::not_member};
      since = joined.integer(0);
      group_id = g->id;
      room = g->name;
    }
    // The lobby's group_id is NULL: 0 stands for it, as no group has that id.
    const std::string sql = std::string(
                                "SELECT * FROM (SELECT r.id, u.name, r.body, r.sent_at_ms "
                                "FROM room_messages r JOIN users u ON u.id = r.sender_id "
                                "WHERE coalesce(r.group_id, 0) = $1 AND r.id > $2 AND r.id < $3 "
                                "AND r.sent_at_ms > $4 AND r.sent_at_ms < $5 ORDER BY r.id ") +
                            (page.from_newest ? "DESC" : "ASC") + " LIMIT $6) AS page ORDER BY 1";
    auto rows =
        db_.query(sql.c_str(), group_id.value_or(0), std::max(page.after_id, since), page.before_id,
                  page.after_ms, page.before_ms, static_cast<std::int64_t>(page.limit));
    listing<room_message> out;
    while (rows.next()) {
      out.items.push_back({rows.integer(0), room, rows.text(1), rows.text(2), rows.integer(3)});
    }
    return out;
  }

  listing<direct_message> direct_history_page(std::string_view user, std::string_view peer,
                                              const history_page& page) override {
    const auto me = user_id(user);
    const auto other = user_id(peer);
    if (!me || !other) return {status::no_such_user};
    const std::string sql =
        std::string(
            "SELECT * FROM (SELECT d.id, s.name, r.name, d.body, d.sent_at_ms "
            "FROM direct_messages d "
            "JOIN users s ON s.id = d.sender_id JOIN users r ON r.id = d.recipient_id "
            "WHERE ((d.sender_id = $1 AND d.recipient_id = $2) "
            "OR (d.sender_id = $2 AND d.recipient_id = $1)) AND d.id > $3 AND d.id < $4 "
            "AND d.sent_at_ms > $5 AND d.sent_at_ms < $6 ORDER BY d.id ") +
        (page.from_newest ? "DESC" : "ASC") + " LIMIT $7) AS page ORDER BY 1";
    auto rows = db_.query(sql.c_str(), *me, *other, page.after_id, page.before_id, page.after_ms,
                          page.before_ms, static_cast<std::int64_t>(page.limit));
    listing<direct_message> out;
    while (rows.next()) {
      out.items.push_back(
          {rows.integer(0), rows.text(1), rows.text(2), rows.text(3), rows.integer(4)});
    }
    return out;
  }

  listing<history_target> history_targets(std::string_view user,
                                          const history_page& page) override {
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    // One row per conversation with its latest message in the span: each group's room (since
    // the user joined it), the lobby (since the account was made), each correspondent. The
    // names' column comes first from a name column: it orders names as names (SQLite's
    // collation of a compound select is its first one's).
    const std::string sql =
        std::string(
            "SELECT * FROM ("
            "SELECT 0 AS direct, g.name AS name, max(r.sent_at_ms) AS latest "
            "FROM room_messages r "
            "JOIN memberships m ON m.group_id = r.group_id JOIN groups g ON g.id = r.group_id "
            "WHERE m.user_id = $1 AND r.id > m.since_message "
            "AND r.sent_at_ms > $2 AND r.sent_at_ms < $3 GROUP BY g.id, g.name "
            "UNION ALL "
            "SELECT 0, '', max(r.sent_at_ms) FROM room_messages r "
            "WHERE r.group_id IS NULL AND r.id > (SELECT lobby_since FROM users WHERE id = $1) "
            "AND r.sent_at_ms > $2 AND r.sent_at_ms < $3 GROUP BY r.group_id "
            "UNION ALL "
            "SELECT 1, u.name, max(d.sent_at_ms) FROM direct_messages d JOIN users u "
            "ON u.id = CASE WHEN d.sender_id = $1 THEN d.recipient_id ELSE d.sender_id END "
            "WHERE (d.sender_id = $1 OR d.recipient_id = $1) "
            "AND d.sent_at_ms > $2 AND d.sent_at_ms < $3 GROUP BY u.id, u.name ") +
        // Equal times: rooms first, then by name; the limit cuts that order from either end.
        (page.from_newest ? "ORDER BY 3 DESC, 1 DESC, 2 DESC" : "ORDER BY 3, 1, 2") +
        " LIMIT $4) AS page ORDER BY 3, 1, 2";
    auto rows = db_.query(sql.c_str(), *uid, page.after_ms, page.before_ms,
                          static_cast<std::int64_t>(page.limit));
    listing<history_target> out;
    while (rows.next()) {
      out.items.push_back({rows.integer(0) != 0, rows.text(1), rows.integer(2)});
    }
    return out;
  }

  backlog unseen_room_messages(std::string_view user, std::size_t limit) override {
    backlog out;
    // Unseen: in one of the user's groups, newer than their joining and than what they saw.
    const auto total = single_integer(
        "SELECT count(*) FROM room_messages r JOIN memberships m ON m.group_id = r.group_id "
        "JOIN users me ON me.id = m.user_id "
        "WHERE me.name = $1 AND r.id > m.since_message AND r.id > m.seen_message",
        user);
    out.more = std::max<std::int64_t>(0, total - static_cast<std::int64_t>(limit));
    auto r = db_.query(
        "SELECT * FROM (SELECT r.id, g.name, u.name, r.body, r.sent_at_ms "
        "FROM room_messages r JOIN memberships m ON m.group_id = r.group_id "
        "JOIN users me ON me.id = m.user_id JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = r.sender_id "
        "WHERE me.name = $1 AND r.id > m.since_message AND r.id > m.seen_message "
        "ORDER BY r.id DESC LIMIT $2) AS newest ORDER BY 1",
        user, static_cast<std::int64_t>(limit));
    while (r.next()) {
      out.messages.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.integer(4)});
    }
    return out;
  }

  void mark_seen(const std::vector<room_mark>& marks) override {
    if (marks.empty()) return;
    transact([&] {
      for (const auto& mark : marks) {
        db_.execute(
            "UPDATE memberships SET seen_message = $3 "
            "WHERE user_id = (SELECT id FROM users WHERE name = $1) "
            "AND group_id = (SELECT id FROM groups WHERE name = $2) AND seen_message < $3",
            mark.user, mark.group, mark.message_id);
      }
    });
  }

  std::vector<room_message> room_messages_after(std::int64_t after, std::size_t limit) override {
    std::vector<room_message> out;
    auto r = db_.query(
        "SELECT r.id, coalesce(g.name, ''), u.name, r.body, r.sent_at_ms "
        "FROM room_messages r JOIN users u ON u.id = r.sender_id "
        "LEFT JOIN groups g ON g.id = r.group_id WHERE r.id > $1 ORDER BY r.id LIMIT $2",
        after, static_cast<std::int64_t>(limit));
    while (r.next()) {
      out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.integer(4)});
    }
    return out;
  }

  std::int64_t latest_room_message() override {
    return single_integer("SELECT coalesce(max(id), 0) FROM room_messages");
  }

  direct_result send_direct(std::string_view sender, std::string_view recipient,
                            std::string_view body) override {
    return transact([&]() -> direct_result {
      auto from = db_.query("SELECT id, name FROM users WHERE name = $1", sender);
      if (!from.next()) return {status::no_such_user};
      auto to = db_.query("SELECT id, name FROM users WHERE name = $1", recipient);
      if (!to.next()) return {status::no_such_user};
      direct_result out;
      out.message = {0, from.text(1), to.text(1), std::string(body), util::unix_ms_now()};
      out.message.id = db_.insert(
          "INSERT INTO direct_messages(sender_id, recipient_id, body, sent_at_ms) "
          "VALUES ($1, $2, $3, $4) RETURNING id",
          from.integer(0), to.integer(0), body, out.message.sent_at_ms);
      if constexpr (Connection::carries_events)
        db_.notify(encode_event(direct_stored{out.message}));
      return out;
    });
  }

  std::vector<direct_message> undelivered_direct(std::string_view user, std::int64_t after,
                                                 std::size_t limit) override {
    std::vector<direct_message> out;
    auto r = db_.query(
        "SELECT d.id, s.name, r.name, d.body, d.sent_at_ms FROM direct_messages d "
        "JOIN users s ON s.id = d.sender_id JOIN users r ON r.id = d.recipient_id "
        "WHERE r.name = $1 AND d.delivered = false AND d.id > $2 ORDER BY d.id LIMIT $3",
        user, after, static_cast<std::int64_t>(limit));
    while (r.next()) {
      out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3), r.integer(4)});
    }
    return out;
  }

  void mark_delivered(const std::vector<std::int64_t>& message_ids) override {
    if (message_ids.empty()) return;
    transact([&] {
      for (const auto id : message_ids) {
        db_.execute("UPDATE direct_messages SET delivered = true WHERE id = $1", id);
      }
    });
  }

  std::vector<std::string> waiting_direct_recipients(std::string_view tracker,
                                                     std::int64_t after) override {
    std::vector<std::string> out;
    auto r = db_.query(
        "SELECT DISTINCT u.name FROM logins l JOIN users u ON u.id = l.user_id "
        "JOIN direct_messages d ON d.recipient_id = l.user_id "
        "WHERE l.tracker = $1 AND d.delivered = false AND d.id > $2",
        tracker, after);
    while (r.next()) out.push_back(r.text(0));
    return out;
  }

  std::int64_t latest_direct_message() override {
    return single_integer("SELECT coalesce(max(id), 0) FROM direct_messages");
  }

  add_file_result add_file(const file_record& file, std::string_view user) override {
    return transact([&]() -> add_file_result {
      auto g = find_group(file.group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid || !membership(g->id, *uid)) return {status::not_member};
      auto existing = db_.query("SELECT info_hash FROM files WHERE group_id = $1 AND name = $2",
                                g->id, file.name);
      if (existing.next()) {
        if (existing.text(0) != file.info_hash) return {status::file_exists};
        return {status::ok, true};
      }
      if (quotas_.files_per_user > 0 &&
          single_integer("SELECT count(*) FROM files f JOIN memberships m ON m.group_id = "
                         "f.group_id AND m.user_id = f.uploader_id WHERE f.uploader_id = $1",
                         *uid) >= quotas_.files_per_user) {
        return {status::quota_exceeded};
      }
      const std::optional<std::string_view> v1_key =
          file.v1_swarm_key.empty() ? std::nullopt
                                    : std::optional<std::string_view>(file.v1_swarm_key);
      db_.execute(
          "INSERT INTO files(group_id, name, size, info_hash, swarm_key, info, uploader_id, "
          "created_at, v1_swarm_key, file_count, sealed) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
          g->id, file.name, file.size, file.info_hash, file.swarm_key, blob{file.info}, *uid,
          now_seconds(), v1_key, file.file_count, file.sealed);
      return {status::ok, false};
    });
  }

  listing<file_record> list_files(std::string_view group, std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto r = db_.query(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, u.name, f.created_at, f.file_count, "
        "CASE WHEN f.sealed IS NULL THEN f.info END, f.sealed "
        "FROM files f JOIN users u ON u.id = f.uploader_id WHERE f.group_id = $1 "
        "ORDER BY f.name",
        g->id);
    listing<file_record> out;
    while (r.next()) {
      out.items.push_back({g->name,
                           r.text(0),
                           r.integer(1),
                           r.text(2),
                           r.text(3),
                           r.is_null(7) ? std::string() : r.blob(7),
                           r.text(4),
                           r.integer(5),
                           {},
                           r.integer(6),
                           r.is_null(8) ? std::nullopt : std::optional<bool>(r.boolean(8))});
    }
    return out;
  }

  file_result find_file(std::string_view group, std::string_view name,
                        std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto r = db_.query(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, f.info, u.name, f.created_at "
        "FROM files f JOIN users u ON u.id = f.uploader_id WHERE f.group_id = $1 AND f.name = $2",
        g->id, name);
    if (!r.next()) return {status::no_such_file};
    return {status::ok,
            {g->name, r.text(0), r.integer(1), r.text(2), r.text(3), r.blob(4), r.text(5),
             r.integer(6)}};
  }

  file_result remove_file(std::string_view group, std::string_view name,
                          std::string_view user) override {
    return transact([&]() -> file_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid || !membership(g->id, *uid)) return {status::not_member};
      auto r = db_.query(
          "SELECT f.id, f.name, f.size, f.info_hash, f.swarm_key, f.uploader_id, u.name "
          "FROM files f JOIN users u ON u.id = f.uploader_id WHERE f.group_id = $1 AND f.name = $2",
          g->id, name);
      if (!r.next()) return {status::no_such_file};
      file_result out{status::ok,
                      {g->name, r.text(1), r.integer(2), r.text(3), r.text(4), {}, r.text(6)}};
      if (r.integer(5) != *uid && g->owner_id != *uid) {
        out.result = status::not_owner;
        return out;
      }
      db_.execute("DELETE FROM files WHERE id = $1", r.integer(0));
      return out;
    });
  }

  layer_progress add_layer_chunk(std::string_view info_hash, std::string_view submitter,
                                 std::int64_t first, std::string_view hashes,
                                 std::int64_t needed) override {
    return transact([&]() -> layer_progress {
      if (has_kept_layer(info_hash)) return {.kept_already = true};
      if (quotas_.unfinished_layers > 0 && needed > 1 && chunk_count(info_hash, submitter) == 0) {
        keep_newest_unfinished(submitter, quotas_.unfinished_layers - 1);
      }
      db_.execute(
          "INSERT INTO piece_layer_chunks(info_hash, submitter, first_piece, hashes, added) "
          "VALUES ($1, $2, $3, $4, coalesce((SELECT max(added) FROM piece_layer_chunks "
          "WHERE submitter = $2), 0) + 1) ON CONFLICT DO NOTHING",
          info_hash, submitter, first, blob{hashes});
      layer_progress out{.chunks = chunk_count(info_hash, submitter)};
      if (out.chunks >= needed) out.whole = layer_chunks(info_hash, submitter);
      return out;
    });
  }

  std::vector<layer_chunk> layer_chunks(std::string_view info_hash,
                                        std::string_view submitter) override {
    auto r = db_.query(
        "SELECT first_piece, hashes FROM piece_layer_chunks "
        "WHERE info_hash = $1 AND submitter = $2 ORDER BY first_piece",
        info_hash, submitter);
    std::vector<layer_chunk> out;
    while (r.next()) out.push_back({r.integer(0), r.blob(1)});
    return out;
  }

  void keep_layer(std::string_view info_hash, const std::vector<layer_chunk>& checked) override {
    transact([&] {
      if (!has_kept_layer(info_hash)) {
        for (const auto& c : checked) {
          db_.execute(
              "INSERT INTO piece_layer_chunks(info_hash, submitter, first_piece, hashes) "
              "VALUES ($1, $2, $3, $4)",
              info_hash, kept_layer, c.first, blob{c.hashes});
        }
      }
      db_.execute("DELETE FROM piece_layer_chunks WHERE info_hash = $1 AND submitter <> $2",
                  info_hash, kept_layer);
    });
  }

  void drop_layer_chunks(std::string_view info_hash, std::string_view submitter) override {
    db_.execute("DELETE FROM piece_layer_chunks WHERE info_hash = $1 AND submitter = $2", info_hash,
                submitter);
  }

  file_result open_file(std::string_view passkey, std::string_view group,
                        std::string_view name) override {
    if (passkey.empty()) return {status::no_such_user};
    auto who = db_.query("SELECT id, name FROM users WHERE passkey = $1", passkey);
    if (!who.next()) return {status::no_such_user};
    const auto uid = who.integer(0);
    const std::string user = who.text(1);
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    if (!membership(g->id, uid)) return {status::not_member};
    auto m = db_.query("SELECT mode FROM groups WHERE id = $1", g->id);
    if (!m.next() || parse_mode(m.text(0)) != group_mode::open) return {status::group_sealed};
    auto r = db_.query(
        "SELECT name, size, info_hash, swarm_key, info, created_at, v1_swarm_key FROM files "
        "WHERE group_id = $1 AND name = $2",
        g->id, name);
    if (!r.next()) return {status::no_such_file};
    return {status::ok,
            {g->name, r.text(0), r.integer(1), r.text(2), r.text(3), r.blob(4), user, r.integer(5),
             r.is_null(6) ? std::string() : r.text(6)}};
  }

  std::string passkey(std::string_view user, std::string_view fresh) override {
    return transact([&] {
      db_.execute("UPDATE users SET passkey = $2 WHERE name = $1 AND passkey IS NULL", user, fresh);
      auto r = db_.query("SELECT passkey FROM users WHERE name = $1", user);
      return r.next() ? r.text(0) : std::string();
    });
  }

  bool replace_passkey(std::string_view user, std::string_view fresh) override {
    return db_.execute("UPDATE users SET passkey = $2 WHERE name = $1", user, fresh) == 1;
  }

  group_authority group_authority_for(std::string_view group, std::string_view user,
                                      std::string_view fresh_key_pem,
                                      std::string_view fresh_cert_pem) override {
    return transact([&]() -> group_authority {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid) return {status::no_such_user};
      if (!membership(g->id, *uid)) return {status::not_member};
      db_.execute(
          "INSERT INTO group_cas(group_id, key_pem, cert_pem) VALUES ($1, $2, $3) "
          "ON CONFLICT DO NOTHING",
          g->id, fresh_key_pem, fresh_cert_pem);
      auto r = db_.query(
          "SELECT c.key_pem, c.cert_pem, g.mode FROM group_cas c JOIN groups g ON g.id = "
          "c.group_id "
          "WHERE c.group_id = $1",
          g->id);
      if (!r.next()) return {status::no_such_group};
      return {status::ok, parse_mode(r.text(2)).value_or(group_mode::sealed), r.text(0), r.text(1)};
    });
  }

  announce_permission may_announce(std::string_view passkey, std::string_view group,
                                   std::string_view info_hash) override {
    if (passkey.empty()) return {status::no_such_user};
    auto who = db_.query("SELECT id, name FROM users WHERE passkey = $1", passkey);
    if (!who.next()) return {status::no_such_user};
    announce_permission out{status::ok, who.text(1), {}};
    const auto uid = who.integer(0);
    auto g = find_group(group);
    if (!g) return {status::no_such_group, out.user};
    // A hybrid torrent's peers announce either hash; both lead to the swarm of its v2 hash.
    auto f = db_.query(
        "SELECT swarm_key FROM files WHERE group_id = $1 AND (swarm_key = $2 OR v1_swarm_key = $2)",
        g->id, info_hash);
    if (!f.next()) return {status::no_such_file, out.user};
    out.swarm_key = f.text(0);
    if (!membership(g->id, uid)) out.result = status::not_member;
    return out;
  }

  bool claim_login(std::string_view user, std::string_view tracker, std::int64_t now_ms,
                   std::int64_t expires_ms) override {
    return db_.execute(
               "INSERT INTO logins(user_id, tracker, expires_ms) "
               "SELECT id, $2, $3 FROM users WHERE name = $1 "
               "ON CONFLICT (user_id) DO UPDATE SET tracker = $2, expires_ms = $3, away = '' "
               "WHERE logins.expires_ms < $4",
               user, tracker, expires_ms, now_ms) == 1;
  }

  void release_login(std::string_view user, std::string_view tracker) override {
    db_.execute(
        "DELETE FROM logins WHERE tracker = $2 AND user_id = (SELECT id FROM users WHERE name = "
        "$1)",
        user, tracker);
  }

  void renew_logins(std::string_view tracker, std::int64_t expires_ms) override {
    db_.execute("UPDATE logins SET expires_ms = $2 WHERE tracker = $1", tracker, expires_ms);
  }

  void release_logins(std::string_view tracker) override {
    db_.execute("DELETE FROM logins WHERE tracker = $1", tracker);
  }

  std::vector<std::string> online_users(std::int64_t now_ms) override {
    // Users by the logins, not logins by the users: the live logins are few, the users many
    // (SQLite would otherwise walk every user in name order to skip a sort).
    return first_column(
        "SELECT name FROM users WHERE id IN (SELECT user_id FROM logins WHERE expires_ms >= $1) "
        "ORDER BY name",
        now_ms);
  }

  std::vector<presence> online_presence(std::int64_t now_ms) override {
    std::vector<presence> out;
    auto r = db_.query(
        "SELECT u.name, l.away FROM logins l JOIN users u ON u.id = l.user_id "
        "WHERE l.expires_ms >= $1 ORDER BY u.name",
        now_ms);
    while (r.next()) out.push_back({r.text(0), r.text(1)});
    return out;
  }

  bool set_away(std::string_view user, std::string_view text) override {
    return db_.execute(
               "UPDATE logins SET away = $2 WHERE user_id = (SELECT id FROM users WHERE name = $1)",
               user, text) == 1;
  }

  std::string away_text(std::string_view user) override {
    auto r = db_.query(
        "SELECT l.away FROM logins l JOIN users u ON u.id = l.user_id WHERE u.name = $1", user);
    return r.next() ? r.text(0) : std::string();
  }

  bool take_login(std::string_view user, std::string_view tracker,
                  std::int64_t expires_ms) override {
    return db_.execute(
               "INSERT INTO logins(user_id, tracker, expires_ms) "
               "SELECT id, $2, $3 FROM users WHERE name = $1 "
               "ON CONFLICT (user_id) DO UPDATE SET tracker = $2, expires_ms = $3",
               user, tracker, expires_ms) == 1;
  }

  void save_token(std::string_view user, std::string_view digest,
                  std::int64_t expires_ms) override {
    db_.execute(
        "INSERT INTO resume_tokens(digest, user_id, expires_ms) "
        "SELECT $1, id, $3 FROM users WHERE name = $2",
        digest, user, expires_ms);
  }

  bool token_valid(std::string_view user, std::string_view digest, std::int64_t now_ms) override {
    return db_
        .query(
            "SELECT 1 FROM resume_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.digest = $1 AND u.name = $2 AND t.expires_ms >= $3",
            digest, user, now_ms)
        .next();
  }

  void drop_tokens(std::string_view user) override {
    db_.execute("DELETE FROM resume_tokens WHERE user_id = (SELECT id FROM users WHERE name = $1)",
                user);
  }

  std::optional<std::int64_t> take_token(std::string_view user, std::string_view digest,
                                         std::int64_t now_ms) override {
    auto r = db_.query(
        "DELETE FROM resume_tokens WHERE digest = $1 AND expires_ms >= $3 "
        "AND user_id = (SELECT id FROM users WHERE name = $2) RETURNING expires_ms",
        digest, user, now_ms);
    if (!r.next()) return std::nullopt;
    return r.integer(0);
  }

  bool set_password_hash(std::string_view user, std::string_view password_hash) override {
    return db_
        .query("UPDATE users SET password_hash = $2 WHERE name = $1 RETURNING id", user,
               password_hash)
        .next();
  }

  std::optional<std::string> login_holder(std::string_view user, std::int64_t now_ms) override {
    auto r = db_.query(
        "SELECT l.tracker FROM logins l JOIN users u ON u.id = l.user_id "
        "WHERE u.name = $1 AND l.expires_ms >= $2",
        user, now_ms);
    if (!r.next()) return std::nullopt;
    return r.text(0);
  }

  void name_tracker(std::string_view tracker) override {
    tracker_ = application_name(tracker);
    if constexpr (Connection::kind == dialect::postgresql) {
      db_.query("SELECT set_config('application_name', $1, false)", tracker_).next();
    }
  }

  bool tracker_alive(std::string_view tracker) override {
    const std::string name = application_name(tracker);
    if constexpr (Connection::kind == dialect::postgresql) {
      return db_.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", name).next();
    } else {
      return name == tracker_;
    }
  }

  bool is_online(std::string_view user, std::int64_t now_ms) override {
    return db_
        .query(
            "SELECT 1 FROM logins l JOIN users u ON u.id = l.user_id "
            "WHERE u.name = $1 AND l.expires_ms >= $2",
            user, now_ms)
        .next();
  }

  void notify(std::string_view payload) override { db_.notify(payload); }

  std::string store_id() override {
    auto r = db_.query("SELECT id FROM store_identity");
    return r.next() ? r.text(0) : std::string();
  }

 private:
  std::int64_t chunk_count(std::string_view info_hash, std::string_view submitter) {
    return single_integer(
        "SELECT count(*) FROM piece_layer_chunks WHERE info_hash = $1 AND submitter = $2",
        info_hash, submitter);
  }

  // Drops `submitter`'s chunks of all but the `keep` layers they added to most recently.
  void keep_newest_unfinished(std::string_view submitter, std::int64_t keep) {
    const auto newest_first = first_column(
        "SELECT info_hash FROM piece_layer_chunks WHERE submitter = $1 GROUP BY info_hash "
        "ORDER BY max(added) DESC",
        submitter);
    for (std::size_t i = static_cast<std::size_t>(keep); i < newest_first.size(); ++i) {
      drop_layer_chunks(newest_first[i], submitter);
    }
  }

  bool has_kept_layer(std::string_view info_hash) {
    return db_
        .query("SELECT 1 FROM piece_layer_chunks WHERE info_hash = $1 AND submitter = $2",
               info_hash, kept_layer)
        .next();
  }

  struct group_row {
    std::int64_t id;
    std::string name;
    std::int64_t owner_id;
    std::string owner;
  };

  // Runs `work()` in one transaction and commits it; rolls back if it throws. A conflict
  // with a concurrent transaction (PostgreSQL) runs it again, up to max_attempts times.
  template <class Work>
  auto transact(Work&& work) -> decltype(work()) {
    constexpr int max_attempts = 20;
    for (int attempt = 1;; ++attempt) {
      db_.begin();
      try {
        if constexpr (std::is_void_v<decltype(work())>) {
          work();
          db_.commit();
          return;
        } else {
          auto out = work();
          db_.commit();
          return out;
        }
      } catch (const conflict&) {
        roll_back();
        if (attempt == max_attempts) throw store_failure("too many conflicting transactions");
      } catch (...) {
        roll_back();
        throw;
      }
    }
  }

  void roll_back() noexcept {
    try {
      db_.rollback();
    } catch (...) {
      // The engine rolls back by itself when the connection cannot.
    }
  }

  template <class... Args>
  std::int64_t single_integer(const char* sql, const Args&... args) {
    auto r = db_.query(sql, args...);
    return r.next() ? r.integer(0) : 0;
  }

  // The first column of every row, as text.
  template <class... Args>
  std::vector<std::string> first_column(const char* sql, const Args&... args) {
    auto r = db_.query(sql, args...);
    std::vector<std::string> out;
    while (r.next()) out.push_back(r.text(0));
    return out;
  }

  // Holds the rooms named (the lobby: empty) until commit, in id order so that trackers
  // holding several never wait on each other: a room's messages then take their ids in
  // commit order, which a reader's mark in that room relies on (mark_seen). Only a store
  // several trackers write needs it; SQLite has one writer at a time (BEGIN IMMEDIATE).
  void hold_rooms(std::vector<std::string_view> names) {
    if constexpr (Connection::carries_events) {
      std::sort(names.begin(), names.end());
      names.erase(std::unique(names.begin(), names.end()), names.end());
      std::vector<std::int64_t> ids;
      for (const auto name : names) {
        if (name.empty()) {
          ids.push_back(0);
        } else if (auto r = db_.query("SELECT id FROM groups WHERE name = $1", name); r.next()) {
          ids.push_back(r.integer(0));
        }
      }
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      for (const auto id : ids) db_.hold_room(id);
    }
  }

  // One room post, inside the caller's transaction.
  post_result post_one(std::string_view group, std::string_view sender, std::string_view body) {
    auto who = db_.query("SELECT id, name FROM users WHERE name = $1", sender);
    if (!who.next()) return {status::no_such_user};
    post_result out;
    out.message.sender = who.text(1);
    out.message.body = std::string(body);
    out.message.sent_at_ms = util::unix_ms_now();
    std::optional<std::int64_t> group_id;  // none: the lobby
    if (!group.empty()) {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      if (!membership(g->id, who.integer(0))) return {status::not_member};
      group_id = g->id;
      out.message.group = g->name;
    }
    out.message.id = db_.insert(
        "INSERT INTO room_messages(group_id, sender_id, body, sent_at_ms) "
        "VALUES ($1, $2, $3, $4) RETURNING id",
        group_id, who.integer(0), body, out.message.sent_at_ms);
    // Sent at commit, in commit order: every tracker fans the message out in one order.
    if constexpr (Connection::carries_events) db_.notify(encode_event(room_stored{out.message}));
    return out;
  }

  std::optional<std::int64_t> user_id(std::string_view name) {
    auto r = db_.query("SELECT id FROM users WHERE name = $1", name);
    if (!r.next()) return std::nullopt;
    return r.integer(0);
  }

  std::optional<group_row> find_group(std::string_view name) {
    auto r = db_.query(
        "SELECT g.id, g.name, g.owner_id, u.name FROM groups g JOIN users u ON u.id = g.owner_id "
        "WHERE g.name = $1",
        name);
    if (!r.next()) return std::nullopt;
    return group_row{r.integer(0), r.text(1), r.integer(2), r.text(3)};
  }

  bool membership(std::int64_t group_id, std::int64_t uid) {
    return db_
        .query("SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2", group_id, uid)
        .next();
  }

  void add_member(std::int64_t group_id, std::int64_t uid, std::int64_t now) {
    db_.execute(
        "INSERT INTO memberships(group_id, user_id, joined_at, since_message) "
        "VALUES ($1, $2, $3, (SELECT coalesce(max(id), 0) FROM room_messages))",
        group_id, uid, now);
  }

  bool remove_request(std::int64_t group_id, std::int64_t uid) {
    return db_.execute("DELETE FROM join_requests WHERE group_id = $1 AND user_id = $2", group_id,
                       uid) == 1;
  }

  decision_result decide(std::string_view group, std::string_view owner, std::string_view user,
                         bool accept) {
    return transact([&]() -> decision_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      if (!util::iequals_ascii(g->owner, owner)) return {status::not_owner, g->name};
      auto who = db_.query("SELECT id, name FROM users WHERE name = $1", user);
      if (!who.next()) return {status::no_such_user, g->name};
      const auto uid = who.integer(0);
      std::string canonical = who.text(1);
      if (!remove_request(g->id, uid)) {
        return {membership(g->id, uid) ? status::already_member : status::no_such_request, g->name,
                canonical};
      }
      if (accept) add_member(g->id, uid, now_seconds());
      return {status::ok, g->name, canonical};
    });
  }

  // PostgreSQL keeps 63 bytes of an application_name.
  static std::string application_name(std::string_view tracker) {
    return std::string(tracker.substr(0, 63));
  }

  Connection db_;
  std::string tracker_;  // name_tracker()
};

}  // namespace swarmhub::store::sql
