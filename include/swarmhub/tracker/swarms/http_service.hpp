#pragma once
// HTTP on the tracker's port: GET /announce/<group> (the private BitTorrent tracker: BEP 3,
// compact peers BEP 23, IPv6 peers BEP 7, keyed by the user's passkey; one swarm per group
// and torrent) and GET /health.

#include <string>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/http.hpp"

namespace swarmhub::tracker {

class session;

// The whole HTTP response for `request`, appended to `out`, when it needs no waiting: true.
// False, with `out` as it was, for what waits for the store (a .torrent, an announce whose
// passkey, membership or swarm the cache does not hold): serve_http answers those.
bool serve_http_now(session& client, const proto::http::request& request, std::string& out);
// The whole HTTP response for `request`, whatever it waits for (an announce tries the cache
// again first).
awaitable<std::string> serve_http(session& client, const proto::http::request& request);

}  // namespace swarmhub::tracker
