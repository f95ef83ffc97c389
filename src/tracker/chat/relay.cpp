#include "swarmhub/tracker/chat/relay.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <optional>
#include <type_traits>
#include <variant>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/membership.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker::relay {
namespace {

void send(tracker_core& core, store::feed_event event) {
  core.store->post(
      [event = std::move(event)](store::backend& db) { db.notify(store::encode_event(event)); });
}

void deliver(const std::shared_ptr<session>& s, std::string_view event, std::string_view text) {
  s->deliver(std::make_shared<const std::string>(proto::format_event(event, text)));
}

void publish_stored(tracker_core& core, const store::room_message& m) {
  const auto sender = core.online.find(m.sender);  // they got their reply instead
  chat::publish(core, m, sender ? sender->id() : 0);
}

// The room messages committed meanwhile that the feed did not bring, published as it would
// have, in id order.
void refill_rooms(tracker_core& core, store::backend& db) {
  // Twice the marks' window: what they remember comes back too, and is skipped.
  constexpr std::size_t most = 8192;
  std::size_t filled = 0;
  for (const auto& m : db.room_messages_after(core.room_marks.refill_after(), most)) {
    if (!core.room_marks.first_time(m.id)) continue;
    publish_stored(core, m);
    ++filled;
  }
  if (filled > 0) spdlog::warn("event feed: {} room messages it missed were published", filled);
}

// The direct messages not delivered yet to the users logged in here, from where the feed
// stopped: each user's come as a login's backlog does, a page at a time in id order, and
// the session drops any it was given already (queued, not yet written and marked).
void refill_direct(tracker_core& core, store::backend& db) {
  const auto after = core.direct_marks.refill_after();
  std::size_t users = 0;
  for (const auto& user : db.waiting_direct_recipients(core.tracker_id, after)) {
    const auto s = core.online.find(user);
    if (!s) continue;
    // A session still paging through its backlog reads the store anyway, from where its
    // last page is, and from here once more at its end.
    if (!s->takes_live_direct()) {
      s->note_missed_direct(after + 1);
      continue;
    }
    chat::deliver_direct_page(core, db, s, user, after);
    ++users;
  }
  if (users > 0) spdlog::warn("event feed: direct messages it missed went to {} users", users);
}

// The group rooms of the users logged in here, read again from the store: a membership that
// changed on another tracker while the feed was away reached nobody here. A member the owner
// removed meanwhile leaves the room and its swarms and is told so, as the feed would have
// done (REMOVED_FROM); one admitted meanwhile enters the room.
void resync_rooms(tracker_core& core, store::backend& db) {
  std::optional<std::vector<store::group_summary>> groups;  // read once, if anyone was removed
  std::size_t changed = 0;
  for (const auto& user : core.online.users()) {
    const auto s = core.online.find(user);
    if (!s) continue;
    const auto now = db.groups_of(user);
    const auto before = core.rooms.rooms_of(s->id());
    for (const auto& key : before) {
      const bool still = std::any_of(now.begin(), now.end(), [&](const std::string& g) {
        return room_registry::key(g) == key;
      });
      if (still || key == room_registry::lobby) continue;
      if (!groups) groups = db.list_groups();
      const auto g = std::find_if(groups->begin(), groups->end(), [&](const auto& summary) {
        return room_registry::key(summary.name) == key;
      });
      core.rooms.unsubscribe(key, s->id());
      membership_changed(core, user, g == groups->end() ? key : g->name, false);
      if (g != groups->end()) {
        deliver(s, proto::events::removed_from, fmt::format("{} {}", g->name, g->owner));
      }
      ++changed;
    }
    for (const auto& g : now) {
      if (std::find(before.begin(), before.end(), room_registry::key(g)) != before.end()) continue;
      core.rooms.subscribe(g, s);
      ++changed;
    }
  }
  if (changed > 0) spdlog::warn("event feed: {} memberships it missed were applied", changed);
}

}  // namespace

bool shared(const tracker_core& core) {
  return core.feed != nullptr;
}

void to_user(tracker_core& core, std::string_view user, std::string_view event,
             std::string_view text) {
  if (shared(core)) {
    send(core, store::user_event{core.tracker_id, std::string(user), std::string(event),
                                 std::string(text)});
  }
}

void to_room(tracker_core& core, std::string_view room, std::string_view event,
             std::string_view text) {
  if (shared(core)) {
    send(core, store::room_event{core.tracker_id, std::string(room), std::string(event),
                                 std::string(text)});
  }
}

void subscribe(tracker_core& core, std::string_view user, std::string_view group) {
  if (shared(core)) {
    send(core, store::subscription{core.tracker_id, std::string(user), std::string(group)});
  }
}

