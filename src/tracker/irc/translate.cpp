// The line protocol's events (proto/events.hpp) as IRC messages. A room message becomes a
// PRIVMSG to its channel, a direct message a PRIVMSG to the user, presence JOIN, PART and
// QUIT; what IRC has no message for comes as a NOTICE from the service nick.

#include <fmt/format.h>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/chat/rooms.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker::irc {
namespace {

namespace events = proto::events;

// "a b rest" -> {"a", "b rest"}
std::pair<std::string, std::string> split_first(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return {std::string(text), {}};
  return {std::string(text.substr(0, space)), std::string(text.substr(space + 1))};
}

}  // namespace

connection::bytes connection::translate(const bytes& event, const stamp& stored) {
  if (!registered_) {
    held_.emplace_back(event, stored);
    return nullptr;
  }
  proto::reply_parser parser;
  std::string_view line = *event;
  if (line.ends_with('\n')) line.remove_suffix(1);
  const auto parsed = parser.feed(line);
  const auto* e = std::get_if<proto::event>(&parsed);
  translating_ = true;
  translated_.clear();
  if (e != nullptr) {
    show_event(e->name, e->text, stored);
  } else {
    notice_from_service(line);  // not an event: shown as it is
  }
  translating_ = false;
  if (translated_.empty()) return nullptr;
  return std::make_shared<const std::string>(std::exchange(translated_, {}));
}

void connection::show_event(std::string_view name, std::string_view text, const stamp& stored) {
  if (name == events::room) {
    const auto [room, rest] = split_first(text);
    const auto [sender, body] = split_first(rest);
    const auto it = channels_.find(util::ascii_lower(room));
    if (it == channels_.end()) return;  // parted: not shown
    send(message{tags_for(sender, stored), prefix_of(sender), "PRIVMSG", {"#" + it->second, body}});
  } else if (name == events::msg) {
    const auto [sender, body] = split_first(text);
    send(message{tags_for(sender, stored), prefix_of(sender), "PRIVMSG", {nick_, body}});
  } else if (name == events::pair) {
    const auto [sender, body] = split_first(text);
    send(message{tags_for(service_nick),
                 prefix_of(service_nick),
                 "PRIVMSG",
                 {nick_, fmt::format("<{}> {}", sender, body)}});
  } else if (name == events::joined) {
    const auto [room, user] = split_first(text);
    const auto it = channels_.find(util::ascii_lower(room));
    if (it == channels_.end() || util::iequals_ascii(user, nick_)) return;
    send(message{tags_for(user), prefix_of(user), "JOIN", {"#" + it->second}});
  } else if (name == events::left) {
    const auto [room, user] = split_first(text);
    if (util::iequals_ascii(user, nick_)) return;
    if (room == room_registry::lobby) {  // gone offline: gone from every channel
      send(message{tags_for(user), prefix_of(user), "QUIT", {"went offline"}});
      return;
    }
    const auto it = channels_.find(util::ascii_lower(room));
    if (it == channels_.end()) return;
    send(message{tags_for(user), prefix_of(user), "PART", {"#" + it->second, "left the group"}});
  } else if (name == events::away) {
    const auto [user, why] = split_first(text);
    if (!has_cap("away-notify") || util::iequals_ascii(user, nick_)) return;
    std::vector<std::string> params;
    if (!why.empty()) params.push_back(why);
    send(message{tags_for(user), prefix_of(user), "AWAY", std::move(params)});
  } else if (name == events::request_accepted) {
    notice_from_service(fmt::format("you are now a member of {}", text));
    if (!channels_.contains(util::ascii_lower(text))) show_join(std::string(text));
  } else if (name == events::removed_from) {
    const auto [group, owner] = split_first(text);
    notice_from_service(fmt::format("{} removed you from {}", owner, group));
    if (const auto it = channels_.find(util::ascii_lower(group)); it != channels_.end()) {
      send(message{{}, prefix_of(nick_), "PART", {"#" + it->second, "removed from the group"}});
      channels_.erase(it);
    }
  } else if (name == events::join_request) {
    const auto [group, user] = split_first(text);
    notice_from_service(fmt::format("{} asks to join {}: /msg swarmhub accept {} {} (or reject)",
                                    user, group, group, user));
  } else if (name == events::paired) {
    notice_from_service(
        fmt::format("paired with {}: /msg swarmhub say <text> talks to them", text));
  } else if (name == events::closing) {
    const auto [code, why] = split_first(text);
    send_line(refusal(why.empty() ? code : why));
  } else if (name == events::hello || name == events::logged_in) {
    // The line protocol's greeting and login notice: IRC has its welcome.
  } else {
    notice_from_service(fmt::format("{}: {}", util::ascii_lower(name), text));
  }
}

}  // namespace swarmhub::tracker::irc
