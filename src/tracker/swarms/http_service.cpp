#include "swarmhub/tracker/swarms/http_service.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <array>
#include <charconv>
#include <iterator>

#include "swarmhub/proto/info_files.hpp"
#include "swarmhub/proto/torrent_links.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/web/metrics.hpp"
#include "swarmhub/tracker/web/static_files.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

namespace bencode = proto::bencode;

constexpr int announce_interval = 120;  // seconds between a peer's announces
constexpr std::string_view announce_path = "/announce";
constexpr std::string_view torrents_path = "/torrents/";

template <class T>
bool parse_number(std::string_view text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

// Lower-case hex of `bytes` into `out`, as util::to_hex (an info-hash, in a fixed array).
template <std::size_t N>
void to_hex(std::string_view bytes, std::array<char, N>& out) {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size() && 2 * i + 1 < N; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 0xF];
  }
}

// Appended piece by piece: "d" + std::string&& makes GCC 12 (-O2 and above) report a false
// -Wrestrict overlap inside operator+.
std::string bencoded_failure(std::string_view reason) {
  std::string out = "d";
  out += bencode::string("failure reason");
  out += bencode::string(reason);
  out += 'e';
  return out;
}

// Into `body`, whose room is reused from one announce to the next (one per thread).
void bencoded_peers(std::string& body, const swarm_registry::reply& peers,
                    std::chrono::seconds min_interval) {
  body.clear();
  fmt::format_to(std::back_inserter(body),
                 FMT_COMPILE("d8:completei{}e10:incompletei{}e8:intervali{}e12:min intervali{}e"
                             "5:peers{}:{}6:peers6{}:{}e"),
                 peers.seeders, peers.leechers, announce_interval, min_interval.count(),
                 peers.peers4.size(), peers.peers4, peers.peers6.size(), peers.peers6);
}

// Who announces and to which swarm: from memory, or from the store on a miss (the store job
// fills the cache: see access_cache.hpp). `failure` is set when the announce is refused.
struct access {
  std::string user;
  std::string swarm_key;
  bool member = false;
  std::string failure;
  // The cache's version the three were read at; none when they came from the store.
  std::optional<std::uint64_t> version;
};

// `who` as the cache holds it now: false on a miss.
bool find_in_cache(tracker_core& core, std::string_view passkey, std::string_view group,
                   std::string_view announced, access& who) {
  std::uint64_t version = 0;
  if (!core.access.find(passkey, group, announced, who.user, who.swarm_key, who.member, version)) {
    return false;
  }
  who.version = version;
  return true;
}

awaitable<access> look_up(tracker_core& core, std::string_view passkey, std::string_view group,
                          std::string_view announced) {
  access out;
  if (find_in_cache(core, passkey, group, announced, out)) co_return out;
  tracker_stats::add(core.stats.announce_lookups_total);
  auto query = [&core, passkey = std::string(passkey), group = std::string(group),
                announced = std::string(announced)](store::backend& db) {
    auto p = db.may_announce(passkey, group, announced);
    if (!p.user.empty()) core.access.set_user(passkey, p.user);
    if (!p.swarm_key.empty()) {
      core.access.set_swarm(group, announced, p.swarm_key);
      core.access.set_member(p.user, group, p.result == store::status::ok);
    }
    return p;
  };
  const auto p = co_await core.store->run(std::move(query));
  using store::status;
  if (p.result == status::ok || p.result == status::not_member) {
    out = access{p.user, p.swarm_key, p.result == status::ok, {}};
  } else if (p.result == status::no_such_user) {
    out.failure = "unknown passkey";
  } else if (p.result == status::no_such_group) {
    out.failure = "unknown group";
  } else {
    out.failure = "unknown torrent";
  }
  co_return out;
}

