#pragma once
// Events between the trackers of one store. A PostgreSQL store carries them with
// LISTEN/NOTIFY: each payload reaches every tracker, in the order the transactions that sent
// them committed. A SQLite store has one tracker and no feed.
//
// The events, and their text on the feed (tab-separated fields, the kind first; the free
// text last, so it may hold anything but a line end). The store itself sends the first two
// when a message commits; trackers send the others through backend::notify.
//   room <id> <group or ""> <sender> <sent_at_ms> <body>    room_stored
//   dm <id> <sender> <recipient> <sent_at_ms> <body>        direct_stored
//   user <origin> <user> <EVENT> <text>                     user_event: for one user
//   announce <origin> <room> <EVENT> <text>                 room_event: for a room's audience
//   subscribe <origin> <user> <group>                       subscription: the user joined
//   access <origin> <user or ""> <group> <in|out>           membership_change: the user
//                                                           joined or left; "" the group
//                                                           was made or removed
//   file <origin> <group> <swarm key>                      file_removal: the file left the
//                                                           group's registry
//   passkey <origin> <user> <tag>                           passkey_change: the user's
//                                                           passkey was replaced by the one
//                                                           whose passkey_tag is <tag> (hex)
//   throttle <origin> <throttle> <change> <key>            throttle_change: a login
//                                                           throttle's count changed
//                                                           (tracker/accounts/login_throttle.hpp)
// `origin` is the sending tracker's id, so it can skip its own.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

// The name of the NOTIFY channel.
inline constexpr const char* event_channel = "swarmhub_events";

struct room_stored {
  room_message message;
};
struct direct_stored {
  direct_message message;
};
struct user_event {
  std::string origin, user, event, text;
};
struct room_event {
  std::string origin, room, event, text;
};
struct subscription {
  std::string origin, user, group;
};
struct membership_change {
  std::string origin, user, group;  // user "": the group itself was made or removed
  bool member = false;              // joined (in) or left (out)
};
struct file_removal {
  std::string origin, group, swarm_key;
};
struct passkey_change {
  std::string origin, user;
  std::uint64_t tag = 0;  // of the new passkey (tracker/swarms/swarms.hpp, passkey_tag)
};
struct throttle_change {
  std::string origin;
  std::string throttle;  // which of the tracker's throttles
  std::string change;    // what happened to the key (the throttle's own words)
  std::string key;
};

using feed_event = std::variant<room_stored, direct_stored, user_event, room_event, subscription,
                                membership_change, file_removal, passkey_change, throttle_change>;

// The one text of each event, and back. decode_event gives nothing for a payload of an
// unknown kind or with missing fields.
std::string encode_event(const feed_event& event);
std::optional<feed_event> decode_event(std::string_view payload);

class event_feed {
 public:
  virtual ~event_feed() = default;
  // Calls `on_event(payload)` for every event, on the feed's own thread, until stop().
  // `on_lost()` runs when the feed lost events (its connection broke) and listens again:
  // before any event that follows the loss, so that what was missed can be read from the
  // store first.
  virtual void start(std::function<void(std::string_view)> on_event,
                     std::function<void()> on_lost) = 0;
  virtual void stop() = 0;
};

// Listens on `conninfo`'s database. Throws store_failure when it cannot connect.
std::unique_ptr<event_feed> open_postgresql_feed(const std::string& conninfo);

}  // namespace swarmhub::store
