// auth, whoami, create_user, login, resume, resume_token, change_password, logout.

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

// One throttle key an attempt counts against.
struct slot {
  login_throttle& throttle;
  std::string key;
};

void refuse_for(command_context& ctx, std::chrono::milliseconds wait) {
  const auto seconds = (wait.count() + 999) / 1000;
  ctx.reply.error(error_code::rate_limited,
                  fmt::format("too many failed attempts; try again in {} s", seconds));
}

// Takes a failure slot in every one of `slots` BEFORE the secret is checked, so attempts made
// at once cannot all pass the limit; refuses (RATE_LIMITED, nothing taken) when one is locked.
bool take_slots(command_context& ctx, const std::vector<slot>& slots) {
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const auto wait = slots[i].throttle.take(slots[i].key);
    if (wait.count() == 0) continue;
    for (std::size_t j = 0; j < i; ++j) slots[j].throttle.give_back(slots[j].key);
    refuse_for(ctx, wait);
    return false;
  }
  return true;
}

// What a password attempt for `name` from this connection counts against: a user who
// logged in from this address lately, only that pair (a stranger elsewhere cannot lock them
// out); anyone else, the name and the address.
std::vector<slot> password_slots(command_context& ctx, const std::string& name) {
  const std::string address = ctx.client.remote_ip();
  const std::string lower = util::ascii_lower(name);
  if (ctx.core.known.knows(lower, address)) {
    return {{ctx.core.throttle, "pair:" + lower + " " + address}};
  }
  return {{ctx.core.throttle, "user:" + lower}, {ctx.core.address_throttle, "address:" + address}};
}

// Checks `password` against `name`'s hash off the I/O threads; an unknown user costs as much
// time as a wrong password, so timing tells nothing.
awaitable<std::optional<store::user_record>> check_password(command_context& ctx,
                                                            const std::string& name,
                                                            const std::string& password) {
  std::optional<store::user_record> record;
  if (valid_name(name)) {
    auto lookup = [name](store::backend& db) { return db.find_user(name); };
    record = co_await ctx.core.store->run(std::move(lookup));
  }
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
  if (!co_await ctx.core.hashing.run(std::move(verify))) co_return std::nullopt;
  co_return record;
}

std::string new_token() {
  unsigned char random[32];
  randombytes_buf(random, sizeof random);
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

}  // namespace

template <>
awaitable<void> handle<command_id::auth>(command_context& ctx) {
  const std::string address_key = "server-password:" + ctx.client.remote_ip();
  if (const auto wait = ctx.core.address_throttle.wait_time(address_key); wait.count() > 0) {
    refuse_for(ctx, wait);
    co_return;
  }
  if (same_secret(ctx.args[0], ctx.core.options.server_password)) {
    ctx.core.address_throttle.success(address_key);
    ctx.client.identity().set_state(proto::session_state::anonymous);
    ctx.reply.ok("welcome; now create_user or login");
    co_return;
  }
  ctx.core.address_throttle.failure(address_key);
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
  // Every account counts against its address, made or not: creating is as slow as hashing.
  if (!take_slots(ctx, {{ctx.core.new_users, "create:" + ctx.client.remote_ip()}})) co_return;
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
  ctx.follow_up(proto::events::closing, fmt::format("duplicate {} is already logged in", user));
  ctx.close_after_reply = true;
  ctx.close_reason = "duplicate login";
}

