#pragma once
// The tracker's durable state, behind one interface with a backend per database engine.
//
// Contract: every method is one transaction. Uniqueness, ownership and membership rules are
// checked inside that transaction (and by the schema's constraints), never by a cache in the
// tracker, so several trackers writing one database cannot break them. Names are matched
// case-insensitively and returned as they were created. Methods block: call them through
// async_store, never on a thread that serves sockets. Failures of the engine itself (disk,
// connection) throw store_failure; rule violations are ordinary results.

#include <climits>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::store {

struct store_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class status {
  ok,
  user_exists,
  group_exists,
  no_such_user,
  no_such_group,
  not_owner,
  not_member,
  already_member,
  request_pending,
  no_such_request,
  file_exists,  // the name is taken in that group by other content
  no_such_file,
  group_sealed,    // the group is sealed: its files are for swarmhub clients only
  is_owner,        // the group's owner cannot be removed (they leave with leave_group)
  quota_exceeded,  // a limit of store::quotas
};

// How a group's files may be fetched: by swarmhub clients only (sealed), or also by any
// BitTorrent client of a member, with a .torrent or magnet link carrying their passkey (open).
enum class group_mode { sealed, open };
std::string_view mode_name(group_mode mode);
std::optional<group_mode> parse_mode(std::string_view text);

struct user_record {
  std::int64_t id = 0;
  std::string name;
  std::string password_hash;
};

struct group_summary {
  std::string name;
  std::string owner;
  std::int64_t members = 0;
  group_mode mode = group_mode::sealed;
};

struct member_info {
  std::string name;
  bool owner = false;
  std::int64_t joined_at = 0;  // unix seconds
};

struct join_request {
  std::string user;
  std::int64_t requested_at = 0;  // unix seconds
};

struct pending_count {
  std::string group;
  std::int64_t count = 0;
};

// What join_group did: on success, who owns the group (to notify them).
struct join_result {
  status result = status::ok;
  std::string group;  // canonical name
  std::string owner;
};

// What accept/reject did: on success, the canonical names involved.
struct decision_result {
  status result = status::ok;
  std::string group;
  std::string user;
};

struct leave_result {
  enum class effect { left, withdrew_request, owner_changed, group_removed };
  status result = status::ok;
  effect what = effect::left;
  std::string group;
  std::string new_owner;  // for owner_changed
};

// A message of a room: a group's room, or the lobby (group empty).
struct room_message {
  std::int64_t id = 0;  // increases with every room message, across rooms
  std::string group;    // canonical group name; empty for the lobby
  std::string sender;
  std::string body;
  std::int64_t sent_at_ms = 0;  // unix milliseconds
};

struct post_result {
  status result = status::ok;
  room_message message;
};

struct direct_message {
  std::int64_t id = 0;
  std::string sender;
  std::string recipient;
  std::string body;
  std::int64_t sent_at_ms = 0;
};

struct direct_result {
  status result = status::ok;
  direct_message message;
};

// How far a user was shown one group room's messages: up to `message_id`, that one included.
struct room_mark {
  std::string user;
  std::string group;
  std::int64_t message_id = 0;
};

// Group-room messages a user has not seen yet, oldest first.
struct backlog {
  std::vector<room_message> messages;
  std::int64_t more = 0;  // unseen messages left out past the limit (the oldest ones)
};

// A file registered in a group: its metadata, never its bytes.
struct file_record {
  std::string group;
  std::string name;
  std::int64_t size = 0;
  std::string info_hash;  // hex SHA-256 of the info dictionary (BitTorrent v2)
  std::string swarm_key;  // hex of the 20 bytes peers announce (v2: its hash truncated; v1: SHA-1)
  std::string info;       // the bencoded info dictionary
  std::string uploader;
  std::int64_t created_at = 0;  // unix seconds
  std::string v1_swarm_key;     // hybrid v1+v2 torrents: hex SHA-1 of `info`; else empty
  std::int64_t file_count = 0;  // a folder's files (`size` is their total); 0: a single file
  // Shared sealed (an ssl-cert in `info`). Unknown for files registered before the store
  // kept it: list_files then gives `info` instead, which says it (and else leaves it empty).
  std::optional<bool> sealed;
};

