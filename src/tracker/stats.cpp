#include "swarmhub/tracker/stats.hpp"

#include <fmt/format.h>

namespace swarmhub::tracker {

std::string tracker_stats::summary() const {
  const auto get = [](const std::atomic<std::uint64_t>& c) {
    return c.load(std::memory_order_relaxed);
  };
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  return fmt::format(
      "stats clients={} connections_total={} requests_total={} errors_total={} bytes_in={} "
      "bytes_out={} cut_off_total={} announce_lookups_total={} uptime_s={}",
      get(clients_now), get(connections_total), get(requests_total), get(errors_total),
      get(bytes_in), get(bytes_out), get(cut_off_total), get(announce_lookups_total),
      uptime.count());
}

}  // namespace swarmhub::tracker