void membership(tracker_core& core, std::string_view user, std::string_view group, bool member) {
  if (shared(core)) {
    send(core,
         store::membership_change{core.tracker_id, std::string(user), std::string(group), member});
  }
}

void file_removed(tracker_core& core, store::backend& db, std::string_view group,
                  std::string_view swarm_key) {
  if (shared(core)) {
    db.notify(store::encode_event(
        store::file_removal{core.tracker_id, std::string(group), std::string(swarm_key)}));
  }
}

void passkey(tracker_core& core, std::string_view user, std::uint64_t tag) {
  if (shared(core)) send(core, store::passkey_change{core.tracker_id, std::string(user), tag});
}

namespace {

// The throttles the trackers share, by the name they go by on the feed; "known" is the
// known addresses (key: "<user> <address>").
constexpr std::string_view known_addresses_name = "known";

login_throttle* throttle_named(tracker_core& core, std::string_view name) {
  if (name == "login") return &core.throttle;
  if (name == "address") return &core.address_throttle;
  if (name == "create") return &core.new_users;
  return nullptr;
}

void apply_throttle_change(tracker_core& core, const store::throttle_change& e) {
  if (e.throttle == known_addresses_name) {
    const auto space = e.key.find(' ');
    if (space != std::string::npos)
      core.known.apply(e.key.substr(0, space), e.key.substr(space + 1));
  } else if (auto* t = throttle_named(core, e.throttle)) {
    t->apply(e.change, e.key);
  }
}

}  // namespace

void share_throttles(tracker_core& core) {
  if (!shared(core)) return;
  for (const char* name : {"login", "address", "create"}) {
    throttle_named(core, name)
        ->observe([&core, name](std::string_view change, const std::string& key) {
          send(core, store::throttle_change{core.tracker_id, name, std::string(change), key});
        });
  }
  core.known.observe([&core](const std::string& user, const std::string& address) {
    send(core, store::throttle_change{core.tracker_id, std::string(known_addresses_name), "",
                                      user + " " + address});
  });
}

void refill(tracker_core& core, store::backend& db) {
  resync_rooms(core, db);  // first: a room's refilled messages go to its members of now
  refill_rooms(core, db);
  refill_direct(core, db);
}

void handle(tracker_core& core, std::string_view payload) {
  const auto event = store::decode_event(payload);
  if (!event) {
    spdlog::warn("event feed: unreadable event '{}'", payload.substr(0, payload.find('\t')));
    return;
  }
  const auto not_ours = [&](const std::string& origin) { return origin != core.tracker_id; };
  tracker_stats::add(core.stats.feed_events_total);
  std::visit(
      [&](const auto& e) {
        using kind = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<kind, store::room_stored>) {
          core.stats.feed_lag_ms.store(util::unix_ms_now() - e.message.sent_at_ms,
                                       std::memory_order_relaxed);
          if (core.room_marks.first_time(e.message.id)) publish_stored(core, e.message);
        } else if constexpr (std::is_same_v<kind, store::direct_stored>) {
          // The recipient's tracker delivers it (the recipient's session drops a second
          // copy, from the sender's own tracker, the login backlog or a refill).
          const auto recipient = core.online.find(e.message.recipient);
          if (core.direct_marks.first_time(e.message.id) && recipient) {
            chat::offer_direct(recipient, e.message);
          }
        } else if constexpr (std::is_same_v<kind, store::room_event>) {
          if (not_ours(e.origin)) chat::announce(core, e.room, e.event, e.text);
        } else if constexpr (std::is_same_v<kind, store::user_event>) {
          if (auto s = core.online.find(e.user); s && not_ours(e.origin))
            deliver(s, e.event, e.text);
        } else if constexpr (std::is_same_v<kind, store::membership_change>) {
          if (!not_ours(e.origin)) return;
          membership_changed(core, e.user, e.group, e.member);
          // A member removed by the owner on another tracker may be logged in here.
          if (auto s = core.online.find(e.user); s && !e.member) {
            core.rooms.unsubscribe(e.group, s->id());
          }
        } else if constexpr (std::is_same_v<kind, store::file_removal>) {
          if (not_ours(e.origin)) tracker::file_removed(core, e.group, e.swarm_key);
        } else if constexpr (std::is_same_v<kind, store::passkey_change>) {
          if (not_ours(e.origin)) passkey_replaced(core, e.user, e.tag);
        } else if constexpr (std::is_same_v<kind, store::throttle_change>) {
          if (not_ours(e.origin)) apply_throttle_change(core, e);
        } else {
          if (auto s = core.online.find(e.user); s && not_ours(e.origin)) {
            core.rooms.subscribe(e.group, s);
          }
        }
      },
      *event);
}

}  // namespace swarmhub::tracker::relay