struct add_file_result {
  status result = status::ok;
  bool already_there = false;  // the same content was registered before under that name
};

struct file_result {
  status result = status::ok;
  file_record file;
};

// A run of a v2 file's piece layer: the SHA-256 hashes (32 bytes each) of its pieces from
// piece `first` on.
// The submitters of piece layer chunks (backend::add_layer_chunk) that are no member's (user
// names begin with a letter or a digit): the file's layer, checked and kept; and chunks stored
// before they were kept apart by member (migration 16), not checked as a whole yet.
inline constexpr std::string_view kept_layer = "";
inline constexpr std::string_view stored_before_submitters = "*";

struct layer_chunk {
  std::int64_t first = 0;
  std::string hashes;
};

// What backend::add_layer_chunk did.
struct layer_progress {
  bool kept_already = false;       // the file has its layer: nothing was stored
  std::int64_t chunks = 0;         // the submitter's chunks of the file now
  std::vector<layer_chunk> whole;  // all of them, by `first`, once `chunks` reaches `needed`
};

// Whether a passkey's user may join a group's swarm of a torrent. Each field is filled as
// far as it is known, so that the tracker can remember each fact on its own.
struct announce_permission {
  // no_such_user: unknown passkey; no_such_group; no_such_file: not in that group;
  // not_member (user and swarm_key are filled)
  status result = status::ok;
  std::string user;       // the passkey's user
  std::string swarm_key;  // the swarm announced to (a hybrid's v1 hash leads to its v2 key)
};

// A group's certificate authority for sealed swarms, as a member asks for it.
struct group_authority {
  status result = status::ok;  // no_such_group, no_such_user, not_member
  group_mode mode = group_mode::sealed;
  std::string key_pem;   // the CA's private key
  std::string cert_pem;  // its certificate: the ssl-cert of the group's sealed torrents
};

// A page of one conversation's history (IRCv3 draft/chathistory): the messages strictly
// between two bounds, each a message id and a time (either may be left open), the `limit`
// nearest the lower bound (oldest first) or the upper one (newest first: from_newest), always
// returned oldest first.
struct history_page {
  static constexpr std::int64_t open_low = -1;
  static constexpr std::int64_t open_high = INT64_MAX;
  std::int64_t after_id = open_low;
  std::int64_t before_id = open_high;
  std::int64_t after_ms = open_low;  // unix milliseconds
  std::int64_t before_ms = open_high;
  bool from_newest = true;
  std::size_t limit = 100;
};

// A conversation with messages in a span of time (IRCv3 CHATHISTORY TARGETS): a room (the
// lobby when `name` is empty) or the direct messages with the user `name`, and the time of its
// latest message in that span.
struct history_target {
  bool direct = false;
  std::string name;            // a group's canonical name, "" for the lobby, or the other user's
  std::int64_t latest_ms = 0;  // unix milliseconds
};

// Someone logged in, and whether they are away (AWAY, `away`).
struct presence {
  std::string name;
  std::string away;  // "" while present

  bool operator==(const presence&) const = default;
};

template <class T>
struct listing {
  status result = status::ok;
  std::vector<T> items;
};

// Limits a backend keeps inside its own transactions; 0 is no limit.
struct quotas {
  // Groups one user may own (create_group; an owner who leaves hands a group over).
  std::int64_t groups_per_user = 0;
  // Files one member may have registered (add_file), in all groups together.
  std::int64_t files_per_user = 0;
  // Piece layers one member may be sending at once (add_layer_chunk): a member's chunks of a
  // layer are kept until the whole layer is checked, so without a bound one member could
  // make the store hold any number of unfinished layers (up to 64 MiB each). Starting one
  // more than this drops the chunks of the one they added to least recently.
  std::int64_t unfinished_layers = 0;
};

class backend {
 public:
  virtual ~backend() = default;

  // Set once, before the backend is used.
  void set_quotas(const quotas& limits) { quotas_ = limits; }

  virtual status create_user(std::string_view name, std::string_view password_hash) = 0;
  virtual std::optional<user_record> find_user(std::string_view name) = 0;

