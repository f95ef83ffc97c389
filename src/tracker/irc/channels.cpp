// Rooms as channels (#lobby, #<group>), people as nicks: JOIN, PART, PRIVMSG, NOTICE, NAMES,
// LIST, WHO, WHOIS and MODE, each through the line protocol's commands.

#include <fmt/format.h>

#include <algorithm>

#include "swarmhub/proto/error_code.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/chat/rooms.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/tracker/irc/numerics.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker::irc {
namespace {

using proto::error_code;
using proto::wire_name;

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (comma != 0) out.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list = list.substr(comma + 1);
  }
  return out;
}

// The first word of a reply's data line (the name, in rooms, list_groups, list_members).
std::string first_word(std::string_view line) {
  return std::string(line.substr(0, line.find(' ')));
}

// `list`'s data line: "<name>" or "<name> away <text>".
struct online_user {
  std::string name;
  std::string away;  // "" while present
};
online_user parse_online(std::string_view line) {
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return {std::string(line), {}};
  std::string_view rest = line.substr(space + 1);
  if (rest.starts_with("away ")) rest.remove_prefix(5);
  return {std::string(line.substr(0, space)), std::string(rest)};
}

// "key=value" out of a data line such as list_groups' "g owner=a members=2 mode=sealed".
std::string field(std::string_view line, std::string_view key) {
  const std::string pattern = fmt::format(" {}=", key);
  const auto at = line.find(pattern);
  if (at == std::string_view::npos) return {};
  const auto start = at + pattern.size();
  return std::string(line.substr(start, line.find(' ', start) - start));
}

bool is_channel(std::string_view target) {
  return target.starts_with('#');
}

}  // namespace

std::string connection::channel_room(std::string_view channel) const {
  return std::string(channel.substr(1));
}

bool connection::in_channel(std::string_view room) const {
  return channels_.contains(util::ascii_lower(room));
}

awaitable<std::vector<std::string>> connection::readable_rooms() {
  const auto r = co_await run("rooms");
  std::vector<std::string> rooms;
  for (const auto& line : r.data) {
    auto name = first_word(line);
    if (name != "pair") rooms.push_back(std::move(name));
  }
  co_return rooms;
}

void connection::show_join(const std::string& room) {
  channels_[util::ascii_lower(room)] = room;
  send(message{tags_for(nick_), prefix_of(nick_), "JOIN", {"#" + room}});
}

awaitable<std::vector<std::string>> connection::names_of(const std::string& room) {
  const auto online = co_await run("list");
  std::vector<std::string> here;
  for (const auto& line : online.data) here.push_back(first_word(line));
  if (util::iequals_ascii(room, room_registry::lobby)) co_return here;
  const auto members = co_await run(fmt::format("list_members {}", proto::quote_argument(room)));
  std::vector<std::string> names;
  for (const auto& line : members.data) {
    auto name = first_word(line);
    const bool online_now = std::any_of(here.begin(), here.end(), [&](const std::string& u) {
      return util::iequals_ascii(u, name);
    });
    if (online_now) names.push_back(std::move(name));
  }
  co_return names;
}

awaitable<void> connection::show_names(const std::string& room) {
  const std::string channel = "#" + room;
  std::string line;
  for (const auto& n : co_await names_of(room)) {
    if (line.size() + n.size() > 400) {
      numeric(numeric::name_reply, {"=", channel, std::exchange(line, {})});
    }
    line += (line.empty() ? "" : " ") + n;
  }
  if (!line.empty()) numeric(numeric::name_reply, {"=", channel, line});
  numeric(numeric::end_of_names, {channel, "End of /NAMES list"});
}

awaitable<void> connection::sync_channels() {
  const auto rooms = co_await readable_rooms();
  // Parted: rooms no longer readable (left the group, group removed).
  for (auto it = channels_.begin(); it != channels_.end();) {
    const bool still = std::any_of(rooms.begin(), rooms.end(), [&](const std::string& r) {
      return util::iequals_ascii(r, it->second);
    });
    if (still) {
      ++it;
      continue;
    }
    send(message{{}, prefix_of(nick_), "PART", {"#" + it->second, "no longer a member"}});
    it = channels_.erase(it);
  }
  for (const auto& room : rooms) {
    if (in_channel(room)) continue;
    show_join(room);
    co_await show_names(room);
  }
}

