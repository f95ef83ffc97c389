#include "swarmhub/client/status_lines.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {

std::string human_rate(std::int64_t bytes) {
  const auto bytes_per_second = static_cast<double>(bytes);
  if (bytes_per_second >= 1'000'000) return fmt::format("{:.1f} MB/s", bytes_per_second / 1e6);
  if (bytes_per_second >= 1'000) return fmt::format("{:.1f} kB/s", bytes_per_second / 1e3);
  return fmt::format("{} B/s", bytes);
}

std::string human_eta(std::int64_t seconds) {
  if (seconds < 0) return "?";
  if (seconds >= 3600)
    return fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  return fmt::format("{}:{:02}", seconds / 60, seconds % 60);
}

std::vector<std::string> status_lines(const std::vector<p2p::transfer>& transfers,
                                      std::size_t most) {
  std::vector<const p2p::transfer*> running;
  for (const auto& t : transfers) {
    if (t.what == p2p::transfer::state::downloading) running.push_back(&t);
  }
  std::vector<std::string> lines;
  if (running.empty()) return lines;
  if (running.size() <= most) {
    for (const auto* t : running) {
      lines.push_back(fmt::format("[{}] {} {:.0f}% of {} {} ETA {} peers {}", t->group,
                                  proto::quote_argument(t->name), t->progress * 100,
                                  util::human_size(t->size), human_rate(t->rate),
                                  human_eta(t->eta_seconds), t->peers));
    }
    return lines;
  }
  std::int64_t size = 0;
  double done = 0;
  std::int64_t rate = 0;
  int peers = 0;
  for (const auto* t : running) {
    size += t->size;
    done += t->progress * static_cast<double>(t->size);
    rate += t->rate;
    peers += t->peers;
  }
  const double left = static_cast<double>(size) - done;
  const std::int64_t eta =
      rate > 0 ? static_cast<std::int64_t>(left / static_cast<double>(rate)) : -1;
  lines.push_back(fmt::format("{} downloads {:.0f}% of {} {} ETA {} peers {}", running.size(),
                              size > 0 ? done * 100 / static_cast<double>(size) : 0.0,
                              util::human_size(size), human_rate(rate), human_eta(eta), peers));
  return lines;
}

}  // namespace swarmhub::client
