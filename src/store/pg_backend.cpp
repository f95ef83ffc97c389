#include "swarmhub/store/pg_backend.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include "pg_db.hpp"
#include "swarmhub/store/event_feed.hpp"

namespace swarmhub::store {
namespace {

using pg::bytes;

// The same schema as SQLite's, version for version (src/store/sqlite_backend.cpp), in
// PostgreSQL's words. Names are citext: unique and matched whatever their case, returned as
// created. Never edit a migration that has shipped: add the next one.
constexpr std::array migrations{
    // 1: accounts, groups, memberships, join requests
    R"sql(
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE users (
  id            BIGSERIAL PRIMARY KEY,
  name          CITEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE TABLE groups (
  id         BIGSERIAL PRIMARY KEY,
  name       CITEXT NOT NULL UNIQUE,
  owner_id   BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE TABLE memberships (
  id        BIGSERIAL PRIMARY KEY,
  group_id  BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id   BIGINT NOT NULL REFERENCES users(id),
  joined_at BIGINT NOT NULL,
  UNIQUE (group_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);
CREATE TABLE join_requests (
  group_id     BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id      BIGINT NOT NULL REFERENCES users(id),
  requested_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
)sql",
    // 2: chat
    R"sql(
CREATE TABLE room_messages (
  id         BIGSERIAL PRIMARY KEY,
  group_id   BIGINT REFERENCES groups(id) ON DELETE CASCADE,
  sender_id  BIGINT NOT NULL REFERENCES users(id),
  body       TEXT NOT NULL,
  sent_at_ms BIGINT NOT NULL
);
CREATE INDEX room_messages_by_group ON room_messages(group_id, id);
CREATE TABLE direct_messages (
  id           BIGSERIAL PRIMARY KEY,
  sender_id    BIGINT NOT NULL REFERENCES users(id),
  recipient_id BIGINT NOT NULL REFERENCES users(id),
  body         TEXT NOT NULL,
  sent_at_ms   BIGINT NOT NULL,
  delivered    BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX direct_messages_waiting ON direct_messages(recipient_id, id) WHERE NOT delivered;
ALTER TABLE memberships ADD COLUMN since_message BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN seen_message BIGINT NOT NULL DEFAULT 0;
)sql",
    // 3: files and passkeys
    R"sql(
CREATE TABLE files (
  id          BIGSERIAL PRIMARY KEY,
  group_id    BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  size        BIGINT NOT NULL,
  info_hash   TEXT NOT NULL,
  swarm_key   TEXT NOT NULL,
  info        BYTEA NOT NULL,
  uploader_id BIGINT NOT NULL REFERENCES users(id),
  created_at  BIGINT NOT NULL,
  UNIQUE (group_id, name)
);
CREATE INDEX files_by_swarm ON files(swarm_key);
ALTER TABLE users ADD COLUMN passkey TEXT UNIQUE;
)sql",
    // 4: hybrid v1+v2 torrents, whose v1-only peers announce the SHA-1 of the info dictionary
    R"sql(
ALTER TABLE files ADD COLUMN v1_swarm_key TEXT;
CREATE INDEX files_by_v1_swarm ON files(v1_swarm_key) WHERE v1_swarm_key IS NOT NULL;
)sql",
    // 5: live logins (one per user across trackers) and the store's identity
    R"sql(
CREATE TABLE logins (
  user_id    BIGINT PRIMARY KEY REFERENCES users(id),
  tracker    TEXT NOT NULL,
  expires_ms BIGINT NOT NULL
);
CREATE INDEX logins_by_tracker ON logins(tracker);
CREATE TABLE store_identity (id TEXT NOT NULL);
INSERT INTO store_identity VALUES (md5(random()::text || clock_timestamp()::text));
CREATE TABLE resume_tokens (
  digest     TEXT PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users(id),
  expires_ms BIGINT NOT NULL
);
CREATE INDEX resume_tokens_by_user ON resume_tokens(user_id);
)sql",
    // 6: what a store of a million users needs: a login asks for the groups its user owns
    R"sql(
CREATE INDEX groups_by_owner ON groups(owner_id);
)sql",
};

// Serialises schema changes of trackers starting at once on one database.
constexpr std::int64_t migration_lock = 0x5357'4152'4d48'5542;  // "SWARMHUB"

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

std::string fmt_event(std::initializer_list<std::string_view> fields) {
  std::string out;
  for (const auto f : fields) {
    if (!out.empty()) out += '\t';
    out += f;
  }
  return out;
}

class pg_backend final : public backend {
 public:
  explicit pg_backend(const std::string& conninfo) : db_(conninfo) { migrate(); }

