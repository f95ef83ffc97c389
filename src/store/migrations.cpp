#include "migrations.hpp"

#include <array>
#include <utility>

namespace swarmhub::store::sql {
namespace {

constexpr std::array<std::string_view, 17> all{
    // 1: accounts, groups, memberships, join requests
    R"sql({extensions}
CREATE TABLE users (
  id            {pk},
  name          {name},
  password_hash TEXT NOT NULL,
  created_at    {int} NOT NULL
);
CREATE TABLE groups (
  id         {pk},
  name       {name},
  owner_id   {int} NOT NULL REFERENCES users(id),
  created_at {int} NOT NULL
);
-- id orders members by joining time: the earliest-joined member takes over from an owner
-- who leaves.
CREATE TABLE memberships (
  id        {serial_pk},
  group_id  {int} NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id   {int} NOT NULL REFERENCES users(id),
  joined_at {int} NOT NULL,
  UNIQUE (group_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);
CREATE TABLE join_requests (
  group_id     {int} NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id      {int} NOT NULL REFERENCES users(id),
  requested_at {int} NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
)sql",
    // 2: chat
    R"sql(
CREATE TABLE room_messages (
  id         {serial_pk},
  group_id   {int} REFERENCES groups(id) ON DELETE CASCADE,  -- NULL: the lobby
  sender_id  {int} NOT NULL REFERENCES users(id),
  body       TEXT NOT NULL,
  sent_at_ms {int} NOT NULL
);
CREATE INDEX room_messages_by_group ON room_messages(group_id, id);
CREATE TABLE direct_messages (
  id           {serial_pk},
  sender_id    {int} NOT NULL REFERENCES users(id),
  recipient_id {int} NOT NULL REFERENCES users(id),
  body         TEXT NOT NULL,
  sent_at_ms   {int} NOT NULL,
  delivered    {bool} NOT NULL DEFAULT {false}
);
CREATE INDEX direct_messages_waiting ON direct_messages(recipient_id, id) WHERE delivered = {false};
-- A member sees a group's messages newer than since_message (the newest one when they joined).
ALTER TABLE memberships ADD COLUMN since_message {int} NOT NULL DEFAULT 0;
-- The newest room message a user has been shown.
ALTER TABLE users ADD COLUMN seen_message {int} NOT NULL DEFAULT 0;
)sql",
    // 3: files and passkeys
    R"sql(
CREATE TABLE files (
  id          {pk},
  group_id    {int} NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  size        {int} NOT NULL,
  info_hash   TEXT NOT NULL,
  swarm_key   TEXT NOT NULL,
  info        {blob} NOT NULL,
  uploader_id {int} NOT NULL REFERENCES users(id),
  created_at  {int} NOT NULL,
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
  user_id    {int} PRIMARY KEY REFERENCES users(id),
  tracker    TEXT NOT NULL,
  expires_ms {int} NOT NULL
);
CREATE INDEX logins_by_tracker ON logins(tracker);
CREATE TABLE store_identity (id TEXT NOT NULL);
INSERT INTO store_identity VALUES ({random_id});
CREATE TABLE resume_tokens (
  digest     TEXT PRIMARY KEY,
  user_id    {int} NOT NULL REFERENCES users(id),
  expires_ms {int} NOT NULL
);
CREATE INDEX resume_tokens_by_user ON resume_tokens(user_id);
)sql",
    // 6: what a store of a million users needs: a login asks for the groups its user owns
    R"sql(
CREATE INDEX groups_by_owner ON groups(owner_id);
)sql",
    // 7: the waiting direct messages indexed under the predicate both engines' statements
    // spell the same way (SQLite uses a partial index only for the very words of its WHERE)
    R"sql(
CREATE INDEX direct_messages_undelivered ON direct_messages(recipient_id, id)
  WHERE delivered = false;
DROP INDEX direct_messages_waiting;
)sql",
    // 8: the lobby's history starts at the account (seed 003: a newcomer sees what is posted
    // from the point she joins): the newest room message when the user was created, an id
    // and not a time, as memberships.since_message is for group rooms. Older accounts keep
    // 0, the whole history, as before.
    R"sql(
ALTER TABLE users ADD COLUMN lobby_since {int} NOT NULL DEFAULT 0;
)sql",
    // 9: who may use a group's files with another BitTorrent client: 'sealed' (swarmhub
    // clients only, the default) or 'open' (members get .torrent files and magnet links)
    R"sql(
ALTER TABLE groups ADD COLUMN mode TEXT NOT NULL DEFAULT 'sealed';
)sql",
    // 10: each group's certificate authority for sealed swarms (net/group_ca.hpp), in the store
    // so that every tracker of a shared database signs with the same one
    R"sql(
CREATE TABLE group_cas (
  group_id {int} PRIMARY KEY REFERENCES groups(id) ON DELETE CASCADE,
  key_pem  TEXT NOT NULL,
  cert_pem TEXT NOT NULL
);
)sql",
    // 11: shared folders: how many files one holds (0 for a single file, as every older row)
    R"sql(
