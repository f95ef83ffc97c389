// auth, whoami, create_user, login, resume, resume_token, logout.

#include <sodium.h>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/accounts/passwords.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/digests.hpp"
#include "swarmhub/util/hex.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;

constexpr std::string_view name_rule =
    "names are 1-32 characters of A-Z a-z 0-9 _ . - starting with a letter or digit";

constexpr std::int64_t token_lifetime_ms = 7LL * 24 * 3600 * 1000;

// A failed login or resume: counted against the name and the address, then refused.
void refuse_login(command_context& ctx, const std::string& user_key, const std::string& address_key,
                  std::string_view why) {
  ctx.core.throttle.failure(user_key);
  ctx.core.throttle.failure(address_key);
  ctx.reply.error(error_code::login_failed, why);
}

// Refuses the attempt when any of `keys` is still locked out; true when it may go on.
bool within_rate(command_context& ctx, std::initializer_list<std::string> keys) {
  std::chrono::milliseconds wait{0};
  for (const auto& key : keys) wait = std::max(wait, ctx.core.throttle.wait_time(key));
  if (wait.count() == 0) return true;
  const auto seconds = (wait.count() + 999) / 1000;
  ctx.reply.error(error_code::rate_limited,
                  fmt::format("too many failed attempts; try again in {} s", seconds));
  return false;
}

}  // namespace

template <>
awaitable<void> handle<command_id::auth>(command_context& ctx) {
  const std::string address_key = "server-password:" + ctx.client.remote_ip();
  if (!within_rate(ctx, {address_key})) co_return;
  if (same_secret(ctx.args[0], ctx.core.options.server_password)) {
    ctx.core.throttle.success(address_key);
    ctx.client.identity().set_state(proto::session_state::anonymous);
    ctx.reply.ok("welcome; now create_user or login");
    co_return;
  }
  ctx.core.throttle.failure(address_key);
  const unsigned failures = ctx.client.identity().count_auth_failure();
  const unsigned allowed = ctx.core.options.max_auth_failures;
  if (failures >= allowed) {
    ctx.reply.error(error_code::auth_failed, "wrong server password");
    ctx.follow_up("CLOSING", "auth too many wrong server passwords");
    ctx.close_after_reply = true;
    ctx.close_reason = "too many wrong server passwords";
    co_return;
  }
  ctx.reply.error(error_code::auth_failed,
                  fmt::format("wrong server password ({} tries left)", allowed - failures));
}

template <>
awaitable<void> handle<command_id::whoami>(command_context& ctx) {
  if (ctx.client.identity().user().empty()) {
    ctx.reply.ok("not logged in");
  } else {
    ctx.reply.ok(fmt::format("logged in as {}", ctx.client.identity().user()));
  }
  co_return;
}

template <>
awaitable<void> handle<command_id::create_user>(command_context& ctx) {
  const std::string name = ctx.args[0];
  const std::string password = ctx.args[1];
  if (!valid_name(name)) {
    ctx.reply.error(error_code::bad_name, name_rule);
    co_return;
  }
  if (const auto problem = password_problem(password); !problem.empty()) {
    ctx.reply.error(error_code::bad_password, problem);
    co_return;
  }
  const hash_cost cost = ctx.core.options.password_cost;
  auto hashing = [password, cost] { return hash_password(password, cost); };
  const std::string hash = co_await ctx.core.hashing.run(std::move(hashing));
  auto insert = [name, hash](store::backend& db) { return db.create_user(name, hash); };
  const store::status result = co_await ctx.core.store->run(std::move(insert));
  if (result == store::status::user_exists) {
    ctx.reply.error(error_code::user_exists, fmt::format("the name {} is taken", name));
    co_return;
  }
  ctx.reply.ok(fmt::format("user {} created; now: login {} <password>", name, name));
}

