#pragma once

#include <cstdint>
#include <string>

namespace swarmhub::util {

// "2026-11-21T15:42:07Z" for a count of seconds since the Unix epoch.
std::string iso_utc(std::int64_t unix_seconds);

// "2026-11-21T15:42:07.123Z" for a count of milliseconds since the Unix epoch.
std::string iso_utc_ms(std::int64_t unix_ms);

// Milliseconds since the Unix epoch, now.
std::int64_t unix_ms_now();

}  // namespace swarmhub::util