// An announce's query, checked. Views into the request and into itself (filled in place by
// read_announce, never moved).
struct announce_query {
  std::string_view group;
  std::string_view passkey;
  std::string pk_decoded;  // the passkey, when it came with escapes
  std::array<char, 40> info_hash_hex;
  std::array<char, swarm_registry::peer_id_size> peer_id;
  std::uint16_t port = 0;
  std::int64_t left = 0;
  int want = 50;
  bool stopped = false;

  std::string_view announced() const { return {info_hash_hex.data(), info_hash_hex.size()}; }
  std::string_view peer() const { return {peer_id.data(), peer_id.size()}; }
};

// Reads GET /announce/<group>?pk=<passkey>&info_hash=... into `q`; false, with the bencoded
// failure in `body`, when it is malformed.
bool read_announce(const proto::http::request& request, std::string_view path_rest,
                   announce_query& q, std::string& body) {
  const auto fail = [&](std::string_view why) {
    body = bencoded_failure(why);
    return false;
  };
  if (path_rest.size() < 2 || path_rest[0] != '/') {
    return fail("the announce URL names the group: /announce/<group>?pk=...");
  }
  q.group = path_rest.substr(1);
  if (!valid_name(q.group)) return fail("not a group name");
  const auto params = proto::http::query_params::parse(request.query);
  if (!params) return fail("malformed query");
  // A value with escapes is decoded into its own string; the others are read in place.
  std::string scratch;
  q.passkey = params->get("pk", q.pk_decoded);
  std::array<char, 20> info_hash;
  const auto raw_hash = params->raw("info_hash");
  const auto raw_peer_id = params->raw("peer_id");
  if (!raw_hash || !proto::http::percent_decode_exact(*raw_hash, info_hash)) {
    return fail("info_hash must be 20 bytes");
  }
  if (!raw_peer_id || !proto::http::percent_decode_exact(*raw_peer_id, q.peer_id)) {
    return fail("peer_id must be 20 bytes");
  }
  if (!parse_number(params->get("port", scratch), q.port) || q.port == 0) {
    return fail("bad port");
  }
  if (!parse_number(params->get("left", scratch), q.left) || q.left < 0) return fail("bad left");
  if (params->contains("numwant") && !parse_number(params->get("numwant", scratch), q.want)) {
    return fail("bad numwant");
  }
  q.want = std::clamp(q.want, 0, 200);
  q.stopped = params->get("event", scratch) == "stopped";
  to_hex(std::string_view(info_hash.data(), info_hash.size()), q.info_hash_hex);
  return true;
}

// The announce of `who` (known, not refused) into the swarm, and its bencoded reply in `body`.
void answer_announce(session& client, const announce_query& q, const access& who,
                     std::string& body) {
  tracker_core& core = client.core();
  const auto min_interval = core.announces.settings().min_interval;
  // The peer's address is the one the connection comes from, never a parameter.
  const swarm_registry::peer me{who.user, client.remote_address(), q.port, q.left,
                                passkey_tag(q.passkey)};
  if (q.stopped) {
    // Anyone with a passkey may take their own entry out, a member who left included; it
    // tells them nothing about the swarm.
    core.swarms.announce(q.group, who.swarm_key, q.peer(), me, true, 0);
    bencoded_peers(body, {}, min_interval);
    return;
  }
  if (!who.member) {
    body = bencoded_failure("only members of the group may join its swarm");
    return;
  }
  using verdict = announce_throttle::verdict;
  switch (core.announces.admit(who.user, q.group, q.announced())) {
    case verdict::pass:
      break;
    case verdict::too_soon:
      body = bencoded_failure(
          fmt::format("announcing too often: the min interval is {} s", min_interval.count()));
      return;
    case verdict::too_many_torrents:
      body = bencoded_failure("too many torrents announced at once");
      return;
  }
  // Reused on this thread: nothing between its fill and bencoded_peers suspends or announces.
  static thread_local swarm_registry::reply peers;
  core.swarms.announce(q.group, who.swarm_key, q.peer(), me, false, q.want, peers);
  // A leave may have run between the check above and the entry: it forgets the cache entry
  // before it forgets the leaver's peers (swarms/membership.cpp), so an entry it missed is
  // taken out here. So may a file's removal (the cache's swarm, then the swarm) and a new
  // passkey (the cache's passkey, then the entries announced with another). When the cache's
  // version is the one `who` was read at, none of them needs this: one whose swarm forget
  // took the entry's part lock before the entry moved the version before that, and the
  // read below sees it (the lock orders them, whatever the atomics' orderings); one not seen
  // yet forgets the swarm after the entry, and takes the entry out itself.
  if (!who.version || core.access.version() != *who.version) {
    const auto refuse = [&](std::string_view why) {
      core.swarms.announce(q.group, who.swarm_key, q.peer(), me, true, 0);
      body = bencoded_failure(why);
    };
    if (core.access.user_of(q.passkey) != who.user) return refuse("unknown passkey");
    if (core.access.is_member(who.user, q.group) != true) {
      return refuse("only members of the group may join its swarm");
    }
    if (!core.access.has_swarm(q.group, q.announced())) return refuse("unknown torrent");
  }
  bencoded_peers(body, peers, min_interval);
}

