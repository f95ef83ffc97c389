#include "swarmhub/tracker/chat/relay.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <charconv>

#include "swarmhub/proto/reply.hpp"
#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/conn/session.hpp"

namespace swarmhub::tracker::relay {
namespace {

void send(tracker_core& core, std::string payload) {
  core.store->post([payload = std::move(payload)](store::backend& db) { db.notify(payload); });
}

std::int64_t number(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void deliver(const std::shared_ptr<session>& s, std::string_view event, std::string_view text) {
  s->deliver(std::make_shared<const std::string>(proto::format_event(event, text)));
}

}  // namespace

bool shared(const tracker_core& core) {
  return core.feed != nullptr;
}

void to_user(tracker_core& core, std::string_view user, std::string_view event,
             std::string_view text) {
  if (shared(core))
    send(core, fmt::format("user\t{}\t{}\t{}\t{}", core.tracker_id, user, event, text));
}

void to_room(tracker_core& core, std::string_view room, std::string_view event,
             std::string_view text) {
  if (shared(core)) {
    send(core, fmt::format("announce\t{}\t{}\t{}\t{}", core.tracker_id, room, event, text));
  }
}

void subscribe(tracker_core& core, std::string_view user, std::string_view group) {
  if (shared(core)) send(core, fmt::format("subscribe\t{}\t{}\t{}", core.tracker_id, user, group));
}

void handle(tracker_core& core, store::backend& db, std::string_view payload) {
  const auto kind = payload.substr(0, payload.find('\t'));
  if (kind == "room") {
    const auto f = store::split_event(payload, 6);
    if (f.size() != 6) return;
    const store::room_message m{number(f[1]), std::string(f[2]), std::string(f[3]),
                                std::string(f[5]), number(f[4])};
    const auto sender = core.online.find(m.sender);  // they got their reply instead
    chat::publish(core, m, sender ? sender->id() : 0);
  } else if (kind == "dm") {
    const auto f = store::split_event(payload, 6);
    if (f.size() != 6) return;
    const auto recipient = core.online.find(f[3]);
    // Whoever marks it delivered delivers it: the sender's tracker (recipient there), this
    // one, or a login that takes it from the store.
    if (recipient && db.mark_delivered(number(f[1]))) {
      deliver(recipient, "MSG", fmt::format("{} {}", f[2], f[5]));
    }
  } else if (kind == "user" || kind == "announce" || kind == "subscribe") {
    const auto f = store::split_event(payload, kind == "subscribe" ? 4 : 5);
    if (f.size() < 4 || f[1] == core.tracker_id) return;  // our own: done already
    if (kind == "announce" && f.size() == 5) {
      chat::announce(core, f[2], f[3], f[4]);
    } else if (auto s = core.online.find(f[2])) {
      if (kind == "user" && f.size() == 5) deliver(s, f[3], f[4]);
      if (kind == "subscribe") core.rooms.subscribe(f[3], s);
    }
  } else {
    spdlog::warn("event feed: unknown event '{}'", kind);
  }
}

}  // namespace swarmhub::tracker::relay