awaitable<void> connection::on_join(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"JOIN", "Not enough parameters"});
  for (const auto& channel : split_commas(m.params[0])) {
    if (!is_channel(channel) || channel.size() < 2) {
      numeric(numeric::no_such_channel, {util::printable(channel, 40), "No such channel"});
      continue;
    }
    const std::string wanted = channel_room(channel);
    if (in_channel(wanted)) continue;
    const auto rooms = co_await readable_rooms();
    const auto found = std::find_if(rooms.begin(), rooms.end(), [&](const std::string& r) {
      return util::iequals_ascii(r, wanted);
    });
    if (found != rooms.end()) {
      show_join(*found);
      co_await show_names(*found);
      continue;
    }
    // Not a member: the JOIN is a request to the group's owner.
    const auto r = co_await run(fmt::format("join_group {}", proto::quote_argument(wanted)));
    if (r.ok) {
      numeric(numeric::invite_only_chan,
              {channel, fmt::format("Cannot join channel: you are not a member; {}", r.text)});
    } else if (r.code == wire_name(error_code::no_such_group) ||
               r.code == wire_name(error_code::bad_name)) {
      numeric(numeric::no_such_channel, {util::printable(channel, 40), "No such channel"});
    } else {
      numeric(numeric::invite_only_chan, {channel, fmt::format("Cannot join channel: {}", r.text)});
    }
  }
}

awaitable<void> connection::on_part(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"PART", "Not enough parameters"});
  for (const auto& channel : split_commas(m.params[0])) {
    const std::string room = is_channel(channel) ? channel_room(channel) : std::string();
    const auto it = channels_.find(util::ascii_lower(room));
    if (room.empty() || it == channels_.end()) {
      numeric(numeric::not_on_channel,
              {util::printable(channel, 40), "You're not on that channel"});
      continue;
    }
    // The channel is only hidden: membership stays (`/msg swarmhub leave <group>` leaves).
    send(message{{}, prefix_of(nick_), "PART", {"#" + it->second}});
    channels_.erase(it);
  }
  co_return;
}

awaitable<void> connection::on_privmsg(const message& m, bool notice) {
  const std::string_view command = notice ? "NOTICE" : "PRIVMSG";
  if (m.params.empty()) {
    if (!notice) numeric(numeric::no_recipient, {fmt::format("No recipient given ({})", command)});
    co_return;
  }
  if (m.params.size() < 2 || util::trim(m.params[1]).empty()) {
    if (!notice) numeric(numeric::no_text_to_send, {"No text to send"});
    co_return;
  }
  const std::string& text = m.params[1];
  for (const auto& target : split_commas(m.params[0])) {
    if (is_channel(target)) {
      const auto it = channels_.find(util::ascii_lower(channel_room(target)));
      if (it == channels_.end()) {
        if (!notice)
          numeric(numeric::cannot_send_to_chan,
                  {util::printable(target, 40), "Cannot send to channel (join it first)"});
        continue;
      }
      co_await send_to_room(target, it->second, text, notice);
      continue;
    }
    if (util::iequals_ascii(target, service_nick)) {
      if (!notice) co_await on_service(text);
      continue;
    }
    const auto r = co_await run(fmt::format("msg {} {}", proto::quote_argument(target), text));
    if (r.ok && !notice) {
      for (const auto& line : r.data) {
        if (line.starts_with("away ")) numeric(numeric::away, {target, line.substr(5)});
      }
    }
    if (r.ok) {
      if (has_cap("echo-message")) {
        // The stored message's msgid and time, as its recipient gets them.
        send(message{
            tags_for(nick_, r.stored), prefix_of(nick_), std::string(command), {target, text}});
      }
    } else if (notice) {
      // NOTICE is never answered with an error.
    } else if (r.code == wire_name(error_code::no_such_user)) {
      numeric(numeric::no_such_nick, {util::printable(target, 40), "No such nick"});
    } else {
      notice_from_service(fmt::format("not sent to {}: {} ({})", target, r.text, r.code));
    }
  }
}

awaitable<void> connection::send_to_room(const std::string& channel, const std::string& room,
                                         const std::string& text, bool notice) {
  // A room post goes to the session's current room: moved there first if need be.
  if (!util::iequals_ascii(owner_.chat().room(), room)) {
    const auto moved = co_await run(fmt::format("room {}", proto::quote_argument(room)));
    if (!moved.ok) {
      if (!notice)
        numeric(numeric::cannot_send_to_chan,
                {channel, fmt::format("Cannot send to channel: {}", moved.text)});
      co_return;
    }
  }
  const auto r = co_await run(fmt::format("say {}", text));
  if (r.deferred_slot != 0) {
    posts_[r.deferred_slot] = pending_post{channel, text, notice};
  } else if (!r.ok && !notice) {
    numeric(numeric::cannot_send_to_chan,
            {channel, fmt::format("Cannot send to channel: {} ({})", r.text, r.code)});
  }
}

std::string connection::deferred_reply(std::uint64_t slot, std::string_view reply_text,
                                       const stamp& stored) {
  const auto it = posts_.find(slot);
  if (it == posts_.end()) return {};
  const pending_post post = std::move(it->second);
  posts_.erase(it);
  std::string out;
  translating_ = true;
  translated_.clear();
  if (reply_text.starts_with("OK")) {
    if (has_cap("echo-message")) {
      send(message{tags_for(nick_, stored),  // msgid and time as the channel gets them
                   prefix_of(nick_),
                   post.notice ? "NOTICE" : "PRIVMSG",
                   {post.target, post.text}});
    }
  } else if (!post.notice) {
    std::string_view text = reply_text.substr(0, reply_text.find('\n'));
    if (text.starts_with("ERR ")) text.remove_prefix(4);
    numeric(numeric::cannot_send_to_chan,
            {post.target, fmt::format("Cannot send to channel: {}", text)});
  }
  translating_ = false;
  return std::exchange(translated_, {});
}

