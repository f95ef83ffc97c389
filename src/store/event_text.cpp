// The text of the events between trackers (event_feed.hpp), built and read in this one place.

#include <fmt/format.h>
#include <charconv>
#include <vector>

#include "swarmhub/store/event_feed.hpp"

namespace swarmhub::store {
namespace {

void append_fields(std::string& out, std::initializer_list<std::string_view> fields) {
  for (const auto f : fields) {
    if (!out.empty()) out += '\t';
    out += f;
  }
}

// `payload` split at its first `count - 1` tabs (the last field keeps any others); empty
// unless there are exactly `count` fields.
std::vector<std::string_view> fields(std::string_view payload, std::size_t count) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < count) {
    const auto tab = payload.find('\t');
    if (tab == std::string_view::npos) return {};
    out.push_back(payload.substr(0, tab));
    payload.remove_prefix(tab + 1);
  }
  out.push_back(payload);
  return out;
}

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct encoder {
  std::string out;
  void operator()(const room_stored& e) {
    append_fields(out, {"room", std::to_string(e.message.id), e.message.group, e.message.sender,
                        std::to_string(e.message.sent_at_ms), e.message.body});
  }
  void operator()(const direct_stored& e) {
    append_fields(out, {"dm", std::to_string(e.message.id), e.message.sender, e.message.recipient,
                        std::to_string(e.message.sent_at_ms), e.message.body});
  }
  void operator()(const user_event& e) {
    append_fields(out, {"user", e.origin, e.user, e.event, e.text});
  }
  void operator()(const room_event& e) {
    append_fields(out, {"announce", e.origin, e.room, e.event, e.text});
  }
  void operator()(const subscription& e) {
    append_fields(out, {"subscribe", e.origin, e.user, e.group});
  }
  void operator()(const membership_change& e) {
    append_fields(out, {"access", e.origin, e.user, e.group, e.member ? "in" : "out"});
  }
  void operator()(const file_removal& e) {
    append_fields(out, {"file", e.origin, e.group, e.swarm_key});
  }
  void operator()(const throttle_change& e) {
    append_fields(out, {"throttle", e.origin, e.throttle, e.change, e.key});
  }
  void operator()(const passkey_change& e) {
    append_fields(out, {"passkey", e.origin, e.user, fmt::format("{:016x}", e.tag)});
  }
};

}  // namespace

std::string encode_event(const feed_event& event) {
  encoder e;
  std::visit(e, event);
  return std::move(e.out);
}

std::optional<feed_event> decode_event(std::string_view payload) {
  const auto kind = payload.substr(0, payload.find('\t'));
  const auto text = [](std::string_view f) { return std::string(f); };
  if (kind == "room" || kind == "dm") {
    const auto f = fields(payload, 6);
    if (f.empty()) return std::nullopt;
    const auto id = number(f[1]);
    const auto sent_at = number(f[4]);
    if (!id || !sent_at) return std::nullopt;
    if (kind == "room") return room_stored{{*id, text(f[2]), text(f[3]), text(f[5]), *sent_at}};
    return direct_stored{{*id, text(f[2]), text(f[3]), text(f[5]), *sent_at}};
  }
  if (kind == "user" || kind == "announce") {
    const auto f = fields(payload, 5);
    if (f.empty()) return std::nullopt;
    if (kind == "user") return user_event{text(f[1]), text(f[2]), text(f[3]), text(f[4])};
    return room_event{text(f[1]), text(f[2]), text(f[3]), text(f[4])};
  }
  if (kind == "subscribe") {
    const auto f = fields(payload, 4);
    if (f.empty()) return std::nullopt;
    return subscription{text(f[1]), text(f[2]), text(f[3])};
  }
  if (kind == "file") {
    const auto f = fields(payload, 4);
    if (f.empty()) return std::nullopt;
    return file_removal{text(f[1]), text(f[2]), text(f[3])};
  }
  if (kind == "access") {
    const auto f = fields(payload, 5);
    if (f.empty() || (f[4] != "in" && f[4] != "out")) return std::nullopt;
    return membership_change{text(f[1]), text(f[2]), text(f[3]), f[4] == "in"};
  }
  if (kind == "throttle") {
    const auto f = fields(payload, 5);
    if (f.empty()) return std::nullopt;
    return throttle_change{text(f[1]), text(f[2]), text(f[3]), text(f[4])};
  }
  if (kind == "passkey") {
    const auto f = fields(payload, 4);
    std::uint64_t tag = 0;
    if (f.empty() || f[3].size() != 16) return std::nullopt;
    const auto [end, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), tag, 16);
    if (ec != std::errc{} || end != f[3].data() + f[3].size()) return std::nullopt;
    return passkey_change{text(f[1]), text(f[2]), tag};
  }
  return std::nullopt;
}

}  // namespace swarmhub::store
