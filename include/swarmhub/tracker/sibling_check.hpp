#pragma once
// Trackers listed in one tracker_info.txt must serve one store; two that do not would each
// believe they alone hold the users' accounts (split brain). At start, a tracker asks every
// other tracker of its list which store it serves (GET /identity) and refuses to run beside
// one that serves another.

#include <chrono>
#include <string>

#include "swarmhub/tracker/options.hpp"

namespace swarmhub::tracker {

// "" when every other tracker of `options.tracker_list` that answers serves `store_id`;
// otherwise what is wrong, naming that tracker. Trackers that do not answer within `timeout`
// are not running, and pass. Blocking.
std::string find_split_brain(const tracker_options& options, const std::string& store_id,
                             std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace swarmhub::tracker
