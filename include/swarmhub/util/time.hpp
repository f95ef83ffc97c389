#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::util {

// "2026-11-21T15:42:07Z" for a count of seconds since the Unix epoch.
std::string iso_utc(std::int64_t unix_seconds);

// "2026-11-21T15:42:07.123Z" for a count of milliseconds since the Unix epoch.
std::string iso_utc_ms(std::int64_t unix_ms);

// The count of milliseconds iso_utc_ms wrote ("2026-11-21T15:42:07.123Z"; the fraction may
// have 0 to 3 digits), or nothing when `text` is not that.
std::optional<std::int64_t> parse_iso_utc_ms(std::string_view text);

// Milliseconds since the Unix epoch, now.
std::int64_t unix_ms_now();

}  // namespace swarmhub::util
