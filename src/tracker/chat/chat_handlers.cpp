// list, away, msg, say (which plain lines are too), room, rooms, history, pair, unpair.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <charconv>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using store::status;

constexpr std::string_view pair_room = room_registry::pair;
// ISUPPORT AWAYLEN for IRC clients (irc/registration.cpp) says the same.
constexpr std::size_t max_away_text = 200;

bool same_room(std::string_view a, std::string_view b) {
  return util::iequals_ascii(a, b);
}

// Tabs become spaces: a message is one line of text, and the log is read in terminals.
std::string clean_text(std::string_view text) {
  std::string out(util::trim(text));
  for (char& c : out) {
    if (c == '\t') c = ' ';
  }
  return out;
}

// Length and flood checks every chat message passes; writes the error and returns false.
bool may_send(command_context& ctx, std::string_view text) {
  const auto& opts = ctx.core.options;
  if (text.empty()) {
    ctx.reply.error(error_code::bad_arguments, "empty message");
    return false;
  }
  if (text.size() > opts.max_message) {
    ctx.reply.error(error_code::message_too_long,
                    fmt::format("messages may have at most {} bytes", opts.max_message));
    return false;
  }
  if (ctx.client.chat().allow_message()) return true;
  ctx.reply.error(error_code::rate_limited,
                  fmt::format("slow down: at most {} messages a second", opts.chat_rate));
  if (ctx.client.chat().flooding(opts.max_flood_refusals)) {
    ctx.follow_up("CLOSING", "flood too many messages too fast");
    ctx.close_after_reply = true;
    ctx.close_reason = "flood";
    tracker_stats::add(ctx.core.stats.cut_off_total);
  }
  return false;
}

// The reply to a room post of `client` to `group` ("" for the lobby), once it is committed
// or refused.
std::string post_reply(session& client, const std::string& group, const std::exception_ptr& failure,
                       const store::post_result& result) {
  proto::reply_builder reply;
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::error("say failed for {} id={}: {}", client.remote(), client.id(), e.what());
    } catch (...) {
      spdlog::error("say failed for {} id={}", client.remote(), client.id());
    }
    reply.error(error_code::internal, "the tracker failed; nothing was changed");
  } else if (result.result == status::not_member || result.result == status::no_such_group) {
    client.chat().set_room(std::string(room_registry::lobby));
    reply.error(
        result.result == status::not_member ? error_code::not_member : error_code::no_such_group,
        fmt::format("you can no longer post to {}; you are back in the lobby", group));
  } else {
    reply.ok(fmt::format("posted to {}", chat::room_name(result.message)));
  }
  return reply.take();
}

}  // namespace

// A room post: `say <text>`, and every line that names no command (commands/dispatcher.cpp).
template <>
awaitable<void> handle<command_id::say>(command_context& ctx) {
  const std::string text = clean_text(ctx.args[0]);
  if (!may_send(ctx, text)) co_return;
  session& client = ctx.client;
  proto::reply_builder& reply = ctx.reply;
  tracker_core& core = ctx.core;
  const std::string me = client.identity().user();
  if (client.chat().room() == pair_room) {
    const auto partner = core.pairs.partner_of(client.id());
    auto other = partner ? core.sessions.find(partner->session_id) : nullptr;
    if (!other) {
      client.chat().set_room(std::string(room_registry::lobby));
      reply.error(error_code::not_paired, "your pair has ended; you are back in the lobby");
      co_return;
    }
    other->deliver(std::make_shared<const std::string>(
        proto::format_event("PAIR", fmt::format("{} {}", me, text))));
    core.log.append(util::unix_ms_now(), fmt::format("pair:{}+{}", me, partner->user), me, text);
    reply.ok(fmt::format("sent to {}", partner->user));
    co_return;
  }
  const std::string group =
      client.chat().room() == room_registry::lobby ? std::string() : client.chat().room();
  // The reply comes when the post is committed; meanwhile the session goes on reading, so a
  // burst of posts shares commits (session::defer_reply).
  const auto slot = client.defer_reply();
  auto committed = [self = client.shared_from_this(), slot, group](std::exception_ptr failure,
                                                                   store::post_result result) {
    const message_stamp stored{result.result == status::ok ? result.message.id : 0,
                               result.message.sent_at_ms, false};
    self->fill_reply(slot, post_reply(*self, group, failure, result), stored);
  };
  store::backend::room_post post{group, me, text};
  tracker_stats::add(core.stats.messages_total);
  core.posts.post(std::move(post), client.id(),
                  asio::bind_executor(client.executor(), std::move(committed)));
}

template <>
awaitable<void> handle<command_id::list>(command_context& ctx) {
  // Everyone logged in on any tracker of the store: "<name>", or "<name> away <text>".
  auto query = [now = util::unix_ms_now()](store::backend& db) { return db.online_presence(now); };
  const auto users = co_await ctx.core.store->run(std::move(query));
  for (const auto& u : users) {
    ctx.reply.data(u.away.empty() ? u.name : fmt::format("{} away {}", u.name, u.away));
  }
  ctx.reply.ok(fmt::format("{} online", users.size()));
}