  virtual status create_group(std::string_view group, std::string_view owner) = 0;
  virtual std::vector<group_summary> list_groups() = 0;
  virtual join_result join_group(std::string_view group, std::string_view user) = 0;
  virtual listing<join_request> list_requests(std::string_view group, std::string_view owner) = 0;
  virtual decision_result accept_request(std::string_view group, std::string_view owner,
                                         std::string_view user) = 0;
  virtual decision_result reject_request(std::string_view group, std::string_view owner,
                                         std::string_view user) = 0;
  virtual leave_result leave_group(std::string_view group, std::string_view user) = 0;
  // The owner takes `user` out of the group: their membership goes, as with leave_group
  // (the owner is `is_owner`, a user who is no member `not_member`).
  virtual decision_result remove_member(std::string_view group, std::string_view owner,
                                        std::string_view user) = 0;
  virtual listing<member_info> list_members(std::string_view group, std::string_view requester) = 0;
  virtual bool is_member(std::string_view group, std::string_view user) = 0;
  // Groups owned by `owner` that have requests waiting, with how many.
  virtual std::vector<pending_count> pending_requests_for_owner(std::string_view owner) = 0;
  // The groups `user` belongs to, by name.
  virtual std::vector<std::string> groups_of(std::string_view user) = 0;
  // Sets a group's mode; only its owner may (not_owner).
  virtual status set_group_mode(std::string_view group, std::string_view owner,
                                group_mode mode) = 0;

  // --- chat ---
  // Stores a message of `sender` in the room of `group` (empty: the lobby), if they may post
  // there (a member, for a group room).
  virtual post_result post_room_message(std::string_view group, std::string_view sender,
                                        std::string_view body) = 0;
  // Several posts in one transaction (one durable commit for all: group commit), each
  // checked as post_room_message would; results in the same order. The default commits each
  // on its own.
  struct room_post {
    std::string group;
    std::string sender;
    std::string body;
  };
  virtual std::vector<post_result> post_room_messages(const std::vector<room_post>& posts) {
    std::vector<post_result> out;
    out.reserve(posts.size());
    for (const auto& p : posts) out.push_back(post_room_message(p.group, p.sender, p.body));
    return out;
  }
  // The last `limit` messages of a room that `user` may see: the lobby's, or those of a
  // group's room posted since `user` joined it.
  virtual listing<room_message> room_history(std::string_view group, std::string_view user,
                                             std::size_t limit) = 0;
  // A page of a room's messages that `user` may see (as room_history); no_such_user,
  // no_such_group, not_member.
  virtual listing<room_message> room_history_page(std::string_view group, std::string_view user,
                                                  const history_page& page) = 0;
  // A page of the direct messages between `user` and `peer`, both ways, delivered or not;
  // no_such_user when either is unknown.
  virtual listing<direct_message> direct_history_page(std::string_view user, std::string_view peer,
                                                      const history_page& page) = 0;
  // The conversations `user` may read (as room_history_page and direct_history_page: the
  // lobby, the rooms of their groups, their direct messages with each other user) that have
  // messages strictly between page.after_ms and page.before_ms (the page's ids are not used):
  // the `limit` whose latest message there is nearest the lower bound, or the upper one
  // (from_newest), returned by that time, oldest first; no_such_user.
  virtual listing<history_target> history_targets(std::string_view user,
                                                  const history_page& page) = 0;
  // Messages of `user`'s group rooms newer than both their joining and what they were shown
  // of that room (mark_seen); at most `limit`, the newest ones.
  virtual backlog unseen_room_messages(std::string_view user, std::size_t limit) = 0;
  // Records how far each user was shown each group room's messages (a mark never moves
  // back; the lobby keeps none, nor a room its user is no member of), all in one transaction
  // (one durable commit). One mark per user and room, not per user: messages of different
  // rooms can commit out of id order (several trackers), but those of one room cannot
  // (post_room_message holds the room until commit).
  virtual void mark_seen(const std::vector<room_mark>& marks) = 0;
  // Every room's messages (the lobby's too) with an id above `after`, oldest first, at most
  // `limit`: what a tracker's event feed may have missed while it reconnected.
  virtual std::vector<room_message> room_messages_after(std::int64_t after, std::size_t limit) = 0;
  // The newest room message id, 0 when there is none.
  virtual std::int64_t latest_room_message() = 0;

