#include "swarmhub/store/sqlite_backend.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "sqlite_db.hpp"

namespace swarmhub::store {
namespace {

using sqlite::database;
using sqlite::statement;
using sqlite::transaction;

// Each migration moves the schema one version up; applied in order, each in a transaction.
// Never edit a migration that has shipped: add the next one.
constexpr std::array migrations{
    // 1: accounts, groups, memberships, join requests
    R"sql(
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE TABLE groups (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  owner_id   INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL
);
-- id orders members by joining time: the earliest-joined member takes over from an owner
-- who leaves.
CREATE TABLE memberships (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id   INTEGER NOT NULL REFERENCES users(id),
  joined_at INTEGER NOT NULL,
  UNIQUE (group_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);
CREATE TABLE join_requests (
  group_id     INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  requested_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
)sql",
    // 2: chat
    R"sql(
CREATE TABLE room_messages (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id   INTEGER REFERENCES groups(id) ON DELETE CASCADE,  -- NULL: the lobby
  sender_id  INTEGER NOT NULL REFERENCES users(id),
  body       TEXT NOT NULL,
  sent_at_ms INTEGER NOT NULL
);
CREATE INDEX room_messages_by_group ON room_messages(group_id, id);
CREATE TABLE direct_messages (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  sender_id    INTEGER NOT NULL REFERENCES users(id),
  recipient_id INTEGER NOT NULL REFERENCES users(id),
  body         TEXT NOT NULL,
  sent_at_ms   INTEGER NOT NULL,
  delivered    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX direct_messages_waiting ON direct_messages(recipient_id, id) WHERE delivered = 0;
-- A member sees a group's messages newer than since_message (the newest one when they joined).
ALTER TABLE memberships ADD COLUMN since_message INTEGER NOT NULL DEFAULT 0;
-- The newest room message a user has been shown.
ALTER TABLE users ADD COLUMN seen_message INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: files and passkeys
    R"sql(
CREATE TABLE files (
  id          INTEGER PRIMARY KEY,
  group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  info_hash   TEXT NOT NULL,
  swarm_key   TEXT NOT NULL,
  info        BLOB NOT NULL,
  uploader_id INTEGER NOT NULL REFERENCES users(id),
  created_at  INTEGER NOT NULL,
  UNIQUE (group_id, name)
);
CREATE INDEX files_by_swarm ON files(swarm_key);
ALTER TABLE users ADD COLUMN passkey TEXT;
CREATE UNIQUE INDEX users_by_passkey ON users(passkey);
)sql",
    // 4: hybrid v1+v2 torrents, whose v1-only peers announce the SHA-1 of the info dictionary
    R"sql(
ALTER TABLE files ADD COLUMN v1_swarm_key TEXT;
CREATE INDEX files_by_v1_swarm ON files(v1_swarm_key) WHERE v1_swarm_key IS NOT NULL;
)sql",
    // 5: live logins (one per user across trackers) and the store's identity
    R"sql(
CREATE TABLE logins (
  user_id    INTEGER PRIMARY KEY REFERENCES users(id),
  tracker    TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX logins_by_tracker ON logins(tracker);
CREATE TABLE store_identity (id TEXT NOT NULL);
INSERT INTO store_identity VALUES (lower(hex(randomblob(16))));
CREATE TABLE resume_tokens (
  digest     TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  expires_ms INTEGER NOT NULL
);
CREATE INDEX resume_tokens_by_user ON resume_tokens(user_id);
)sql",
    // 6: what a store of a million users needs: a login asks for the groups its user owns
    R"sql(
CREATE INDEX groups_by_owner ON groups(owner_id);
)sql",
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class sqlite_backend final : public backend {
 public:
  sqlite_backend(const std::string& path, sqlite_durability durability) : db_(path) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec(durability == sqlite_durability::full ? "PRAGMA synchronous=FULL"
                                                   : "PRAGMA synchronous=OFF");
    db_.exec("PRAGMA foreign_keys=ON");
    migrate();
    // A SQLite file has one tracker at a time (the data directory's lock): logins left by an
    // earlier run that crashed are void.
    db_.exec("DELETE FROM logins");
  }