// Away is a state of the live login, in the store so that every tracker's `list` shows it;
// the lobby hears `* AWAY <user> [<text>]` (no text: back), as it hears logins.
template <>
awaitable<void> handle<command_id::away>(command_context& ctx) {
  const std::string text = ctx.args.empty() ? std::string() : clean_text(ctx.args[0]);
  if (text.size() > max_away_text) {
    ctx.reply.error(error_code::message_too_long,
                    fmt::format("an away text may have at most {} bytes", max_away_text));
    co_return;
  }
  if (!ctx.client.chat().allow_message()) {
    ctx.reply.error(error_code::rate_limited, fmt::format("slow down: at most {} messages a second",
                                                          ctx.core.options.chat_rate));
    co_return;
  }
  const std::string me = ctx.client.identity().user();
  // Named, not a temporary inside co_await: GCC 12 destroys such a lambda's captures twice.
  auto mark = [me, text](store::backend& db) { return db.set_away(me, text); };
  co_await ctx.core.store->run(std::move(mark));
  chat::announce_everywhere(ctx.core, room_registry::lobby, proto::events::away,
                            text.empty() ? me : fmt::format("{} {}", me, text), ctx.client.id());
  ctx.reply.ok(text.empty() ? std::string("you are back") : fmt::format("you are away: {}", text));
}

template <>
awaitable<void> handle<command_id::msg>(command_context& ctx) {
  const std::string to = ctx.args[0];
  const std::string text = clean_text(ctx.args[1]);
  if (!may_send(ctx, text)) co_return;
  if (!valid_name(to)) {
    ctx.reply.error(error_code::no_such_user, fmt::format("no user named {}", util::printable(to)));
    co_return;
  }
  const std::string me = ctx.client.identity().user();
  auto recipient = ctx.core.online.find(to);
  const bool here = recipient != nullptr;
  // A recipient on another tracker gets it from there (the store's feed); `elsewhere` only
  // chooses the reply.
  // Handed to the recipient here on the store thread, right after the commit: in the one
  // order of the store thread with the recipient's login backlog (chat::offer_direct).
  struct outcome {
    store::direct_result sent;
    bool elsewhere = false;
    std::string away;
  };
  auto send = [me, to, text, recipient, now = util::unix_ms_now()](store::backend& db) {
    outcome out{db.send_direct(me, to, text)};
    if (out.sent.result != status::ok) return out;
    if (recipient) chat::offer_direct(recipient, out.sent.message);
    out.elsewhere = !recipient && db.is_online(to, now);
    if (recipient || out.elsewhere) out.away = db.away_text(to);
    return out;
  };
  const auto [result, elsewhere, away] = co_await ctx.core.store->run(std::move(send));
  if (result.result != status::ok) {
    ctx.reply.error(error_code::no_such_user, fmt::format("no user named {}", to));
    co_return;
  }
  const auto& m = result.message;
  ctx.stored = {m.id, m.sent_at_ms, true};
  tracker_stats::add(ctx.core.stats.messages_total);
  if (ctx.core.options.log_direct_messages) {
    ctx.core.log.append(m.sent_at_ms, fmt::format("dm:{}>{}", m.sender, m.recipient), m.sender,
                        m.body);
  }
  if (here || elsewhere) {
    if (!away.empty()) ctx.reply.data(fmt::format("away {}", away));  // IRC's RPL_AWAY
    ctx.reply.ok(fmt::format("sent to {}", m.recipient));
  } else {
    ctx.reply.ok(fmt::format("{} is offline; they get it when they log in", m.recipient));
  }
}

template <>
awaitable<void> handle<command_id::room>(command_context& ctx) {
  if (ctx.args.empty()) {
    ctx.reply.ok(fmt::format("you are in {}", ctx.client.chat().room()));
    co_return;
  }
  const std::string target = ctx.args[0];
  if (same_room(target, room_registry::lobby)) {
    ctx.client.chat().set_room(std::string(room_registry::lobby));
  } else if (same_room(target, pair_room)) {
    if (!ctx.core.pairs.partner_of(ctx.client.id())) {
      ctx.reply.error(error_code::not_paired, "you have no partner (try pair)");
      co_return;
    }
    ctx.client.chat().set_room(std::string(pair_room));
  } else {
    if (!valid_name(target)) {
      ctx.reply.error(error_code::bad_name,
                      fmt::format("'{}' is not a room", util::printable(target)));
      co_return;
    }
    const std::string me = ctx.client.identity().user();
    struct found {
      status result = status::ok;
      std::string name;
    };
    auto check = [target, me](store::backend& db) {
      for (auto& g : db.groups_of(me)) {
        if (same_room(g, target)) return found{status::ok, g};
      }
      return found{db.list_members(target, me).result, {}};
    };
    const auto membership = co_await ctx.core.store->run(std::move(check));
    if (membership.result == status::no_such_group) {
      ctx.reply.error(error_code::no_such_group, fmt::format("no group named {}", target));
      co_return;
    }
    if (membership.result != status::ok) {
      ctx.reply.error(error_code::not_member, fmt::format("you are not a member of {}", target));
      co_return;
    }
    const std::string canonical = membership.name;
    ctx.client.chat().set_room(canonical);
  }
  ctx.reply.ok(fmt::format("now in {}; plain lines go there", ctx.client.chat().room()));
}