void append_announce_response(std::string& out, const proto::http::request& request,
                              std::string_view body) {
  proto::http::append_response(out, 200, "OK", "text/plain", body, request.keep_alive);
}

// GET /announce/<group>?pk=<passkey>&info_hash=...: `group` names the swarm. Answered into
// `out` when it needs no store lookup (malformed, or who and which swarm are in the cache);
// false otherwise.
bool announce_now(session& client, const proto::http::request& request, std::string_view path_rest,
                  std::string& out) {
  announce_query q;  // each announce's own: a parameter it lacks takes its default
  // Reused from one announce to the next on this thread (no suspension while they are used):
  // every field read is written first.
  static thread_local access who;
  static thread_local std::string body;
  if (read_announce(request, path_rest, q, body)) {
    tracker_core& core = client.core();
    if (!find_in_cache(core, q.passkey, q.group, q.announced(), who)) return false;
    tracker_stats::add(core.stats.announces_total);
    answer_announce(client, q, who, body);
  }
  append_announce_response(out, request, body);
  return true;
}

// The same, the cache's misses looked up in the store.
awaitable<std::string> announce(session& client, const proto::http::request& request,
                                std::string_view path_rest) {
  announce_query q;
  std::string body;
  std::string out;
  if (read_announce(request, path_rest, q, body)) {
    tracker_core& core = client.core();
    tracker_stats::add(core.stats.announces_total);
    const auto who = co_await look_up(core, q.passkey, q.group, q.announced());
    if (who.failure.empty()) {
      answer_announce(client, q, who, body);
    } else {
      body = bencoded_failure(who.failure);
    }
  }
  append_announce_response(out, request, body);
  co_return out;
}

// "/announce" or "/announce/<group>": what follows "/announce"; nothing for other paths.
std::optional<std::string_view> announce_rest(std::string_view path) {
  if (!path.starts_with(announce_path)) return std::nullopt;
  const auto rest = path.substr(announce_path.size());
  if (!rest.empty() && rest[0] != '/') return std::nullopt;
  return rest;
}

