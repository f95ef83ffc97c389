#pragma once

#include <cstdint>
#include <string>

namespace swarmhub::util {

// "2026-11-21T15:42:07Z" for a count of seconds since the Unix epoch.
std::string iso_utc(std::int64_t unix_seconds);

}  // namespace swarmhub::util