template <>
awaitable<void> handle<command_id::rooms>(command_context& ctx) {
  const std::string me = ctx.client.identity().user();
  auto query = [me](store::backend& db) { return db.groups_of(me); };
  const auto groups = co_await ctx.core.store->run(std::move(query));
  std::vector<std::string> names{std::string(room_registry::lobby)};
  if (ctx.core.pairs.partner_of(ctx.client.id())) names.emplace_back(pair_room);
  names.insert(names.end(), groups.begin(), groups.end());
  for (const auto& n : names) {
    ctx.reply.data(same_room(n, ctx.client.chat().room()) ? n + " (current)" : n);
  }
  ctx.reply.ok(fmt::format("{} rooms", names.size()));
}

template <>
awaitable<void> handle<command_id::history>(command_context& ctx) {
  const std::string target = ctx.args[0];
  std::size_t count = 20;
  if (ctx.args.size() == 2) {
    const auto& n = ctx.args[1];
    const auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
    if (ec != std::errc() || ptr != n.data() + n.size() || count == 0 || count > 500) {
      ctx.reply.error(error_code::bad_arguments, "n must be a number from 1 to 500");
      co_return;
    }
  }
  if (same_room(target, pair_room)) {
    ctx.reply.error(error_code::bad_arguments, "pair rooms keep no history");
    co_return;
  }
  const bool lobby = same_room(target, room_registry::lobby);
  if (!lobby && !valid_name(target)) {
    ctx.reply.error(error_code::bad_name,
                    fmt::format("'{}' is not a room", util::printable(target)));
    co_return;
  }
  const std::string group = lobby ? std::string() : target;
  const std::string me = ctx.client.identity().user();
  auto query = [group, me, count](store::backend& db) { return db.room_history(group, me, count); };
  const auto result = co_await ctx.core.store->run(std::move(query));
  if (result.result == status::no_such_group) {
    ctx.reply.error(error_code::no_such_group, fmt::format("no group named {}", target));
    co_return;
  }
  if (result.result != status::ok) {
    ctx.reply.error(error_code::not_member, fmt::format("you are not a member of {}", target));
    co_return;
  }
  for (const auto& m : result.items) {
    ctx.reply.data(fmt::format("{} {}: {}", util::iso_utc_ms(m.sent_at_ms), m.sender, m.body));
  }
  ctx.reply.ok(
      fmt::format("{} message{}", result.items.size(), result.items.size() == 1 ? "" : "s"));
}

template <>
awaitable<void> handle<command_id::pair>(command_context& ctx) {
  const pair_member me{ctx.client.id(), ctx.client.identity().user()};
  auto result = ctx.core.pairs.request(me);
  std::shared_ptr<session> other;
  // The one paired with us may have just gone: drop that pair as if they had left (which
  // pairs us with the next one waiting, if any) and look again.
  while (result.what == pairing::outcome::paired &&
         !(other = ctx.core.sessions.find(result.partner.session_id))) {
    const auto gone = ctx.core.pairs.leave(result.partner.session_id);
    result = gone && gone->new_partner
                 ? pairing::result{pairing::outcome::paired, *gone->new_partner}
                 : ctx.core.pairs.request(me);
  }
  switch (result.what) {
    case pairing::outcome::waiting:
      ctx.reply.ok("waiting for a partner");
      break;
    case pairing::outcome::still_waiting:
      ctx.reply.ok("still waiting for a partner");
      break;
    case pairing::outcome::already_paired:
      ctx.reply.error(error_code::already_paired,
                      fmt::format("you are paired with {} (unpair first)", result.partner.user));
      break;
    case pairing::outcome::paired: {
      other->enter_pair(ctx.client.identity().user());
      ctx.client.chat().set_room(std::string(pair_room));
      ctx.reply.ok(fmt::format("paired with {}; plain lines go to them", result.partner.user));
      break;
    }
  }
  co_return;
}

template <>
awaitable<void> handle<command_id::unpair>(command_context& ctx) {
  const bool was_waiting = ctx.core.pairs.waiting(ctx.client.id());
  const auto gone = ctx.core.pairs.leave(ctx.client.id());
  if (gone) {
    chat::end_pair(ctx.core, *gone, ctx.client.identity().user(), "left");
    if (ctx.client.chat().room() == pair_room)
      ctx.client.chat().set_room(std::string(room_registry::lobby));
    ctx.reply.ok(fmt::format("left the pair with {}", gone->left_behind.user));
  } else if (was_waiting) {
    ctx.reply.ok("no longer waiting for a partner");
  } else {
    ctx.reply.error(error_code::not_paired, "you are neither paired nor waiting");
  }
  co_return;
}

template <>
awaitable<void> handle<command_id::event_ids>(command_context& ctx) {
  ctx.client.send_event_ids();
  ctx.reply.ok("event ids on");
  co_return;
}

}  // namespace swarmhub::tracker
