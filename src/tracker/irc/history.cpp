// CHATHISTORY (IRCv3 draft/chathistory): BEFORE, AFTER, LATEST, AROUND and BETWEEN, by
// `msgid=` or `timestamp=`, of a channel (#lobby, #<group>) or of the direct messages with a
// nick, read from the store with the rules of `history` (a group's room since one joined it,
// the lobby since one's account was made). A page is a `chathistory` batch; each message
// carries its msgid and its stored time. TARGETS lists the channels and nicks with messages
// between two times, by the same rules, in a `draft/chathistory-targets` batch.
//
// Why not through the command table: paging by message reference is IRC's own request, and
// the store's rules (who may read what) are where every reader meets them (room_history_page).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "swarmhub/proto/error_code.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/rooms.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker::irc {
namespace {

// What ISUPPORT CHATHISTORY=<n> announces: a larger limit is served as this one.
constexpr std::size_t max_page = 500;

// A message reference: "*" (none), msgid=<id> (a room's "<id>", a direct message's "d<id>")
// or timestamp=<ISO 8601 UTC>.
struct reference {
  bool none = false;
  bool by_time = false;
  std::int64_t value = 0;  // id, or unix ms
};

std::optional<std::int64_t> positive_number(std::string_view text) {
  const auto n = util::parse_count(text);
  if (!n || *n == 0) return std::nullopt;
  return n;
}

std::optional<reference> parse_reference(std::string_view text, bool direct) {
  if (text == "*") return reference{true, false, 0};
  if (text.starts_with("timestamp=")) {
    const auto ms = util::parse_iso_utc_ms(text.substr(10));
    if (!ms) return std::nullopt;
    return reference{false, true, *ms};
  }
  if (text.starts_with("msgid=")) {
    text.remove_prefix(6);
    if (direct != text.starts_with('d')) return std::nullopt;  // another kind's id
    if (direct) text.remove_prefix(1);
    const auto id = positive_number(text);
    if (!id) return std::nullopt;
    return reference{false, false, *id};
  }
  return std::nullopt;
}

// The page's bounds from a reference: messages after it (at_too: or at it), or before it.
void after(store::history_page& page, const reference& r, bool at_too = false) {
  if (r.none) return;
  (r.by_time ? page.after_ms : page.after_id) = r.value - (at_too ? 1 : 0);
}
void before(store::history_page& page, const reference& r) {
  if (r.none) return;
  (r.by_time ? page.before_ms : page.before_id) = r.value;
}

// The messages of either kind as the one shape this file shows.
struct shown {
  stamp stored;
  std::string sender;
  std::string to;  // the PRIVMSG's target
  std::string body;
};

}  // namespace

void connection::chathistory_fail(std::string_view code, std::string_view subcommand,
                                  std::string_view text, std::string_view target) {
  std::vector<std::string> params{"CHATHISTORY", std::string(code),
                                  util::printable(subcommand, 16)};
  if (!target.empty()) params.push_back(util::printable(target, 40));
  params.emplace_back(text);
  send(message{{}, std::string(server_name), "FAIL", std::move(params)});
}