  // Stores a direct message, not delivered yet.
  virtual direct_result send_direct(std::string_view sender, std::string_view recipient,
                                    std::string_view body) = 0;
  // Direct messages to `user` not delivered yet with ids above `after`, oldest first, at
  // most `limit`. They stay so until mark_delivered: a message counts as delivered once it is
  // written to the recipient's connection, so that what a tracker held and lost comes again
  // at the next login.
  virtual std::vector<direct_message> undelivered_direct(std::string_view user,
                                                         std::int64_t after = 0,
                                                         std::size_t limit = 1000) = 0;
  // Marks direct messages delivered (written to their recipient's connection).
  virtual void mark_delivered(const std::vector<std::int64_t>& message_ids) = 0;
  // The users whose login `tracker` holds (claim_login) with direct messages not delivered
  // yet above `after`: whom a tracker's event feed may have missed some for while it
  // reconnected.
  virtual std::vector<std::string> waiting_direct_recipients(std::string_view tracker,
                                                             std::int64_t after) = 0;
  // The newest direct message id, 0 when there is none.
  virtual std::int64_t latest_direct_message() = 0;

  // --- files ---
  // Registers a file in a group for a member. The same name with other content is
  // file_exists; the same content again is fine (already_there). A new file past the member's
  // quotas::files_per_user is quota_exceeded.
  virtual add_file_result add_file(const file_record& file, std::string_view user) = 0;
  // The files of a group, for a member (with their info dictionaries, which tell their mode).
  virtual listing<file_record> list_files(std::string_view group, std::string_view user) = 0;
  virtual file_result find_file(std::string_view group, std::string_view name,
                                std::string_view user) = 0;
  // Takes `name` out of `group`'s registry, for the member who registered it or the group's
  // owner: no_such_group, not_member, no_such_file, not_owner (anyone else; `file` is filled
  // then, to name who may). `file` is what was removed, without its info dictionary.
  virtual file_result remove_file(std::string_view group, std::string_view name,
                                  std::string_view user) = 0;
  // A file of an open group for the member whose passkey this is, with the passkey's user in
  // `uploader`'s stead: no_such_user (unknown passkey), no_such_group, not_member,
  // group_sealed, no_such_file.
  virtual file_result open_file(std::string_view passkey, std::string_view group,
                                std::string_view name) = 0;
  // Piece layers by info-hash (the content, whatever group holds it); the caller checks
  // membership (find_file) first. Each member's chunks are kept apart, under `submitter` (a
  // folded user name), until the caller has checked that member's whole layer and keeps it
  // (keep_layer): only then is it the file's, under kept_layer. So one member's wrong chunks
  // never mix with another's right ones. add_layer_chunk keeps the first chunk stored at
  // `first` for `submitter` and says how many of theirs the file has now; once they are
  // `needed` (the layer's count), it returns them all, read in the same transaction. Once the
  // file has a kept layer it stores nothing (kept_already). A member's first chunk of a
  // layer of several chunks past quotas::unfinished_layers drops their chunks of the one
  // they added to least recently.
  virtual layer_progress add_layer_chunk(std::string_view info_hash, std::string_view submitter,
                                         std::int64_t first, std::string_view hashes,
                                         std::int64_t needed) = 0;
  // `submitter`'s chunks (kept_layer: the file's layer), ordered by `first`.
  virtual std::vector<layer_chunk> layer_chunks(std::string_view info_hash,
                                                std::string_view submitter) = 0;
  // `checked`, a whole layer the caller checked, becomes the file's unless it has one already
  // (the first kept stays: both were checked); every member's chunks of `info_hash` then go.
  virtual void keep_layer(std::string_view info_hash, const std::vector<layer_chunk>& checked) = 0;
  virtual void drop_layer_chunks(std::string_view info_hash, std::string_view submitter) = 0;
  // The user's passkey for announces; `fresh` becomes it if the user has none yet.
  virtual std::string passkey(std::string_view user, std::string_view fresh) = 0;
  // `fresh` becomes the user's passkey, whatever it was: the old one names nobody from now
  // on. False when there is no such user.
  virtual bool replace_passkey(std::string_view user, std::string_view fresh) = 0;
  // `group`'s authority if `user` is a member; the first call stores `fresh_key_pem` and
  // `fresh_cert_pem` as it, later ones (on any tracker) return what was stored.
  virtual group_authority group_authority_for(std::string_view group, std::string_view user,
                                              std::string_view fresh_key_pem,
                                              std::string_view fresh_cert_pem) = 0;
  // `info_hash` is the announced one: a v2 swarm key or a hybrid's v1 key.
  virtual announce_permission may_announce(std::string_view passkey, std::string_view group,
                                           std::string_view info_hash) = 0;