  status create_user(std::string_view name, std::string_view password_hash) override {
    transaction tx(db_);
    try {
      db_.prepare("INSERT INTO users(name, password_hash, created_at) VALUES (?1, ?2, ?3)")
          .bind(1, name)
          .bind(2, password_hash)
          .bind(3, now_seconds())
          .run();
    } catch (const sqlite::constraint_violation&) {
      return status::user_exists;
    }
    tx.commit();
    return status::ok;
  }

  std::optional<user_record> find_user(std::string_view name) override {
    auto st = db_.prepare("SELECT id, name, password_hash FROM users WHERE name = ?1");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return user_record{st.column_int(0), st.column_text(1), st.column_text(2)};
  }

  status create_group(std::string_view group, std::string_view owner) override {
    transaction tx(db_);
    const auto owner_id = user_id(owner);
    if (!owner_id) return status::no_such_user;
    const auto now = now_seconds();
    try {
      db_.prepare("INSERT INTO groups(name, owner_id, created_at) VALUES (?1, ?2, ?3)")
          .bind(1, group)
          .bind(2, *owner_id)
          .bind(3, now)
          .run();
    } catch (const sqlite::constraint_violation&) {
      return status::group_exists;
    }
    const auto group_id = id_of("SELECT id FROM groups WHERE name = ?1", group);
    add_member(*group_id, *owner_id, now);
    tx.commit();
    return status::ok;
  }

  std::vector<group_summary> list_groups() override {
    auto st = db_.prepare(
        "SELECT g.name, u.name, (SELECT count(*) FROM memberships m WHERE m.group_id = g.id) "
        "FROM groups g JOIN users u ON u.id = g.owner_id ORDER BY g.name COLLATE NOCASE");
    std::vector<group_summary> out;
    while (st.step()) out.push_back({st.column_text(0), st.column_text(1), st.column_int(2)});
    return out;
  }

  join_result join_group(std::string_view group, std::string_view user) override {
    transaction tx(db_);
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    if (membership(g->id, *uid)) return {status::already_member, g->name, g->owner};
    try {
      db_.prepare("INSERT INTO join_requests(group_id, user_id, requested_at) VALUES (?1, ?2, ?3)")
          .bind(1, g->id)
          .bind(2, *uid)
          .bind(3, now_seconds())
          .run();
    } catch (const sqlite::constraint_violation&) {
      return {status::request_pending, g->name, g->owner};
    }
    tx.commit();
    return {status::ok, g->name, g->owner};
  }

  listing<join_request> list_requests(std::string_view group, std::string_view owner) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    if (!same_name(g->owner, owner)) return {status::not_owner};
    auto st = db_.prepare(
        "SELECT u.name, r.requested_at FROM join_requests r JOIN users u ON u.id = r.user_id "
        "WHERE r.group_id = ?1 ORDER BY r.requested_at, u.name");
    st.bind(1, g->id);
    listing<join_request> out;
    while (st.step()) out.items.push_back({st.column_text(0), st.column_int(1)});
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

  leave_result leave_group(std::string_view group, std::string_view user) override {
    transaction tx(db_);
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    leave_result out{status::ok, leave_result::effect::left, g->name, {}};
    if (!membership(g->id, *uid)) {
      if (!remove_request(g->id, *uid)) return {status::not_member, {}, g->name};
      out.what = leave_result::effect::withdrew_request;
      tx.commit();
      return out;
    }
    db_.prepare("DELETE FROM memberships WHERE group_id = ?1 AND user_id = ?2")
        .bind(1, g->id)
        .bind(2, *uid)
        .run();
    if (g->owner_id == *uid) {
      auto next = db_.prepare(
          "SELECT m.user_id, u.name FROM memberships m JOIN users u ON u.id = m.user_id "
          "WHERE m.group_id = ?1 ORDER BY m.id LIMIT 1");
      next.bind(1, g->id);
      if (next.step()) {
        const auto heir = next.column_int(0);
        out.new_owner = next.column_text(1);
        out.what = leave_result::effect::owner_changed;
        db_.prepare("UPDATE groups SET owner_id = ?1 WHERE id = ?2")
            .bind(1, heir)
            .bind(2, g->id)
            .run();
      } else {
        out.what = leave_result::effect::group_removed;
        db_.prepare("DELETE FROM groups WHERE id = ?1").bind(1, g->id).run();
      }
    }
    tx.commit();
    return out;
  }