ALTER TABLE files ADD COLUMN file_count {int} NOT NULL DEFAULT 0;
)sql",
    // 12: v2 files' piece layers (BEP 52), as uploaders send them in chunks (add_layers), so
    // that leechers start with every piece hash and never ask peers for them
    R"sql(
CREATE TABLE piece_layers (
  info_hash   TEXT NOT NULL,
  first_piece {int} NOT NULL,
  hashes      {blob} NOT NULL,
  PRIMARY KEY (info_hash, first_piece)
);
)sql",
    // 13: a live login's away text (AWAY, `away`): '' while present; a new login starts present
    R"sql(
ALTER TABLE logins ADD COLUMN away TEXT NOT NULL DEFAULT '';
)sql",
    // 14: whether a file was shared sealed (its info dictionary has an ssl-cert), so that a
    // listing need not read every info dictionary; NULL for files registered before
    R"sql(
ALTER TABLE files ADD COLUMN sealed {bool};
)sql",
    // 15: how far each member was shown their group's room, one mark per room (it was one
    // per user: messages of different rooms can commit out of id order, and a mark past one
    // committed later hid it from the backlog); each room starts where the user's mark was
    R"sql(
ALTER TABLE memberships ADD COLUMN seen_message {int} NOT NULL DEFAULT 0;
UPDATE memberships SET seen_message =
  (SELECT u.seen_message FROM users u WHERE u.id = memberships.user_id);
ALTER TABLE users DROP COLUMN seen_message;
)sql",
    // 16: a piece layer's chunks kept apart per member who sends them (submitter, a folded user
    // name) until that member's whole layer is checked; the kept layer's submitter is ''. One
    // member's wrong chunks no longer get another's right layer dropped. What was stored before
    // goes under '*' (store::stored_before_submitters), checked the first time it is asked for.
    R"sql(
CREATE TABLE piece_layer_chunks (
  info_hash   TEXT NOT NULL,
  submitter   TEXT NOT NULL,
  first_piece {int} NOT NULL,
  hashes      {blob} NOT NULL,
  PRIMARY KEY (info_hash, submitter, first_piece)
);
INSERT INTO piece_layer_chunks(info_hash, submitter, first_piece, hashes)
  SELECT info_hash, '*', first_piece, hashes FROM piece_layers;
DROP TABLE piece_layers;
)sql",
    // 17: quotas (store::quotas). A user's groups are counted by owner (groups_by_owner,
    // migration 6), their files by uploader; a member's unfinished piece layers are ordered
    // by `added` (one more than the submitter's largest when the chunk came: a running
    // order, not a count), so that starting one more layer than allowed drops the one added
    // to least recently.
    R"sql(
CREATE INDEX files_by_uploader ON files(uploader_id);
ALTER TABLE piece_layer_chunks ADD COLUMN added {int} NOT NULL DEFAULT 0;
CREATE INDEX piece_layer_chunks_by_submitter ON piece_layer_chunks(submitter, added);
)sql",
};

using spelling = std::array<std::pair<std::string_view, std::string_view>, 9>;

constexpr spelling sqlite_words{{
    {"{extensions}", ""},
    {"{pk}", "INTEGER PRIMARY KEY"},
    {"{serial_pk}", "INTEGER PRIMARY KEY AUTOINCREMENT"},
    {"{int}", "INTEGER"},
    {"{name}", "TEXT NOT NULL UNIQUE COLLATE NOCASE"},
    {"{blob}", "BLOB"},
    {"{bool}", "INTEGER"},
    {"{false}", "0"},
    {"{random_id}", "lower(hex(randomblob(16)))"},
}};

constexpr spelling postgresql_words{{
    {"{extensions}", "CREATE EXTENSION IF NOT EXISTS citext;"},
    {"{pk}", "BIGSERIAL PRIMARY KEY"},
    {"{serial_pk}", "BIGSERIAL PRIMARY KEY"},
    {"{int}", "BIGINT"},
    {"{name}", "CITEXT NOT NULL UNIQUE"},
    {"{blob}", "BYTEA"},
    {"{bool}", "BOOLEAN"},
    {"{false}", "false"},
    {"{random_id}", "md5(random()::text || clock_timestamp()::text)"},
}};

}  // namespace

std::span<const std::string_view> migrations() {
  return all;
}

std::string in_dialect(dialect d, std::string_view migration) {
  const spelling& words = d == dialect::sqlite ? sqlite_words : postgresql_words;
  std::string out;
  out.reserve(migration.size() + 64);
  while (!migration.empty()) {
    const auto open = migration.find('{');
    out.append(migration.substr(0, open));
    if (open == std::string_view::npos) break;
    migration.remove_prefix(open);
    bool replaced = false;
    for (const auto& [word, spelled] : words) {
      if (migration.starts_with(word)) {
        out.append(spelled);
        migration.remove_prefix(word.size());
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out.push_back('{');
      migration.remove_prefix(1);
    }
  }
  return out;
}

}  // namespace swarmhub::store::sql
