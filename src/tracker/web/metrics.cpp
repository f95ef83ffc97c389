#include "swarmhub/tracker/web/metrics.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include "swarmhub/tracker/conn/plaintext_rule.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {
namespace {

// One metric: its HELP and TYPE lines, then its samples.
class exposition {
 public:
  void counter(std::string_view name, std::string_view help, std::uint64_t value) {
    head(name, help, "counter");
    sample(name, "", static_cast<double>(value));
  }
  void gauge(std::string_view name, std::string_view help, double value) {
    head(name, help, "gauge");
    sample(name, "", value);
  }
  void head(std::string_view name, std::string_view help, std::string_view type) {
    text_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  void sample(std::string_view name, std::string_view labels, double value) {
    text_ += fmt::format("{}{} {}\n", name, labels, value);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::uint64_t get(const std::atomic<std::uint64_t>& c) {
  return c.load(std::memory_order_relaxed);
}

}  // namespace

bool metrics_allowed(const asio::ip::address& from, const proto::http::request& request,
                     const std::string& token) {
  if (plaintext_allowed(from, plaintext_mode::loopback)) return true;
  if (token.empty()) return false;
  const std::string expected = "Bearer " + token;
  const std::string_view given = request.header("authorization");
  // Compared in constant time: the token is a secret.
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string render_metrics(tracker_core& core) {
  const auto& s = core.stats;
  exposition out;
  out.gauge("swarmhub_connections", "connections open now",
            static_cast<double>(get(s.clients_now)));
  out.head("swarmhub_connections_total",
           "connections by the protocol they spoke (http: every one that began with an HTTP "
           "request, those upgraded to a WebSocket included)",
           "counter");
  out.sample("swarmhub_connections_total", "{kind=\"line\"}",
             static_cast<double>(get(s.line_connections_total)));
  out.sample("swarmhub_connections_total", "{kind=\"http\"}",
             static_cast<double>(get(s.http_connections_total)));
  out.sample("swarmhub_connections_total", "{kind=\"websocket\"}",
             static_cast<double>(get(s.websocket_connections_total)));
  out.counter("swarmhub_tls_connections_total", "connections that made a TLS handshake",
              get(s.tls_connections_total));
  out.counter("swarmhub_requests_total", "request lines and HTTP requests handled",
              get(s.requests_total));
  out.counter("swarmhub_errors_total", "ERR replies", get(s.errors_total));
  out.counter("swarmhub_cut_off_total", "connections cut off (timeouts, floods, slow readers)",
              get(s.cut_off_total));
  out.counter("swarmhub_received_bytes_total", "bytes read from clients", get(s.bytes_in));
  out.counter("swarmhub_sent_bytes_total", "bytes written to clients", get(s.bytes_out));
  out.counter("swarmhub_logins_total", "successful logins and resumes", get(s.logins_total));
  out.gauge("swarmhub_users_online", "users logged in on this tracker",
            static_cast<double>(core.online.size()));
  out.counter("swarmhub_messages_total", "room posts and direct messages accepted",
              get(s.messages_total));
  out.counter("swarmhub_deliveries_total", "room messages written to a recipient",
              get(s.deliveries_total));
  out.counter("swarmhub_announces_total", "BitTorrent announces", get(s.announces_total));
  out.counter("swarmhub_announce_store_lookups_total", "announces that had to ask the store",
              get(s.announce_lookups_total));
  const auto swarms = core.swarms.total();
  out.gauge("swarmhub_swarms", "swarms with at least one peer", static_cast<double>(swarms.swarms));
  out.gauge("swarmhub_peers", "peer entries in all swarms", static_cast<double>(swarms.peers));
  const auto latency = core.store->total_latency();
  out.head("swarmhub_store_call_seconds", "store calls, from queueing to their end", "summary");
  out.sample("swarmhub_store_call_seconds_sum", "", static_cast<double>(latency.micros) / 1e6);
  out.sample("swarmhub_store_call_seconds_count", "", static_cast<double>(latency.calls));
  out.counter("swarmhub_feed_events_total", "events received from the other trackers of the store",
              get(s.feed_events_total));
  out.gauge("swarmhub_feed_lag_seconds",
            "age of the last stored message when the event feed brought it (0 without a feed)",
            static_cast<double>(s.feed_lag_ms.load(std::memory_order_relaxed)) / 1e3);
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::steady_clock::now() - s.started);
  out.gauge("swarmhub_uptime_seconds", "seconds since the tracker started",
            static_cast<double>(uptime.count()));
  return out.take();
}

}  // namespace swarmhub::tracker
