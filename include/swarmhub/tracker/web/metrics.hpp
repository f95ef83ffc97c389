#pragma once
// GET /metrics: the tracker's counters in the Prometheus text format (version 0.0.4), for a
// scraper on the same machine, or elsewhere with the bearer token of --metrics-token.

#include <string>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/http.hpp"

namespace swarmhub::tracker {

struct tracker_core;

// Whether `from` may read /metrics: loopback always; elsewhere a request whose
// Authorization is `Bearer <token>`, when a token is configured.
bool metrics_allowed(const asio::ip::address& from, const proto::http::request& request,
                     const std::string& token);

// The exposition text: every counter with its HELP and TYPE lines.
std::string render_metrics(tracker_core& core);

}  // namespace swarmhub::tracker