  status create_user(std::string_view name, std::string_view password_hash) override {
    return db_.transact([&] {
      const auto inserted = db_.exec(
          "INSERT INTO users(name, password_hash, created_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (name) DO NOTHING RETURNING id",
          name, password_hash, now_seconds());
      return inserted.empty() ? status::user_exists : status::ok;
    });
  }

  std::optional<user_record> find_user(std::string_view name) override {
    const auto r = db_.exec("SELECT id, name, password_hash FROM users WHERE name = $1", name);
    if (r.empty()) return std::nullopt;
    return user_record{r.integer(0, 0), r.text(0, 1), r.text(0, 2)};
  }

  status create_group(std::string_view group, std::string_view owner) override {
    return db_.transact([&] {
      const auto owner_id = user_id(owner);
      if (!owner_id) return status::no_such_user;
      const auto now = now_seconds();
      const auto inserted = db_.exec(
          "INSERT INTO groups(name, owner_id, created_at) VALUES ($1, $2, $3) "
          "ON CONFLICT (name) DO NOTHING RETURNING id",
          group, *owner_id, now);
      if (inserted.empty()) return status::group_exists;
      add_member(inserted.integer(0, 0), *owner_id, now);
      return status::ok;
    });
  }

  std::vector<group_summary> list_groups() override {
    const auto r = db_.exec(
        "SELECT g.name, u.name, (SELECT count(*) FROM memberships m WHERE m.group_id = g.id) "
        "FROM groups g JOIN users u ON u.id = g.owner_id ORDER BY g.name");
    std::vector<group_summary> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.text(i, 1), r.integer(i, 2)});
    return out;
  }

  join_result join_group(std::string_view group, std::string_view user) override {
    return db_.transact([&]() -> join_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid) return {status::no_such_user};
      if (membership(g->id, *uid)) return {status::already_member, g->name, g->owner};
      const auto inserted = db_.exec(
          "INSERT INTO join_requests(group_id, user_id, requested_at) VALUES ($1, $2, $3) "
          "ON CONFLICT DO NOTHING RETURNING group_id",
          g->id, *uid, now_seconds());
      if (inserted.empty()) return {status::request_pending, g->name, g->owner};
      return {status::ok, g->name, g->owner};
    });
  }

  listing<join_request> list_requests(std::string_view group, std::string_view owner) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    if (!same_name(g->owner, owner)) return {status::not_owner};
    const auto r = db_.exec(
        "SELECT u.name, r.requested_at FROM join_requests r JOIN users u ON u.id = r.user_id "
        "WHERE r.group_id = $1 ORDER BY r.requested_at, u.name",
        g->id);
    listing<join_request> out;
    for (int i = 0; i < r.rows(); ++i) out.items.push_back({r.text(i, 0), r.integer(i, 1)});
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
    return db_.transact([&]() -> leave_result {
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
      db_.exec("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2", g->id, *uid);
      if (g->owner_id == *uid) {
        const auto next = db_.exec(
            "SELECT m.user_id, u.name FROM memberships m JOIN users u ON u.id = m.user_id "
            "WHERE m.group_id = $1 ORDER BY m.id LIMIT 1",
            g->id);
        if (!next.empty()) {
          out.new_owner = next.text(0, 1);
          out.what = leave_result::effect::owner_changed;
          db_.exec("UPDATE groups SET owner_id = $1 WHERE id = $2", next.integer(0, 0), g->id);
        } else {
          out.what = leave_result::effect::group_removed;
          db_.exec("DELETE FROM groups WHERE id = $1", g->id);
        }
      }
      return out;
    });
  }

  listing<member_info> list_members(std::string_view group, std::string_view requester) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(requester);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    const auto r = db_.exec(
        "SELECT u.name, m.user_id = $2, m.joined_at FROM memberships m "
        "JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 ORDER BY m.id",
        g->id, g->owner_id);
    listing<member_info> out;
    for (int i = 0; i < r.rows(); ++i)
      out.items.push_back({r.text(i, 0), r.boolean(i, 1), r.integer(i, 2)});
    return out;
  }

  bool is_member(std::string_view group, std::string_view user) override {
    return !db_.exec(
                   "SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id "
                   "JOIN users u ON u.id = m.user_id WHERE g.name = $1 AND u.name = $2",
                   group, user)
                .empty();
  }

  std::vector<pending_count> pending_requests_for_owner(std::string_view owner) override {
    const auto r = db_.exec(
        "SELECT g.name, count(*) FROM join_requests r JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = g.owner_id WHERE u.name = $1 GROUP BY g.id, g.name "
        "ORDER BY g.name",
        owner);
    std::vector<pending_count> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.text(i, 0), r.integer(i, 1)});
    return out;
  }

  std::vector<std::string> groups_of(std::string_view user) override {
    const auto r = db_.exec(
        "SELECT g.name FROM memberships m JOIN groups g ON g.id = m.group_id "
        "JOIN users u ON u.id = m.user_id WHERE u.name = $1 ORDER BY g.name",
        user);
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  post_result post_room_message(std::string_view group, std::string_view sender,
                                std::string_view body) override {
    return db_.transact([&]() -> post_result {
      const auto who = db_.exec("SELECT id, name FROM users WHERE name = $1", sender);
      if (who.empty()) return {status::no_such_user};
      const auto uid = who.integer(0, 0);
      post_result out;
      out.message.sender = who.text(0, 1);
      out.message.body = std::string(body);
      out.message.sent_at_ms = now_ms();
      std::optional<std::int64_t> group_id;
      if (!group.empty()) {
        auto g = find_group(group);
        if (!g) return {status::no_such_group};
        if (!membership(g->id, uid)) return {status::not_member};
        group_id = g->id;
        out.message.group = g->name;
      }
      const auto inserted = db_.exec(
          "INSERT INTO room_messages(group_id, sender_id, body, sent_at_ms) "
          "VALUES (nullif($1::bigint, 0), $2, $3, $4) RETURNING id",
          group_id.value_or(0), uid, body, out.message.sent_at_ms);
      out.message.id = inserted.integer(0, 0);
      // Sent at commit, in commit order: every tracker fans the message out in one order.
      notify(fmt_event({"room", std::to_string(out.message.id), out.message.group,
                        out.message.sender, std::to_string(out.message.sent_at_ms), body}));
      return out;
    });
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
      const auto m =
          db_.exec("SELECT since_message FROM memberships WHERE group_id = $1 AND user_id = $2",
                   g->id, *uid);
      if (m.empty()) return {status::not_member};
      since = m.integer(0, 0);
      group_id = g->id;
      canonical = g->name;
    }
    const auto r = db_.exec(
        "SELECT * FROM (SELECT r.id, u.name, r.body, r.sent_at_ms FROM room_messages r "
        "JOIN users u ON u.id = r.sender_id "
        "WHERE r.group_id IS NOT DISTINCT FROM nullif($1::bigint, 0) AND r.id > $2 "
        "ORDER BY r.id DESC LIMIT $3) AS newest ORDER BY 1",
        group_id, since, static_cast<std::int64_t>(limit));
    for (int i = 0; i < r.rows(); ++i) {
      out.items.push_back(
          {r.integer(i, 0), canonical, r.text(i, 1), r.text(i, 2), r.integer(i, 3)});
    }
    return out;
  }

  backlog unseen_room_messages(std::string_view user, std::size_t limit) override {
    backlog out;
    out.latest_id = db_.exec("SELECT coalesce(max(id), 0) FROM room_messages").integer(0, 0);
    const auto total = db_.exec(
                              "SELECT count(*) FROM room_messages r "
                              "JOIN memberships m ON m.group_id = r.group_id "
                              "JOIN users me ON me.id = m.user_id WHERE me.name = $1 "
                              "AND r.id > m.since_message AND r.id > me.seen_message",
                              user)
                           .integer(0, 0);
    out.more = std::max<std::int64_t>(0, total - static_cast<std::int64_t>(limit));
    const auto r = db_.exec(
        "SELECT * FROM (SELECT r.id, g.name, u.name, r.body, r.sent_at_ms "
        "FROM room_messages r JOIN memberships m ON m.group_id = r.group_id "
        "JOIN users me ON me.id = m.user_id JOIN groups g ON g.id = r.group_id "
        "JOIN users u ON u.id = r.sender_id "
        "WHERE me.name = $1 AND r.id > m.since_message AND r.id > me.seen_message "
        "ORDER BY r.id DESC LIMIT $2) AS newest ORDER BY 1",
        user, static_cast<std::int64_t>(limit));
    for (int i = 0; i < r.rows(); ++i) {
      out.messages.push_back(
          {r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
    }
    return out;
  }

  void mark_seen(std::string_view user, std::int64_t message_id) override {
    db_.exec("UPDATE users SET seen_message = greatest(seen_message, $2) WHERE name = $1", user,
             message_id);
  }

  direct_result send_direct(std::string_view sender, std::string_view recipient,
                            std::string_view body, bool delivered) override {
    return db_.transact([&]() -> direct_result {
      const auto from = db_.exec("SELECT id, name FROM users WHERE name = $1", sender);
      if (from.empty()) return {status::no_such_user};
      const auto to = db_.exec("SELECT id, name FROM users WHERE name = $1", recipient);
      if (to.empty()) return {status::no_such_user};
      direct_result out;
      out.message = {0, from.text(0, 1), to.text(0, 1), std::string(body), now_ms()};
      const auto inserted = db_.exec(
          "INSERT INTO direct_messages(sender_id, recipient_id, body, sent_at_ms, delivered) "
          "VALUES ($1, $2, $3, $4, $5) RETURNING id",
          from.integer(0, 0), to.integer(0, 0), body, out.message.sent_at_ms, delivered);
      out.message.id = inserted.integer(0, 0);
      notify(fmt_event({"dm", std::to_string(out.message.id), out.message.sender,
                        out.message.recipient, std::to_string(out.message.sent_at_ms), body}));
      return out;
    });
  }

  std::vector<direct_message> take_undelivered(std::string_view user) override {
    return db_.transact([&] {
      std::vector<direct_message> out;
      const auto uid = user_id(user);
      if (!uid) return out;
      const auto r = db_.exec(
          "UPDATE direct_messages d SET delivered = true FROM users s, users r "
          "WHERE s.id = d.sender_id AND r.id = d.recipient_id AND d.recipient_id = $1 "
          "AND NOT d.delivered RETURNING d.id, s.name, r.name, d.body, d.sent_at_ms",
          *uid);
      for (int i = 0; i < r.rows(); ++i) {
        out.push_back({r.integer(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.integer(i, 4)});
      }
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
      return out;
    });
  }

  add_file_result add_file(const file_record& file, std::string_view user) override {
    return db_.transact([&]() -> add_file_result {
      auto g = find_group(file.group);
      if (!g) return {status::no_such_group};
      const auto uid = user_id(user);
      if (!uid || !membership(g->id, *uid)) return {status::not_member};
      const auto existing = db_.exec(
          "SELECT info_hash FROM files WHERE group_id = $1 AND name = $2", g->id, file.name);
      if (!existing.empty()) {
        if (existing.text(0, 0) != file.info_hash) return {status::file_exists};
        return {status::ok, true};
      }
      db_.exec(
          "INSERT INTO files(group_id, name, size, info_hash, swarm_key, info, uploader_id, "
          "created_at, v1_swarm_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, ''))",
          g->id, file.name, file.size, file.info_hash, file.swarm_key, bytes{file.info}, *uid,
          now_seconds(), file.v1_swarm_key);
      return {status::ok, false};
    });
  }

  listing<file_record> list_files(std::string_view group, std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    const auto r = db_.exec(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, u.name, f.created_at FROM files f "
        "JOIN users u ON u.id = f.uploader_id WHERE f.group_id = $1 ORDER BY f.name",
        g->id);
    listing<file_record> out;
    for (int i = 0; i < r.rows(); ++i) {
      out.items.push_back({g->name,
                           r.text(i, 0),
                           r.integer(i, 1),
                           r.text(i, 2),
                           r.text(i, 3),
                           {},
                           r.text(i, 4),
                           r.integer(i, 5)});
    }
    return out;
  }

  file_result find_file(std::string_view group, std::string_view name,
                        std::string_view user) override {
    auto g = find_group(group);
    if (!g) return {status::no_such_group};
    const auto uid = user_id(user);
    if (!uid || !membership(g->id, *uid)) return {status::not_member};
    const auto r = db_.exec(
        "SELECT f.name, f.size, f.info_hash, f.swarm_key, f.info, u.name, f.created_at "
        "FROM files f JOIN users u ON u.id = f.uploader_id WHERE f.group_id = $1 AND f.name = $2",
        g->id, name);
    if (r.empty()) return {status::no_such_file};
    return {status::ok,
            {g->name, r.text(0, 0), r.integer(0, 1), r.text(0, 2), r.text(0, 3), r.bytea(0, 4),
             r.text(0, 5), r.integer(0, 6)}};
  }

  std::string passkey(std::string_view user, std::string_view fresh) override {
    return db_.transact([&] {
      db_.exec("UPDATE users SET passkey = $2 WHERE name = $1 AND passkey IS NULL", user, fresh);
      const auto r = db_.exec("SELECT passkey FROM users WHERE name = $1", user);
      return r.empty() ? std::string() : r.text(0, 0);
    });
  }

  announce_permission may_announce(std::string_view passkey, std::string_view swarm_key) override {
    if (passkey.empty()) return {status::no_such_user};
    const auto who = db_.exec("SELECT id, name FROM users WHERE passkey = $1", passkey);
    if (who.empty()) return {status::no_such_user};
    // A hybrid torrent's peers announce either hash; both lead to the swarm of its v2 hash.
    const auto r = db_.exec(
        "SELECT bool_or(EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = f.group_id AND "
        "m.user_id = $2)), min(f.swarm_key) FROM files f "
        "WHERE f.swarm_key = $1 OR f.v1_swarm_key = $1",
        swarm_key, who.integer(0, 0));
    if (r.is_null(0, 0)) return {status::no_such_file};
    if (!r.boolean(0, 0)) return {status::not_member};
    return {status::ok, who.text(0, 1), r.text(0, 1)};
  }

  bool claim_login(std::string_view user, std::string_view tracker, std::int64_t now_ms,
                   std::int64_t expires_ms) override {
    return db_.transact([&] {
      const auto uid = user_id(user);
      if (!uid) return false;
      return !db_.exec(
                     "INSERT INTO logins(user_id, tracker, expires_ms) VALUES ($1, $2, $3) "
                     "ON CONFLICT (user_id) DO UPDATE SET tracker = $2, expires_ms = $3 "
                     "WHERE logins.expires_ms < $4 RETURNING user_id",
                     *uid, tracker, expires_ms, now_ms)
                  .empty();
    });
  }

  void release_login(std::string_view user, std::string_view tracker) override {
    db_.exec(
        "DELETE FROM logins WHERE tracker = $2 AND user_id = (SELECT id FROM users WHERE name = "
        "$1)",
        user, tracker);
  }

  void renew_logins(std::string_view tracker, std::int64_t expires_ms) override {
    db_.exec("UPDATE logins SET expires_ms = $2 WHERE tracker = $1", tracker, expires_ms);
  }

  void release_logins(std::string_view tracker) override {
    db_.exec("DELETE FROM logins WHERE tracker = $1", tracker);
  }

  std::vector<std::string> online_users(std::int64_t now_ms) override {
    const auto r = db_.exec(
        "SELECT u.name FROM logins l JOIN users u ON u.id = l.user_id WHERE l.expires_ms >= $1 "
        "ORDER BY u.name",
        now_ms);
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(r.text(i, 0));
    return out;
  }

  bool take_login(std::string_view user, std::string_view tracker,
                  std::int64_t expires_ms) override {
    return !db_.exec(
                   "INSERT INTO logins(user_id, tracker, expires_ms) "
                   "SELECT id, $2, $3 FROM users WHERE name = $1 "
                   "ON CONFLICT (user_id) DO UPDATE SET tracker = $2, expires_ms = $3 "
                   "RETURNING user_id",
                   user, tracker, expires_ms)
                .empty();
  }

  void save_token(std::string_view user, std::string_view digest,
                  std::int64_t expires_ms) override {
    db_.exec(
        "INSERT INTO resume_tokens(digest, user_id, expires_ms) "
        "SELECT $1, id, $3 FROM users WHERE name = $2",
        digest, user, expires_ms);
  }

  bool token_valid(std::string_view user, std::string_view digest, std::int64_t now_ms) override {
    return !db_.exec(
                   "SELECT 1 FROM resume_tokens t JOIN users u ON u.id = t.user_id "
                   "WHERE t.digest = $1 AND u.name = $2 AND t.expires_ms >= $3",
                   digest, user, now_ms)
                .empty();
  }

  void drop_tokens(std::string_view user) override {
    db_.exec("DELETE FROM resume_tokens WHERE user_id = (SELECT id FROM users WHERE name = $1)",
             user);
  }

  bool is_online(std::string_view user, std::int64_t now_ms) override {
    return !db_.exec(
                   "SELECT 1 FROM logins l JOIN users u ON u.id = l.user_id WHERE u.name = $1 AND "
                   "l.expires_ms >= $2",
                   user, now_ms)
                .empty();
  }

  void notify(std::string_view payload) override {
    db_.exec("SELECT pg_notify($1, $2)", event_channel, payload);
  }

  bool mark_delivered(std::int64_t message_id) override {
    return !db_.exec(
                   "UPDATE direct_messages SET delivered = true WHERE id = $1 AND NOT delivered "
                   "RETURNING id",
                   message_id)
                .empty();
  }

  std::string store_id() override {
    const auto r = db_.exec("SELECT id FROM store_identity");
    return r.empty() ? std::string() : r.text(0, 0);
  }

 private:
  struct group_row {
    std::int64_t id;
    std::string name;
    std::int64_t owner_id;
    std::string owner;
  };

  // Names are ASCII (tracker/names.cpp), so folding ASCII is citext's comparison too.
  static bool same_name(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
      const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
      return lower(x) == lower(y);
    });
  }

  void migrate() {
    // The lock is taken before the transaction begins: a SERIALIZABLE transaction reads the
    // snapshot of its first statement, which would predate the other tracker's migration.
    db_.exec("SELECT pg_advisory_lock($1)", migration_lock);
    struct unlock {
      pg::connection& db;
      ~unlock() {
        try {
          db.exec("SELECT pg_advisory_unlock($1)", migration_lock);
        } catch (const std::exception&) {
          // The connection is going away: the server drops the lock with it.
        }
      }
    } release{db_};
    db_.transact([&] {
      db_.exec_script(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
          "applied_at BIGINT NOT NULL)");
      const auto current =
          db_.exec("SELECT coalesce(max(version), 0) FROM schema_migrations").integer(0, 0);
      if (current > static_cast<std::int64_t>(migrations.size())) {
        throw store_failure("the database has schema version " + std::to_string(current) +
                            ", newer than this tracker knows (" +
                            std::to_string(migrations.size()) + ")");
      }
      for (auto version = current + 1; version <= static_cast<std::int64_t>(migrations.size());
           ++version) {
        db_.exec_script(migrations[static_cast<std::size_t>(version - 1)]);
        db_.exec("INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)", version,
                 now_seconds());
      }
    });
  }

  std::optional<std::int64_t> user_id(std::string_view name) {
    const auto r = db_.exec("SELECT id FROM users WHERE name = $1", name);
    if (r.empty()) return std::nullopt;
    return r.integer(0, 0);
  }

  std::optional<group_row> find_group(std::string_view name) {
    const auto r = db_.exec(
        "SELECT g.id, g.name, g.owner_id, u.name FROM groups g JOIN users u ON u.id = g.owner_id "
        "WHERE g.name = $1",
        name);
    if (r.empty()) return std::nullopt;
    return group_row{r.integer(0, 0), r.text(0, 1), r.integer(0, 2), r.text(0, 3)};
  }

  bool membership(std::int64_t group_id, std::int64_t uid) {
    return !db_.exec("SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2", group_id,
                     uid)
                .empty();
  }

  void add_member(std::int64_t group_id, std::int64_t uid, std::int64_t now) {
    db_.exec(
        "INSERT INTO memberships(group_id, user_id, joined_at, since_message) "
        "VALUES ($1, $2, $3, (SELECT coalesce(max(id), 0) FROM room_messages))",
        group_id, uid, now);
  }

  bool remove_request(std::int64_t group_id, std::int64_t uid) {
    return !db_.exec(
                   "DELETE FROM join_requests WHERE group_id = $1 AND user_id = $2 "
                   "RETURNING user_id",
                   group_id, uid)
                .empty();
  }

  decision_result decide(std::string_view group, std::string_view owner, std::string_view user,
                         bool accept) {
    return db_.transact([&]() -> decision_result {
      auto g = find_group(group);
      if (!g) return {status::no_such_group};
      if (!same_name(g->owner, owner)) return {status::not_owner, g->name};
      const auto who = db_.exec("SELECT id, name FROM users WHERE name = $1", user);
      if (who.empty()) return {status::no_such_user, g->name};
      const auto uid = who.integer(0, 0);
      std::string canonical = who.text(0, 1);
      if (!remove_request(g->id, uid)) {
        return {membership(g->id, uid) ? status::already_member : status::no_such_request, g->name,
                canonical};
      }
      if (accept) add_member(g->id, uid, now_seconds());
      return {status::ok, g->name, canonical};
    });
  }

  pg::connection db_;
};

}  // namespace

std::unique_ptr<backend> open_postgresql(const std::string& conninfo) {
  return std::make_unique<pg_backend>(conninfo);
}

int postgresql_schema_version() {
  return static_cast<int>(migrations.size());
}

}  // namespace swarmhub::store