awaitable<void> connection::on_chathistory(const message& m) {
  std::string sub = m.params.empty() ? std::string("*") : util::printable(m.params[0], 16);
  for (auto& c : sub) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool between = sub == "BETWEEN";
  if (sub == "TARGETS") co_return co_await chathistory_targets(m);
  if (sub != "BEFORE" && sub != "AFTER" && sub != "LATEST" && sub != "AROUND" && !between) {
    co_return chathistory_fail("INVALID_PARAMS", sub,
                               "use BEFORE, AFTER, LATEST, AROUND or BETWEEN");
  }
  if (m.params.size() < (between ? 5u : 4u)) {
    co_return chathistory_fail("NEED_MORE_PARAMS", sub, "Missing parameters");
  }
  const std::string& target = m.params[1];
  const bool direct = !target.starts_with('#');
  std::string group;  // the room's group, "" for the lobby
  if (!direct) {
    const std::string room = channel_room(target);
    const bool lobby = util::iequals_ascii(room, room_registry::lobby);
    if (!lobby && !valid_name(room))
      co_return chathistory_fail("INVALID_TARGET", sub, "No such channel", target);
    if (!lobby) group = room;
  } else if (!valid_name(target) || util::iequals_ascii(target, service_nick)) {
    co_return chathistory_fail("INVALID_TARGET", sub, "No such nick", target);
  }
  const auto first = parse_reference(m.params[2], direct);
  const auto second = between ? parse_reference(m.params[3], direct) : std::optional<reference>();
  if (!first || (between && !second) || (first->none && sub != "LATEST") ||
      (between && second->none)) {
    co_return chathistory_fail(
        "INVALID_PARAMS", sub,
        direct ? "a reference is msgid=d<id> or timestamp=<YYYY-MM-DDThh:mm:ss.sssZ>"
               : "a reference is msgid=<id> or timestamp=<YYYY-MM-DDThh:mm:ss.sssZ>");
  }
  const auto limit = positive_number(m.params[between ? 4 : 3]);
  if (!limit) co_return chathistory_fail("INVALID_PARAMS", sub, "the limit is a positive number");

  // The one page, or two around a reference (the older half, then it and what follows).
  std::vector<store::history_page> pages(1);
  store::history_page& page = pages[0];
  page.limit = std::min<std::size_t>(static_cast<std::size_t>(*limit), max_page);
  if (sub == "BEFORE") {
    before(page, *first);
  } else if (sub == "AFTER") {
    after(page, *first);
    page.from_newest = false;
  } else if (sub == "LATEST") {
    after(page, *first);
  } else if (sub == "AROUND") {
    const std::size_t older = page.limit / 2;
    store::history_page newer;
    after(newer, *first, true);
    newer.from_newest = false;
    newer.limit = page.limit - older;
    page.limit = older;
    before(page, *first);
    pages.push_back(newer);
    if (older == 0) pages.erase(pages.begin());
  } else {  // BETWEEN, exclusive; the limit counts from the first reference
    const bool backwards = first->by_time == second->by_time && first->value > second->value;
    after(page, backwards ? *second : *first);
    before(page, backwards ? *first : *second);
    page.from_newest = backwards;
  }

  const std::string me = owner_.identity().user();
  struct outcome {
    store::status result = store::status::ok;
    std::vector<shown> messages;
  };
  auto read = [me, group, direct, target, pages](store::backend& db) {
    outcome out;
    for (const auto& p : pages) {
      if (direct) {
        auto got = db.direct_history_page(me, target, p);
        out.result = got.result;
        for (auto& d : got.items) {
          out.messages.push_back({{d.id, d.sent_at_ms, true},
                                  std::move(d.sender),
                                  std::move(d.recipient),
                                  std::move(d.body)});
        }
      } else {
        auto got = db.room_history_page(group, me, p);
        out.result = got.result;
        for (auto& r : got.items) {
          out.messages.push_back(
              {{r.id, r.sent_at_ms, false},
               std::move(r.sender),
               "#" + (r.group.empty() ? std::string(room_registry::lobby) : r.group),
               std::move(r.body)});
        }
      }
      if (out.result != store::status::ok) break;
    }
    return out;
  };
  outcome got;
  try {
    got = co_await owner_.core().store->run(std::move(read));
  } catch (const std::exception&) {
    co_return chathistory_fail("MESSAGE_ERROR", sub, "the tracker failed to read its store");
  }
  if (got.result != store::status::ok) {
    co_return chathistory_fail("INVALID_TARGET", sub,
                               direct ? "No such nick" : "No such channel, or not a member",
                               target);
  }
  const std::string batch = fmt::format("h{}", ++next_batch_);
  const bool batched = has_cap("batch");
  if (batched) {
    send(message{{}, std::string(server_name), "BATCH", {"+" + batch, "chathistory", target}});
  }
  for (auto& s : got.messages) {
    auto tags = tags_for(s.sender, s.stored);
    if (batched) tags.emplace(tags.begin(), "batch", batch);
    send(message{std::move(tags), prefix_of(s.sender), "PRIVMSG", {s.to, s.body}});
  }
  if (batched) send(message{{}, std::string(server_name), "BATCH", {"-" + batch}});
}

// CHATHISTORY TARGETS <timestamp=...> <timestamp=...> <limit>: the conversations with
// messages strictly between the two times, each as `CHATHISTORY TARGETS <target> <time of its
// latest message there>`, oldest first; the limit keeps those nearest the first time (as
// BETWEEN does).
awaitable<void> connection::chathistory_targets(const message& m) {
  constexpr std::string_view sub = "TARGETS";
  if (m.params.size() < 4)
    co_return chathistory_fail("NEED_MORE_PARAMS", sub, "Missing parameters");
  const auto first = parse_reference(m.params[1], false);
  const auto second = parse_reference(m.params[2], false);
  if (!first || !second || !first->by_time || !second->by_time) {
    co_return chathistory_fail("INVALID_PARAMS", sub,
                               "the bounds are timestamp=<YYYY-MM-DDThh:mm:ss.sssZ>, twice");
  }
  const auto limit = positive_number(m.params[3]);
  if (!limit) co_return chathistory_fail("INVALID_PARAMS", sub, "the limit is a positive number");
  store::history_page page;
  page.limit = std::min<std::size_t>(static_cast<std::size_t>(*limit), max_page);
  const bool backwards = first->value > second->value;
  after(page, backwards ? *second : *first);
  before(page, backwards ? *first : *second);
  page.from_newest = backwards;

  auto read = [me = owner_.identity().user(), page](store::backend& db) {
    return db.history_targets(me, page);
  };
  store::listing<store::history_target> got;
  try {
    got = co_await owner_.core().store->run(std::move(read));
  } catch (const std::exception&) {
    co_return chathistory_fail("MESSAGE_ERROR", sub, "the tracker failed to read its store");
  }
  if (got.result != store::status::ok) {
    co_return chathistory_fail("MESSAGE_ERROR", sub, "your account is gone");
  }
  const std::string batch = fmt::format("h{}", ++next_batch_);
  const bool batched = has_cap("batch");
  if (batched) {
    send(
        message{{}, std::string(server_name), "BATCH", {"+" + batch, "draft/chathistory-targets"}});
  }
  for (const auto& t : got.items) {
    std::string target =
        t.direct ? t.name : "#" + (t.name.empty() ? std::string(room_registry::lobby) : t.name);
    std::vector<std::pair<std::string, std::string>> tags;
    if (batched) tags.emplace_back("batch", batch);
    send(message{std::move(tags),
                 std::string(server_name),
                 "CHATHISTORY",
                 {std::string(sub), std::move(target), util::iso_utc_ms(t.latest_ms)}});
  }
  if (batched) send(message{{}, std::string(server_name), "BATCH", {"-" + batch}});
}

}  // namespace swarmhub::tracker::irc