awaitable<void> connection::on_names(const message& m) {
  if (m.params.empty()) co_return numeric(numeric::end_of_names, {"*", "End of /NAMES list"});
  for (const auto& channel : split_commas(m.params[0])) {
    const auto it = is_channel(channel) ? channels_.find(util::ascii_lower(channel_room(channel)))
                                        : channels_.end();
    if (it == channels_.end()) {
      numeric(numeric::end_of_names, {util::printable(channel, 40), "End of /NAMES list"});
      continue;
    }
    co_await show_names(it->second);
  }
}

awaitable<void> connection::on_list(const message&) {
  numeric(numeric::list_start, {"Channel", "Users  Name"});
  const auto online = co_await run("list");
  numeric(numeric::list, {"#lobby", std::to_string(online.data.size()), "everyone online"});
  const auto groups = co_await run("list_groups");
  for (const auto& line : groups.data) {
    numeric(numeric::list,
            {"#" + first_word(line), field(line, "members"),
             fmt::format("owner {}, {}", field(line, "owner"), field(line, "mode"))});
  }
  numeric(numeric::list_end, {"End of /LIST"});
}

awaitable<void> connection::on_who(const message& m) {
  const std::string mask = m.params.empty() ? "*" : m.params[0];
  // H here, G gone (away).
  const auto listed = co_await run("list");
  std::vector<online_user> online;
  for (const auto& line : listed.data) online.push_back(parse_online(line));
  const auto who_line = [&](const std::string& channel, const std::string& nick) {
    const auto it = std::find_if(online.begin(), online.end(), [&](const online_user& u) {
      return util::iequals_ascii(u.name, nick);
    });
    const bool away = it != online.end() && !it->away.empty();
    numeric(numeric::who_reply, {channel, nick, std::string(server_name), std::string(server_name),
                                 nick, away ? "G" : "H", "0 " + nick});
  };
  if (is_channel(mask)) {
    const auto it = channels_.find(util::ascii_lower(channel_room(mask)));
    if (it != channels_.end()) {
      for (const auto& n : co_await names_of(it->second)) who_line("#" + it->second, n);
    }
  } else {
    for (const auto& u : online) {
      if (util::iequals_ascii(u.name, mask)) who_line("*", u.name);
    }
  }
  numeric(numeric::end_of_who, {util::printable(mask, 40), "End of WHO list"});
}

awaitable<void> connection::on_whois(const message& m) {
  if (m.params.empty()) co_return numeric(numeric::no_nickname_given, {"No nickname given"});
  const std::string& nick = m.params.back();
  const auto listed = co_await run("list");
  std::vector<online_user> online;
  for (const auto& line : listed.data) online.push_back(parse_online(line));
  const auto it = std::find_if(online.begin(), online.end(), [&](const online_user& u) {
    return util::iequals_ascii(u.name, nick);
  });
  if (it == online.end()) {
    numeric(numeric::no_such_nick, {util::printable(nick, 40), "No such nick"});
  } else {
    numeric(numeric::whois_user, {it->name, it->name, std::string(server_name), "*", it->name});
    if (!it->away.empty()) numeric(numeric::away, {it->name, it->away});
  }
  numeric(numeric::end_of_whois, {util::printable(nick, 40), "End of /WHOIS list"});
}

awaitable<void> connection::on_away(const message& m) {
  const std::string text = m.params.empty() ? std::string() : m.params[0];
  // Named, not a temporary inside co_await: GCC 12 destroys such a temporary twice.
  const std::string request = text.empty() ? std::string("away") : "away " + text;
  const auto r = co_await run(request);
  if (!r.ok) {
    co_return send(message{{}, std::string(server_name), "FAIL", {"AWAY", r.code, r.text}});
  }
  if (text.empty()) co_return numeric(numeric::unaway, {"You are no longer marked as being away"});
  numeric(numeric::now_away, {"You have been marked as being away"});
}

awaitable<void> connection::on_mode(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"MODE", "Not enough parameters"});
  const std::string& target = m.params[0];
  if (!is_channel(target)) {
    co_return numeric(numeric::umode_is, {"+i"});  // user modes cannot be changed
  }
  if (m.params.size() > 1 && m.params[1].find('b') != std::string::npos) {
    co_return numeric(numeric::end_of_ban_list, {target, "End of channel ban list"});
  }
  numeric(numeric::channel_mode_is, {target, "+nt"});
}

}  // namespace swarmhub::tracker::irc
