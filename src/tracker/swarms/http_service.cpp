#include "swarmhub/tracker/swarms/http_service.hpp"

#include <fmt/format.h>
#include <charconv>

#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/hex.hpp"

namespace swarmhub::tracker {
namespace {

namespace bencode = proto::bencode;

constexpr int announce_interval = 120;  // seconds between a peer's announces
constexpr int min_interval = 30;

template <class T>
bool parse_number(const std::string& text, T& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
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

awaitable<std::string> announce(session& client, const proto::http::request& request) {
  const auto ok = [&](std::string body) {
    return proto::http::response(200, "OK", "text/plain", body, request.keep_alive);
  };
  const auto params = proto::http::parse_query(request.query);
  if (!params) co_return ok(bencoded_failure("malformed query"));
  const auto get = [&](const char* key) -> std::string {
    const auto it = params->find(key);
    return it == params->end() ? std::string() : it->second;
  };
  const std::string passkey = get("pk");
  const std::string info_hash = get("info_hash");
  const std::string peer_id = get("peer_id");
  std::uint16_t port = 0;
  std::int64_t left = 0;
  int want = 50;
  if (info_hash.size() != 20) co_return ok(bencoded_failure("info_hash must be 20 bytes"));
  if (peer_id.size() != 20) co_return ok(bencoded_failure("peer_id must be 20 bytes"));
  if (!parse_number(get("port"), port) || port == 0) co_return ok(bencoded_failure("bad port"));
  if (!parse_number(get("left"), left) || left < 0) co_return ok(bencoded_failure("bad left"));
  if (params->contains("numwant") && !parse_number(get("numwant"), want)) {
    co_return ok(bencoded_failure("bad numwant"));
  }
  want = std::clamp(want, 0, 200);
  const std::string event = get("event");

  const std::string swarm_key = util::to_hex(info_hash);
  auto check = [passkey, swarm_key](store::backend& db) {
    return db.may_announce(passkey, swarm_key);
  };
  const auto permission = co_await client.core().store->run(std::move(check));
  if (permission.result == store::status::no_such_user)
    co_return ok(bencoded_failure("unknown passkey"));
  if (permission.result == store::status::no_such_file)
    co_return ok(bencoded_failure("unknown torrent"));
  if (permission.result != store::status::ok) {
    co_return ok(bencoded_failure("only members of the file's group may join its swarm"));
  }
  // The peer's address is the one the connection comes from, never a parameter.
  const swarm_registry::peer me{permission.user, client.remote_address(), port, left};
  const auto peers =
      client.core().swarms.announce(permission.swarm_key, peer_id, me, event == "stopped", want);
  std::string body = "d";
  body += bencode::string("complete") + bencode::integer(peers.seeders);
  body += bencode::string("incomplete") + bencode::integer(peers.leechers);
  body += bencode::string("interval") + bencode::integer(announce_interval);
  body += bencode::string("min interval") + bencode::integer(min_interval);
  body += bencode::string("peers") + bencode::string(peers.peers4);
  body += bencode::string("peers6") + bencode::string(peers.peers6);
  body += "e";
  co_return ok(std::move(body));
}

}  // namespace

awaitable<std::string> serve_http(session& client, const proto::http::request& request) {
  if (request.path == "/announce") co_return co_await announce(client, request);
  if (request.path == "/identity") {
    // Which store this tracker serves: trackers listed together compare it at start.
    co_return proto::http::response(200, "OK", "text/plain",
                                    "store " + client.core().store_id + "\n", request.keep_alive);
  }
  if (request.path == "/health") {
    co_return proto::http::response(200, "OK", "text/plain", "ok\n", request.keep_alive);
  }
  co_return proto::http::response(404, "Not Found", "text/plain", "not found\n",
                                  request.keep_alive);
}

}  // namespace swarmhub::tracker