namespace {

// Seed 004: an identifier already in use gets an error, and that connection is closed.
void refuse_duplicate(command_context& ctx, const std::string& user, std::string_view where) {
  ctx.reply.error(error_code::already_online,
                  fmt::format("{} is already logged in on another {}", user, where));
  ctx.follow_up("CLOSING", fmt::format("duplicate {} is already logged in", user));
  ctx.close_after_reply = true;
  ctx.close_reason = "duplicate login";
}

// Everything after the user proved who they are (password or resume token): the one live
// login, the rooms, what they missed.
awaitable<void> complete_login(command_context& ctx, std::string user, bool take_over) {
  if (ctx.client.stopped()) co_return;  // gone while we checked; nothing to log in
  auto self = ctx.client.shared_from_this();
  if (!ctx.core.online.claim(user, self)) {
    refuse_duplicate(ctx, user, "connection");
    co_return;
  }
  // One live login across every tracker of the store: a lease held by this tracker. A
  // resumed session takes it over: its tracker died, and it is the same client.
  {
    const auto now = util::unix_ms_now();
    auto claim = [user, take_over, tracker = ctx.core.tracker_id, now,
                  until = ctx.core.lease_end(now)](store::backend& db) {
      return take_over ? db.take_login(user, tracker, until)
                       : db.claim_login(user, tracker, now, until);
    };
    const bool claimed = co_await ctx.core.store->run(std::move(claim));
    if (!claimed) {
      ctx.core.online.release(user, ctx.client.id());
      refuse_duplicate(ctx, user, "tracker");
      co_return;
    }
  }
  ctx.client.log_in(user);

  // One store job subscribes the session to its rooms and hands it what it missed. Room
  // messages are published on the store thread too, so none falls between the two.
  tracker_core& core = ctx.core;
  auto arrive = [&core, self, user](store::backend& db) {
    const auto deliver = [&](std::string_view event, const std::string& text, std::int64_t id = 0) {
      self->deliver(std::make_shared<const std::string>(proto::format_event(event, text)), id);
    };
    for (const auto& p : db.pending_requests_for_owner(user)) {
      deliver("PENDING_REQUESTS", fmt::format("{} {}", p.group, p.count));
    }
    core.rooms.subscribe(room_registry::lobby, self);
    for (const auto& g : db.groups_of(user)) core.rooms.subscribe(g, self);
    for (const auto& m : db.take_undelivered(user)) {
      deliver("MSG", fmt::format("{} {}", m.sender, m.body));
    }
    const auto missed = db.unseen_room_messages(user, core.options.backlog_limit);
    if (missed.more > 0) {
      deliver("NOTICE", fmt::format("{} older unseen messages are not shown; see history <room>",
                                    missed.more));
    }
    for (const auto& m : missed.messages) {
      self->deliver(std::make_shared<const std::string>(chat::room_event(m)), m.id);
    }
    return missed.messages.size();
  };
  bool arrived = false;
  try {
    co_await core.store->run(std::move(arrive));
    arrived = true;
  } catch (const std::exception& e) {
    spdlog::error("login of {} failed in the store: {}", user, e.what());
  }
  if (!arrived) {
    ctx.client.log_out();
    ctx.reply.error(error_code::internal, "the tracker failed; you are not logged in");
    co_return;
  }
  chat::announce_everywhere(core, room_registry::lobby, "JOINED",
                            fmt::format("{} {}", room_registry::lobby, user), ctx.client.id());
  ctx.reply.ok(fmt::format("logged in as {}", user));
  ctx.follow_up(proto::events::logged_in, user);  // the first follow-up: clients learn who from it
}

}  // namespace

template <>
awaitable<void> handle<command_id::login>(command_context& ctx) {
  const std::string name = ctx.args[0];
  const std::string password = ctx.args[1];
  const std::string user_key = "user:" + util::ascii_lower(name);
  const std::string address_key = "address:" + ctx.client.remote_ip();
  if (!within_rate(ctx, {user_key, address_key})) co_return;

  std::optional<store::user_record> record;
  if (valid_name(name)) {
    auto lookup = [name](store::backend& db) { return db.find_user(name); };
    record = co_await ctx.core.store->run(std::move(lookup));
  }
  // An unknown user costs as much time as a wrong password, so timing tells nothing.
  const std::string stored = record ? record->password_hash : std::string();
  const hash_cost cost = ctx.core.options.password_cost;
  auto verify = [stored, password, cost] {
    if (stored.empty()) {
      static const std::string decoy = hash_password("decoy password", cost);
      verify_password(decoy, password);
      return false;
    }
    return verify_password(stored, password);
  };
  const bool matches = co_await ctx.core.hashing.run(std::move(verify));
  if (!matches) {
    refuse_login(ctx, user_key, address_key, "wrong user name or password");
    co_return;
  }
  ctx.core.throttle.success(user_key);
  co_await complete_login(ctx, record->name, false);
}

template <>
awaitable<void> handle<command_id::resume>(command_context& ctx) {
  const std::string name = ctx.args[0];
  const std::string token = ctx.args[1];
  const std::string user_key = "user:" + util::ascii_lower(name);
  const std::string address_key = "address:" + ctx.client.remote_ip();
  if (!within_rate(ctx, {user_key, address_key})) co_return;
  std::optional<store::user_record> record;
  if (valid_name(name) && token.size() == 64) {
    auto check = [name, digest = sha256_hex(token), now = util::unix_ms_now()](
                     store::backend& db) -> std::optional<store::user_record> {
      if (!db.token_valid(name, digest, now)) return std::nullopt;
      return db.find_user(name);
    };
    record = co_await ctx.core.store->run(std::move(check));
  }
  if (!record) {
    refuse_login(ctx, user_key, address_key, "unknown or expired resume token");
    co_return;
  }
  ctx.core.throttle.success(user_key);
  co_await complete_login(ctx, record->name, true);
}

template <>
awaitable<void> handle<command_id::resume_token>(command_context& ctx) {
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  const std::string token =
      util::to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  auto save = [user = ctx.client.identity().user(), digest = sha256_hex(token),
               until = util::unix_ms_now() + token_lifetime_ms](store::backend& db) {
    db.save_token(user, digest, until);
    return true;  // the pool hands back a value
  };
  co_await ctx.core.store->run(std::move(save));
  ctx.reply.ok(token);
}

template <>
awaitable<void> handle<command_id::logout>(command_context& ctx) {
  const std::string who = ctx.client.identity().user();
  ctx.client.log_out();
  // A deliberate logout ends the session everywhere: no client may resume it.
  ctx.core.store->post([who](store::backend& db) { db.drop_tokens(who); });
  ctx.reply.ok(fmt::format("{} logged out", who));
  co_return;
}

}  // namespace swarmhub::tracker