  // --- live logins: one per user across every tracker of the store ---
  // A login is held by one tracker (`tracker` names a tracker process) until `expires_ms`
  // (unix milliseconds), and renewed while that tracker lives; a crashed tracker's logins
  // lapse by themselves. Takes `user`'s login unless another tracker holds an unexpired one.
  virtual bool claim_login(std::string_view user, std::string_view tracker, std::int64_t now_ms,
                           std::int64_t expires_ms) = 0;
  virtual void release_login(std::string_view user, std::string_view tracker) = 0;
  // Extends every login `tracker` holds (empty `tracker`: drops them, at shutdown).
  virtual void renew_logins(std::string_view tracker, std::int64_t expires_ms) = 0;
  virtual void release_logins(std::string_view tracker) = 0;
  // Users with an unexpired login anywhere, by name.
  virtual std::vector<std::string> online_users(std::int64_t now_ms) = 0;
  // The same with each one's away text ("" while present).
  virtual std::vector<presence> online_presence(std::int64_t now_ms) = 0;
  // Sets the away text of `user`'s live login ("" : back); false when they have none. A new
  // login starts present.
  virtual bool set_away(std::string_view user, std::string_view text) = 0;
  // `user`'s away text, "" when present or offline.
  virtual std::string away_text(std::string_view user) = 0;

  // Takes `user`'s login for `tracker` whoever holds it (a client resuming its session after
  // its tracker died); false for an unknown user.
  virtual bool take_login(std::string_view user, std::string_view tracker,
                          std::int64_t expires_ms) = 0;

  // --- resume tokens: a client logs in again without the password after a failover ---
  // Tokens are kept as SHA-256 digests (hex), never as given.
  virtual void save_token(std::string_view user, std::string_view digest,
                          std::int64_t expires_ms) = 0;
  virtual bool token_valid(std::string_view user, std::string_view digest, std::int64_t now_ms) = 0;
  virtual void drop_tokens(std::string_view user) = 0;
  // Deletes `user`'s unexpired token `digest` (used once) and gives its expiry; nullopt when
  // there is no such token.
  virtual std::optional<std::int64_t> take_token(std::string_view user, std::string_view digest,
                                                 std::int64_t now_ms) = 0;
  virtual bool set_password_hash(std::string_view user, std::string_view password_hash) = 0;

  // The tracker holding `user`'s unexpired login, if any.
  virtual std::optional<std::string> login_holder(std::string_view user, std::int64_t now_ms) = 0;
  // Names this connection's process `tracker` for tracker_alive() (once, at start).
  virtual void name_tracker(std::string_view tracker) = 0;
  // Whether the tracker `tracker` still holds a connection to the store: a tracker that
  // died (killed, cut off) lets go of its connections at once, well before its leases
  // lapse. PostgreSQL: its session in pg_stat_activity; SQLite (one tracker): this one.
  virtual bool tracker_alive(std::string_view tracker) = 0;

  // Whether `user` has an unexpired login on some tracker.
  virtual bool is_online(std::string_view user, std::int64_t now_ms) = 0;

  // --- events for the other trackers of the store (PostgreSQL: NOTIFY) ---
  // Sends `payload` to every tracker's event feed (this one's too) when the surrounding work
  // commits. Room and direct messages announce themselves (see event_feed.hpp); a backend for
  // one tracker alone (SQLite) sends nothing.
  virtual void notify(std::string_view payload) { (void)payload; }

  // A random name the database was given when it was created: trackers that report the same
  // one share their users; trackers that do not must not be listed together.
  virtual std::string store_id() = 0;

 protected:
  quotas quotas_;
};

}  // namespace swarmhub::store
