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
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  // One line: "stats clients=3 connections_total=10 ...".
  std::string summary() const;
};

}  // namespace swarmhub::tracker