// Everything after the user proved who they are (password or resume token): the one live
// login, the rooms, what they missed.
// `lease_taken`: the caller already holds the store's login (resume); `next_token` goes out
// as the reply's data line.
awaitable<void> complete_login(command_context& ctx, std::string user, bool lease_taken,
                               std::string next_token = {}) {
  // A lease taken for a connection that is gone is let go, or this tracker would renew it
  // for ever.
  const auto drop_lease = [&] {
    if (!lease_taken) return;
    ctx.core.store->post([user, tracker = ctx.core.tracker_id](store::backend& db) {
      db.release_login(user, tracker);
    });
  };
  if (ctx.client.stopped()) {  // gone while we checked; nothing to log in
    drop_lease();
    co_return;
  }
  auto self = ctx.client.shared_from_this();
  if (!ctx.core.online.claim(user, self)) {  // the lease stays: that session holds it
    refuse_duplicate(ctx, user, "connection");
    co_return;
  }
  // One live login across every tracker of the store: a lease held by this tracker.
  if (!lease_taken) {
    const auto now = util::unix_ms_now();
    auto claim = [user, tracker = ctx.core.tracker_id, now, until = ctx.core.lease_end(now)](
                     store::backend& db) { return db.claim_login(user, tracker, now, until); };
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
    chat::deliver_direct_page(core, db, self, user, 0);
    const auto missed = db.unseen_room_messages(user, core.options.backlog_limit);
    if (missed.more > 0) {
      deliver("NOTICE", fmt::format("{} older unseen messages are not shown; see history <room>",
                                    missed.more));
    }
    for (const auto& m : missed.messages) {
      self->deliver(std::make_shared<const std::string>(chat::room_event(m)), m.id, m.sent_at_ms,
                    m.group);
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
  ctx.core.known.remember(user, ctx.client.remote_ip());
  if (!next_token.empty()) ctx.reply.data(next_token);
  ctx.reply.ok(fmt::format("logged in as {}", user));
  ctx.follow_up(proto::events::logged_in, user);  // the first follow-up: clients learn who from it
}

}  // namespace

template <>
awaitable<void> handle<command_id::login>(command_context& ctx) {
  const std::string name = ctx.args[0];
  const auto slots = password_slots(ctx, name);
  if (!take_slots(ctx, slots)) co_return;
  const auto record = co_await check_password(ctx, name, ctx.args[1]);
  if (!record) {
    ctx.reply.error(error_code::login_failed, "wrong user name or password");
    co_return;  // the slots taken stay counted as failures
  }
  ctx.core.throttle.success(slots[0].key);
  if (slots.size() > 1) ctx.core.address_throttle.give_back(slots[1].key);
  co_await complete_login(ctx, record->name, false);
}

namespace {

enum class resume_outcome { resumed, bad_token, online_elsewhere };

}  // namespace

template <>
awaitable<void> handle<command_id::resume>(command_context& ctx) {
  const std::string name = ctx.args[0];
  const std::string token = ctx.args[1];
  // A token is 256 random bits: guessing it is hopeless, so a failure counts against the
  // address only (to bound the work), never against the user, whose failover must not be
  // blocked by a stranger.
  const std::string address_key = "resume:" + ctx.client.remote_ip();
  if (!take_slots(ctx, {{ctx.core.address_throttle, address_key}})) co_return;
  // A client that reconnects (a reloaded web page, say) may ask before its old connection
  // is gone here, and a failed-over one before the database has noticed its old tracker's
  // death: either is asked again a few times before the answer is that it lives.
  asio::steady_timer pause(ctx.client.executor());
  const auto wait_a_moment = [&pause]() -> awaitable<void> {
    pause.expires_after(std::chrono::milliseconds(250));
    boost::system::error_code ec;
    co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
  };
  constexpr int tries = 8;
  for (int again = 0; again < tries && ctx.core.online.find(name); ++again) {
    co_await wait_a_moment();
  }
  if (ctx.core.online.find(name)) {
    ctx.core.address_throttle.give_back(address_key);
    ctx.reply.error(error_code::already_online,
                    fmt::format("{} is already logged in on another connection", name));
    co_return;
  }
  // The token is used once: taken, and a fresh one handed back with the login. The login
  // is this tracker's unless another tracker that is alive holds it (then the token stays);
  // a dead tracker's lease is taken over at once, without waiting for it to lapse.
  const std::string next = new_token();
  auto check = [name, digest = token.size() == 64 ? sha256_hex(token) : std::string(),
                next_digest = sha256_hex(next), tracker = ctx.core.tracker_id,
                now = util::unix_ms_now(),
                until = ctx.core.lease_end(util::unix_ms_now())](store::backend& db) {
    std::pair<resume_outcome, std::string> out{resume_outcome::bad_token, {}};
    if (!valid_name(name) || digest.empty()) return out;
    const auto expiry = db.take_token(name, digest, now);
    const auto record = expiry ? db.find_user(name) : std::nullopt;
    if (!record) return out;
    if (!db.claim_login(name, tracker, now, until)) {
      const auto holder = db.login_holder(name, now);
      if (holder && *holder != tracker && db.tracker_alive(*holder)) {
        db.save_token(name, digest, *expiry);
        return out = {resume_outcome::online_elsewhere, record->name};
      }
      db.take_login(name, tracker, until);
    }
    db.save_token(name, next_digest, now + token_lifetime_ms);
    return out = {resume_outcome::resumed, record->name};
  };
  auto [outcome, user] = co_await ctx.core.store->run(check);
  for (int again = 0; again < tries && outcome == resume_outcome::online_elsewhere; ++again) {
    co_await wait_a_moment();
    std::tie(outcome, user) = co_await ctx.core.store->run(check);
  }
  if (outcome == resume_outcome::bad_token) {
    ctx.reply.error(error_code::login_failed, "unknown, used or expired resume token");
    co_return;
  }
  ctx.core.address_throttle.give_back(address_key);
  if (outcome == resume_outcome::online_elsewhere) {
    ctx.reply.error(error_code::already_online,
                    fmt::format("{} is already logged in on another tracker", user));
    co_return;
  }
  co_await complete_login(ctx, user, true, next);
}

template <>
awaitable<void> handle<command_id::resume_token>(command_context& ctx) {
  const std::string token = new_token();
  auto save = [user = ctx.client.identity().user(), digest = sha256_hex(token),
               until = util::unix_ms_now() + token_lifetime_ms](store::backend& db) {
    db.save_token(user, digest, until);
    return true;  // the pool hands back a value
  };
  co_await ctx.core.store->run(std::move(save));
  ctx.reply.ok(token);
}

template <>
awaitable<void> handle<command_id::change_password>(command_context& ctx) {
  const std::string who = ctx.client.identity().user();
  const std::string fresh = ctx.args[1];
  if (const auto problem = password_problem(fresh); !problem.empty()) {
    ctx.reply.error(error_code::bad_password, problem);
    co_return;
  }
  const auto slots = password_slots(ctx, who);
  if (!take_slots(ctx, slots)) co_return;
  if (!co_await check_password(ctx, who, ctx.args[0])) {
    ctx.reply.error(error_code::login_failed, "wrong password");
    co_return;
  }
  ctx.core.throttle.success(slots[0].key);
  if (slots.size() > 1) ctx.core.address_throttle.give_back(slots[1].key);
  const hash_cost cost = ctx.core.options.password_cost;
  auto hashing = [fresh, cost] { return hash_password(fresh, cost); };
  const std::string hash = co_await ctx.core.hashing.run(std::move(hashing));
  // Every resume token goes, this session's and every other's: a stolen one dies here.
  auto save = [who, hash](store::backend& db) {
    const bool changed = db.set_password_hash(who, hash);
    db.drop_tokens(who);
    return changed;
  };
  co_await ctx.core.store->run(std::move(save));
  ctx.reply.ok("password changed; every resume token of yours is revoked");
}

template <>
awaitable<void> handle<command_id::logout>(command_context& ctx) {
  const std::string who = ctx.client.identity().user();
  ctx.client.log_out();
  // A deliberate logout ends the session everywhere: no client may resume it. The reply
  // waits for the store: a login on another tracker right after it must find the user's one
  // live login released (log_out only posts that, and a posted job may run late).
  auto release = [who, tracker = ctx.core.tracker_id](store::backend& db) {
    db.release_login(who, tracker);
    db.drop_tokens(who);
    return true;  // the pool hands back a value
  };
  co_await ctx.core.store->run(std::move(release));
  ctx.reply.ok(fmt::format("{} logged out", who));
}

}  // namespace swarmhub::tracker