  listing<member_info> list_members(std::string_view group, std::string_view requester) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(requester);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto st = db_.prepare(
        "SELECT u.name, m.user_id = ?2, m.joined_at FROM memberships m "
        "JOIN users u ON u.id = m.user_id WHERE m.group_id = ?1 ORDER BY m.id");
    st.bind(1, g->id).bind(2, g->owner_id);
    listing<member_info> out;
    while (st.step())
      out.items.push_back({st.column_text(0), st.column_int(1) != 0, st.column_int(2)});
    return out;
  }

  bool is_member(std::string_view group, std::string_view user) override {
    auto st = db_.prepare(
        "SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id "
        "JOIN users u ON u.id = m.user_id WHERE g.name = ?1 AND u.name = ?2");
    st.bind(1, group).bind(2, user);
    return st.step();
  }

  std::vector<pending_count> pending_requests_for_owner(std::string_view owner) override {
    auto st = db_.prepare(
        "SELECT g.name, count(*) FROM join_requests r JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = g.owner_id WHERE u.name = ?1 GROUP BY g.id ORDER BY g.name");
    st.bind(1, owner);
    std::vector<pending_count> out;
    while (st.step()) out.push_back({st.column_text(0), st.column_int(1)});
    return out;
  }

  std::vector<std::string> groups_of(std::string_view user) override {
    auto st = db_.prepare(
        "SELECT g.name FROM memberships m JOIN groups g ON g.id = m.group_id "
        "JOIN users u ON u.id = m.user_id WHERE u.name = ?1 ORDER BY g.name");
    st.bind(1, user);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.column_text(0));
    return out;
  }

  post_result post_room_message(std::string_view group, std::string_view sender,
                                std::string_view body) override {
    transaction tx(db_);
    auto out = post_one(group, sender, body);
    if (out.result == status::ok) tx.commit();
    return out;
  }

  std::vector<post_result> post_room_messages(const std::vector<room_post>& posts) override {
    transaction tx(db_);
    std::vector<post_result> out;
    out.reserve(posts.size());
    for (const auto& p : posts) out.push_back(post_one(p.group, p.sender, p.body));
    tx.commit();
    return out;
  }

  listing<room_message> room_history(std::string_view group, std::string_view user,
                                     std::size_t limit) override {
    const auto uid = user_id(user);
    if (!uid) return {status::no_such_user};
    listing<room_message> out;
    std::int64_t group_id = 0;
    std::int64_t since = 0;
    std::string canonical;
    if (!group.empty()) {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      auto m =
          db_.prepare("SELECT since_message FROM memberships WHERE group_id = ?1 AND user_id = ?2");
      m.bind(1, g->id).bind(2, *uid);
      if (!m.step()) return {status::not_member};
      since = m.column_int(0);
      group_id = g->id;
      canonical = g->name;
    }
    auto st = db_.prepare(
        "SELECT * FROM (SELECT r.id, u.name, r.body, r.sent_at_ms FROM room_messages r "
        "JOIN users u ON u.id = r.sender_id "
        "WHERE r.group_id IS nullif(?1, 0) AND r.id > ?2 ORDER BY r.id DESC LIMIT ?3) "
        "ORDER BY 1");
    st.bind(1, group_id).bind(2, since).bind(3, static_cast<std::int64_t>(limit));
    while (st.step()) {
      out.items.push_back(
          {st.column_int(0), canonical, st.column_text(1), st.column_text(2), st.column_int(3)});
    }
    return out;
  }

  backlog unseen_room_messages(std::string_view user, std::size_t limit) override {
    backlog out;
    {
      auto latest = db_.prepare("SELECT coalesce(max(id), 0) FROM room_messages");
      latest.step();
      out.latest_id = latest.column_int(0);
    }
    // Unseen: in one of the user's groups, newer than their joining and than what they saw.
    {
      auto count = db_.prepare(
          "SELECT count(*) FROM room_messages r JOIN memberships m ON m.group_id = r.group_id "
          "JOIN users me ON me.id = m.user_id "
          "WHERE me.name = ?1 AND r.id > m.since_message AND r.id > me.seen_message");
      count.bind(1, user);
      count.step();
      const auto total = count.column_int(0);
      out.more = std::max<std::int64_t>(0, total - static_cast<std::int64_t>(limit));
    }
    auto st = db_.prepare(
        "SELECT * FROM (SELECT r.id, g.name, u.name, r.body, r.sent_at_ms "
        "FROM room_messages r JOIN memberships m ON m.group_id = r.group_id "
        "JOIN users me ON me.id = m.user_id JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = r.sender_id "
        "WHERE me.name = ?1 AND r.id > m.since_message AND r.id > me.seen_message "
        "ORDER BY r.id DESC LIMIT ?2) ORDER BY 1");
    st.bind(1, user).bind(2, static_cast<std::int64_t>(limit));
    while (st.step()) {
      out.messages.push_back({st.column_int(0), st.column_text(1), st.column_text(2),
                              st.column_text(3), st.column_int(4)});
    }
    return out;
  }

  void mark_seen(std::string_view user, std::int64_t message_id) override {
    transaction tx(db_);
    db_.prepare("UPDATE users SET seen_message = max(seen_message, ?2) WHERE name = ?1")
        .bind(1, user)
        .bind(2, message_id)
        .run();
    tx.commit();
  }

  direct_result send_direct(std::string_view sender, std::string_view recipient,
                            std::string_view body, bool delivered) override {
    transaction tx(db_);
    auto from = db_.prepare("SELECT id, name FROM users WHERE name = ?1");
    from.bind(1, sender);
    if (!from.step()) return {status::no_such_user};
    auto to = db_.prepare("SELECT id, name FROM users WHERE name = ?1");
    to.bind(1, recipient);
    if (!to.step()) return {status::no_such_user};
    direct_result out;
    out.message = {0, from.column_text(1), to.column_text(1), std::string(body), now_ms()};
    auto insert = db_.prepare(
        "INSERT INTO direct_messages(sender_id, recipient_id, body, sent_at_ms, delivered) "
        "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    insert.bind(1, from.column_int(0))
        .bind(2, to.column_int(0))
        .bind(3, body)
        .bind(4, out.message.sent_at_ms)
        .bind(5, std::int64_t{delivered ? 1 : 0});
    insert.step();
    out.message.id = insert.column_int(0);
    insert.run();
    tx.commit();
    return out;
  }

  std::vector<direct_message> take_undelivered(std::string_view user) override {
    transaction tx(db_);
    const auto uid = user_id(user);
    std::vector<direct_message> out;
    if (!uid) return out;
    {
      auto st = db_.prepare(
          "SELECT d.id, s.name, r.name, d.body, d.sent_at_ms FROM direct_messages d "
          "JOIN users s ON s.id = d.sender_id JOIN users r ON r.id = d.recipient_id "
          "WHERE d.recipient_id = ?1 AND d.delivered = 0 ORDER BY d.id");
      st.bind(1, *uid);
      while (st.step()) {
        out.push_back({st.column_int(0), st.column_text(1), st.column_text(2), st.column_text(3),
                       st.column_int(4)});
      }
    }
    if (!out.empty()) {
      db_.prepare(
             "UPDATE direct_messages SET delivered = 1 WHERE recipient_id = ?1 AND delivered = 0")
          .bind(1, *uid)
          .run();
    }
    tx.commit();
    return out;
  }

  add_file_result add_file(const file_record& file, std::string_view user) override {
    transaction tx(db_);
    auto g = find_group(file.group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    {
      auto existing = db_.prepare("SELECT info_hash FROM files WHERE group_id = ?1 AND name = ?2");
      existing.bind(1, g->id).bind(2, file.name);
      if (existing.step()) {
        if (existing.column_text(0) != file.info_hash) return {status::file_exists};
        return {status::ok, true};
      }
    }
    db_.prepare(
           "INSERT INTO files(group_id, name, size, info_hash, swarm_key, info, uploader_id, "
           "created_at, v1_swarm_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''))")
        .bind(1, g->id)
        .bind(2, file.name)
        .bind(3, file.size)
        .bind(4, file.info_hash)
        .bind(5, file.swarm_key)
        .bind(6, file.info)
        .bind(7, *uid)
        .bind(8, now_seconds())
        .bind(9, file.v1_swarm_key)
        .run();
    tx.commit();
    return {status::ok, false};
  }

  listing<file_record> list_files(std::string_view group, std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto st = db_.prepare(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, u.name, f.created_at FROM files f "
        "JOIN users u ON u.id = f.uploader_id WHERE f.group_id = ?1 ORDER BY f.name");
    st.bind(1, g->id);
    listing<file_record> out;
    while (st.step()) {
      out.items.push_back({g->name,
                           st.column_text(0),
                           st.column_int(1),
                           st.column_text(2),
                           st.column_text(3),
                           {},
                           st.column_text(4),
                           st.column_int(5)});
    }
    return out;
  }

  file_result find_file(std::string_view group, std::string_view name,
                        std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    auto st = db_.prepare(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, f.info, u.name, f.created_at FROM files "
        "f "
        "JOIN users u ON u.id = f.uploader_id WHERE f.group_id = ?1 AND f.name = ?2");
    st.bind(1, g->id).bind(2, name);
    if (!st.step()) return {status::no_such_file};
    return {status::ok,
            {g->name, st.column_text(0), st.column_int(1), st.column_text(2), st.column_text(3),
             st.column_text(4), st.column_text(5), st.column_int(6)}};
  }

  std::string passkey(std::string_view user, std::string_view fresh) override {
    transaction tx(db_);
    db_.prepare("UPDATE users SET passkey = ?2 WHERE name = ?1 AND passkey IS NULL")
        .bind(1, user)
        .bind(2, fresh)
        .run();
    auto st = db_.prepare("SELECT passkey FROM users WHERE name = ?1");
    st.bind(1, user);
    std::string key = st.step() ? st.column_text(0) : std::string();
    st.run();
    tx.commit();
    return key;
  }

  announce_permission may_announce(std::string_view passkey, std::string_view swarm_key) override {
    auto who = db_.prepare("SELECT id, name FROM users WHERE passkey = ?1");
    who.bind(1, passkey);
    if (passkey.empty() || !who.step()) return {status::no_such_user};
    const auto uid = who.column_int(0);
    std::string name = who.column_text(1);
    // A hybrid torrent's peers announce either hash; both lead to the swarm of its v2 hash.
    auto files = db_.prepare(
        "SELECT max(EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = f.group_id AND "
        "m.user_id = ?2)), min(f.swarm_key) FROM files f "
        "WHERE f.swarm_key = ?1 OR f.v1_swarm_key = ?1");
    files.bind(1, swarm_key).bind(2, uid);
    files.step();
    if (files.column_is_null(0)) return {status::no_such_file};
    if (files.column_int(0) == 0) return {status::not_member};
    return {status::ok, name, files.column_text(1)};
  }

  bool claim_login(std::string_view user, std::string_view tracker, std::int64_t now_ms,
                   std::int64_t expires_ms) override {
    transaction tx(db_);
    const auto uid = user_id(user);
    if (!uid) return false;
    db_.prepare(
           "INSERT INTO logins(user_id, tracker, expires_ms) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (user_id) DO UPDATE SET tracker = ?2, expires_ms = ?3 "
           "WHERE logins.expires_ms < ?4")
        .bind(1, *uid)
        .bind(2, tracker)
        .bind(3, expires_ms)
        .bind(4, now_ms)
        .run();
    const bool taken = db_.changes() > 0;
    tx.commit();
    return taken;
  }

  void release_login(std::string_view user, std::string_view tracker) override {
    db_.prepare(
           "DELETE FROM logins WHERE tracker = ?2 AND user_id = (SELECT id FROM users WHERE name "
           "= ?1)")
        .bind(1, user)
        .bind(2, tracker)
        .run();
  }

  void renew_logins(std::string_view tracker, std::int64_t expires_ms) override {
    db_.prepare("UPDATE logins SET expires_ms = ?2 WHERE tracker = ?1")
        .bind(1, tracker)
        .bind(2, expires_ms)
        .run();
  }

  void release_logins(std::string_view tracker) override {
    db_.prepare("DELETE FROM logins WHERE tracker = ?1").bind(1, tracker).run();
  }

  std::vector<std::string> online_users(std::int64_t now_ms) override {
    auto st = db_.prepare(
        // CROSS JOIN keeps SQLite from walking every user in name order to skip a sort:
        // the live logins are few, the users many.
        "SELECT u.name FROM logins l CROSS JOIN users u ON u.id = l.user_id "
        "WHERE l.expires_ms >= ?1 ORDER BY u.name");
    st.bind(1, now_ms);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.column_text(0));
    return out;
  }

  bool take_login(std::string_view user, std::string_view tracker,
                  std::int64_t expires_ms) override {
    const auto uid = user_id(user);
    if (!uid) return false;
    db_.prepare(
           "INSERT INTO logins(user_id, tracker, expires_ms) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (user_id) DO UPDATE SET tracker = ?2, expires_ms = ?3")
        .bind(1, *uid)
        .bind(2, tracker)
        .bind(3, expires_ms)
        .run();
    return true;
  }

  void save_token(std::string_view user, std::string_view digest,
                  std::int64_t expires_ms) override {
    const auto uid = user_id(user);
    if (!uid) return;
    db_.prepare("INSERT INTO resume_tokens(digest, user_id, expires_ms) VALUES (?1, ?2, ?3)")
        .bind(1, digest)
        .bind(2, *uid)
        .bind(3, expires_ms)
        .run();
  }

  bool token_valid(std::string_view user, std::string_view digest, std::int64_t now_ms) override {
    auto st = db_.prepare(
        "SELECT 1 FROM resume_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = ?1 AND "
        "u.name = ?2 AND t.expires_ms >= ?3");
    st.bind(1, digest).bind(2, user).bind(3, now_ms);
    return st.step();
  }

  void drop_tokens(std::string_view user) override {
    db_.prepare("DELETE FROM resume_tokens WHERE user_id = (SELECT id FROM users WHERE name = ?1)")
        .bind(1, user)
        .run();
  }

  bool is_online(std::string_view user, std::int64_t now_ms) override {
    auto st = db_.prepare(
        "SELECT 1 FROM logins l JOIN users u ON u.id = l.user_id WHERE u.name = ?1 AND "
        "l.expires_ms >= ?2");
    st.bind(1, user).bind(2, now_ms);
    return st.step();
  }

  bool mark_delivered(std::int64_t message_id) override {
    db_.prepare("UPDATE direct_messages SET delivered = 1 WHERE id = ?1 AND delivered = 0")
        .bind(1, message_id)
        .run();
    return db_.changes() > 0;
  }

  std::string store_id() override {
    auto st = db_.prepare("SELECT id FROM store_identity");
    return st.step() ? st.column_text(0) : std::string();
  }

 private:
  struct group_row {
    std::int64_t id;
    std::string name;
    std::int64_t owner_id;
    std::string owner;
  };

  static bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           sqlite3_strnicmp(a.data(), b.data(), static_cast<int>(a.size())) == 0;
  }

  void migrate() {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at "
        "INTEGER NOT NULL)");
    const auto current = [&] {
      auto st = db_.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
      st.step();
      return st.column_int(0);
    }();
    if (current > static_cast<std::int64_t>(migrations.size())) {
      throw store_failure("the database has schema version " + std::to_string(current) +
                          ", newer than this tracker knows (" + std::to_string(migrations.size()) +
                          ")");
    }
    for (auto version = current + 1; version <= static_cast<std::int64_t>(migrations.size());
         ++version) {
      transaction tx(db_);
      db_.exec(migrations[static_cast<std::size_t>(version - 1)]);
      db_.prepare("INSERT INTO schema_migrations(version, applied_at) VALUES (?1, ?2)")
          .bind(1, version)
          .bind(2, now_seconds())
          .run();
      tx.commit();
    }
  }

  // One room post, inside the caller's transaction.
  post_result post_one(std::string_view group, std::string_view sender, std::string_view body) {
    auto st = db_.prepare("SELECT id, name FROM users WHERE name = ?1");
    st.bind(1, sender);
    if (!st.step()) return {status::no_such_user};
    const auto uid = st.column_int(0);
    post_result out;
    out.message.sender = st.column_text(1);
    out.message.body = std::string(body);
    out.message.sent_at_ms = now_ms();
    std::int64_t group_id = 0;
    if (!group.empty()) {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      if (!membership(g->id, uid)) return {status::not_member};
      group_id = g->id;
      out.message.group = g->name;
    }
    auto insert = db_.prepare(
        "INSERT INTO room_messages(group_id, sender_id, body, sent_at_ms) "
        "VALUES (nullif(?1, 0), ?2, ?3, ?4) RETURNING id");
    insert.bind(1, group_id).bind(2, uid).bind(3, body).bind(4, out.message.sent_at_ms);
    insert.step();
    out.message.id = insert.column_int(0);
    insert.run();
    return out;
  }

  std::optional<std::int64_t> id_of(const char* sql, std::string_view name) {
    auto st = db_.prepare(sql);
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return st.column_int(0);
  }

  std::optional<std::int64_t> user_id(std::string_view name) {
    return id_of("SELECT id FROM users WHERE name = ?1", name);
  }

  std::optional<group_row> find_group(std::string_view name) {
    auto st = db_.prepare(
        "SELECT g.id, g.name, g.owner_id, u.name FROM groups g JOIN users u ON u.id = g.owner_id "
        "WHERE g.name = ?1");
    st.bind(1, name);
    if (!st.step()) return std::nullopt;
    return group_row{st.column_int(0), st.column_text(1), st.column_int(2), st.column_text(3)};
  }

  bool membership(std::int64_t group_id, std::int64_t uid) {
    auto st = db_.prepare("SELECT 1 FROM memberships WHERE group_id = ?1 AND user_id = ?2");
    st.bind(1, group_id).bind(2, uid);
    return st.step();
  }

  void add_member(std::int64_t group_id, std::int64_t uid, std::int64_t now) {
    db_.prepare(
           "INSERT INTO memberships(group_id, user_id, joined_at, since_message) "
           "VALUES (?1, ?2, ?3, (SELECT coalesce(max(id), 0) FROM room_messages))")
        .bind(1, group_id)
        .bind(2, uid)
        .bind(3, now)
        .run();
  }

  bool remove_request(std::int64_t group_id, std::int64_t uid) {
    db_.prepare("DELETE FROM join_requests WHERE group_id = ?1 AND user_id = ?2")
        .bind(1, group_id)
        .bind(2, uid)
        .run();
    return db_.changes() > 0;
  }

  decision_result decide(std::string_view group, std::string_view owner, std::string_view user,
                         bool accept) {
    transaction tx(db_);
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    if (!same_name(g->owner, owner)) return {status::not_owner, g->name};
    auto st = db_.prepare("SELECT id, name FROM users WHERE name = ?1");
    st.bind(1, user);
    if (!st.step()) return {status::no_such_user, g->name};
    const auto uid = st.column_int(0);
    std::string canonical = st.column_text(1);
    if (!remove_request(g->id, uid)) {
      return {membership(g->id, uid) ? status::already_member : status::no_such_request, g->name,
              canonical};
    }
    if (accept) add_member(g->id, uid, now_seconds());
    tx.commit();
    return {status::ok, g->name, canonical};
  }

  database db_;
};

}  // namespace

std::unique_ptr<backend> open_sqlite(const std::string& path, sqlite_durability durability) {
  return std::make_unique<sqlite_backend>(path, durability);
}

int sqlite_schema_version() {
  return static_cast<int>(migrations.size());
}

}  // namespace swarmhub::store
