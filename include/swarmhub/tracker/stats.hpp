#pragma once
// Counters any thread may bump; read for SIGUSR2 and tests. Relaxed: they are statistics.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace swarmhub::tracker {

struct tracker_stats {
  std::atomic<std::uint64_t> clients_now{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> errors_total{0};
  std::atomic<std::uint64_t> bytes_in{0};
  std::atomic<std::uint64_t> bytes_out{0};
  std::atomic<std::uint64_t> cut_off_total{0};           // slow readers, floods, timeouts
  std::atomic<std::uint64_t> announce_lookups_total{0};  // announces that asked the store
  // For /metrics (web/metrics.hpp): connections by the protocol they turned out to speak,
  // and by transport (TLS).
  std::atomic<std::uint64_t> line_connections_total{0};
  std::atomic<std::uint64_t> http_connections_total{0};
  std::atomic<std::uint64_t> websocket_connections_total{0};
  std::atomic<std::uint64_t> tls_connections_total{0};
  std::atomic<std::uint64_t> logins_total{0};
  std::atomic<std::uint64_t> messages_total{0};    // room posts and direct messages accepted
  std::atomic<std::uint64_t> deliveries_total{0};  // room messages written to a recipient
  std::atomic<std::uint64_t> announces_total{0};
  std::atomic<std::uint64_t> feed_events_total{0};  // events from the other trackers
  std::atomic<std::int64_t> feed_lag_ms{0};         // the last stored message's age when it arrived
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  // One line: "stats clients=3 connections_total=10 ...".
  std::string summary() const;
};

}  // namespace swarmhub::tracker
