#pragma once
// The live status of running downloads, as aria2c shows it: one line per download (name,
// percent, rate, ETA, peers), or one summary line when there are more than `most`. Pure.

#include <string>
#include <vector>

#include "swarmhub/p2p/engine.hpp"

namespace swarmhub::client {

// Lines for the downloads among `transfers` (none when nothing downloads).
std::vector<std::string> status_lines(const std::vector<p2p::transfer>& transfers,
                                      std::size_t most = 3);

// "1.5 MB/s"
std::string human_rate(std::int64_t bytes_per_second);

// "0:42", "1:02:03", "?" when unknown (negative).
std::string human_eta(std::int64_t seconds);

}  // namespace swarmhub::client
