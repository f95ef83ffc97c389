#pragma once
// Events between the trackers of one store. A PostgreSQL store carries them with
// LISTEN/NOTIFY: each payload reaches every tracker, in the order the transactions that sent
// them committed. A SQLite store has one tracker and no feed.
//
// Payloads are lines of tab-separated fields, the kind first. The store itself sends
//   room <id> <group or ""> <sender> <sent_at_ms> <body>       a room message was stored
//   dm <id> <sender> <recipient> <sent_at_ms> <body>           a direct message was stored
// (the body last, so it may hold anything but a line end); trackers add their own kinds
// through backend::notify (tracker/relay.hpp).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::store {

// The name of the NOTIFY channel.
inline constexpr const char* event_channel = "swarmhub_events";

// Splits a payload into at most `fields` fields (the last one keeps any tabs).
std::vector<std::string_view> split_event(std::string_view payload, std::size_t fields);

class event_feed {
 public:
  virtual ~event_feed() = default;
  // Calls `on_event(payload)` for every event, on the feed's own thread, until stop().
  // `on_lost()` runs when the feed loses events (its connection broke; it reconnects).
  virtual void start(std::function<void(std::string_view)> on_event,
                     std::function<void()> on_lost) = 0;
  virtual void stop() = 0;
};

// Listens on `conninfo`'s database. Throws store_failure when it cannot connect.
std::unique_ptr<event_feed> open_postgresql_feed(const std::string& conninfo);

}  // namespace swarmhub::store