// GET /torrents/<group>/<file>?pk=<passkey>: a member's .torrent of a file of an open group,
// announcing with their passkey to this tracker under the name the request used (Host). A
// file shared while the group was sealed stays sealed (proto::ssl_cert_of): no .torrent.
awaitable<std::string> torrent_file(session& client, const proto::http::request& request,
                                    std::string_view path_rest) {
  const auto refuse = [&](int code, std::string_view status, std::string_view why) {
    return proto::http::response(code, status, "text/plain", std::string(why) + "\n",
                                 request.keep_alive);
  };
  const auto slash = path_rest.find('/');
  if (slash == std::string_view::npos) co_return refuse(404, "Not Found", "not found");
  const std::string group(path_rest.substr(0, slash));
  const auto name = proto::http::percent_decode(path_rest.substr(slash + 1));
  const auto params = proto::http::parse_query(request.query);
  if (!valid_name(group) || !name || !valid_file_name(*name) || !params) {
    co_return refuse(400, "Bad Request", "GET /torrents/<group>/<file>?pk=<passkey>");
  }
  const auto pk = params->find("pk");
  const std::string passkey = pk == params->end() ? std::string() : pk->second;
  auto query = [passkey, group, file = *name](store::backend& db) {
    return db.open_file(passkey, group, file);
  };
  const auto found = co_await client.core().store->run(std::move(query));
  using store::status;
  if (found.result == status::no_such_user) co_return refuse(403, "Forbidden", "unknown passkey");
  if (found.result == status::not_member) {
    co_return refuse(403, "Forbidden", "only members of the group get its files");
  }
  if (found.result == status::group_sealed) {
    co_return refuse(403, "Forbidden", "the group is sealed: swarmhub clients only");
  }
  if (found.result != status::ok) co_return refuse(404, "Not Found", "no such group or file");
  if (proto::ssl_cert_of(found.file.info)) {
    co_return refuse(403, "Forbidden",
                     "the file was shared while the group was sealed: swarmhub clients only");
  }
  if (request.host.empty()) co_return refuse(400, "Bad Request", "the request has no Host");
  const std::string announce_url = (client.over_tls() ? "https://" : "http://") + request.host +
                                   std::string(announce_path) + "/" + found.file.group +
                                   "?pk=" + passkey;
  co_return proto::http::response(200, "OK", "application/x-bittorrent",
                                  proto::torrent_file(found.file.info, {announce_url}),
                                  request.keep_alive);
}

// GET /metrics (web/metrics.hpp).
std::string metrics(session& client, const proto::http::request& request) {
  tracker_core& core = client.core();
  if (!metrics_allowed(client.remote_address(), request, core.options.metrics_token)) {
    if (core.options.metrics_token.empty()) {
      return proto::http::response(403, "Forbidden", "text/plain",
                                   "/metrics is served to loopback only (see --metrics-token)\n",
                                   request.keep_alive);
    }
    return proto::http::response(401, "Unauthorized", "text/plain",
                                 "/metrics needs Authorization: Bearer <token>\n",
                                 request.keep_alive, "WWW-Authenticate: Bearer\r\n");
  }
  return proto::http::response(200, "OK", "text/plain; version=0.0.4; charset=utf-8",
                               render_metrics(core), request.keep_alive);
}

}  // namespace

bool serve_http_now(session& client, const proto::http::request& request, std::string& out) {
  const std::string_view path = request.path;
  const auto answer = [&](int status, std::string_view reason, std::string_view body) {
    proto::http::append_response(out, status, reason, "text/plain", body, request.keep_alive);
    return true;
  };
  if (path == "/metrics") {
    out += metrics(client, request);
    return true;
  }
  if (auto file = web::serve_static(request)) {
    out += *file;
    return true;
  }
  if (const auto rest = announce_rest(path)) return announce_now(client, request, *rest, out);
  if (path.starts_with(torrents_path)) return false;
  // Which store this tracker serves: trackers listed together compare it at start.
  if (path == "/identity") return answer(200, "OK", "store " + client.core().store_id + "\n");
  if (path == "/health") return answer(200, "OK", "ok\n");
  return answer(404, "Not Found", "not found\n");
}

awaitable<std::string> serve_http(session& client, const proto::http::request& request) {
  const std::string_view path = request.path;
  std::string out;
  // What may wait for the store goes its own way (the cache first, then the store); all the
  // rest is answered at once.
  if (const auto rest = announce_rest(path)) {
    out = co_await announce(client, request, *rest);
  } else if (path.starts_with(torrents_path)) {
    out = co_await torrent_file(client, request, path.substr(torrents_path.size()));
  } else {
    serve_http_now(client, request, out);
  }
  co_return out;
}

}  // namespace swarmhub::tracker
