#pragma once
// HTTP on the tracker's port: GET /announce/<group> (the private BitTorrent tracker: BEP 3,
// compact peers BEP 23, IPv6 peers BEP 7, keyed by the user's passkey; one swarm per group
// and torrent) and GET /health.

#include <string>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/http.hpp"

namespace swarmhub::tracker {

class session;

// The whole HTTP response for `request`.
awaitable<std::string> serve_http(session& client, const proto::http::request& request);

}  // namespace swarmhub::tracker
