// create_group, list_groups, join_group, list_requests, accept_request, reject_request,
// remove_member, leave_group, list_members, group_mode. Every rule (who may, what exists) is
// decided by the store inside one transaction; these handlers translate outcomes into replies and
// notify who is online.

#include <fmt/format.h>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/commands/refusals.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/swarms/membership.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using store::status;

// Sends an event to `user` if they are logged in, on this tracker or another of the store.
void notify(tracker_core& core, std::string_view user, std::string_view event,
            std::string_view text) {
  if (auto s = core.online.find(user)) {
    s->deliver(std::make_shared<const std::string>(proto::format_event(event, text)));
  } else {
    relay::to_user(core, user, event, text);
  }
}

// A membership changed in this store job: here, and on the other trackers of the store.
void changed(tracker_core& core, std::string_view user, std::string_view group, bool member) {
  membership_changed(core, user, group, member);
  relay::membership(core, user, group, member);
}

// `user` is no member of `group` any more (they left or were removed), in the store job that
// made it so and after their session here left the group's room: the swarms and the access
// caches follow, here and on the other trackers (which also take the room from the user's
// session if they hold it), and the group's members online see them leave.
void member_gone(tracker_core& core, std::string_view group, std::string_view user) {
  changed(core, user, group, false);
  chat::announce_everywhere(core, group, proto::events::left, fmt::format("{} {}", group, user));
}

// Checks every name argument; writes BAD_NAME and returns false for the first bad one.
bool names_ok(command_context& ctx) {
  for (const auto& name : ctx.args) {
    if (!valid_name(name)) {
      ctx.reply.error(error_code::bad_name,
                      fmt::format("'{}' is not a valid name (1-32 characters of A-Z a-z 0-9 _ . -)",
                                  name.substr(0, 40)));
      return false;
    }
  }
  return true;
}

}  // namespace

template <>
awaitable<void> handle<command_id::create_group>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  // The chat's own rooms: a group of that name would share the lobby's room (every user
  // logged in) or be out of reach of `room`.
  for (const std::string_view own : {room_registry::lobby, room_registry::pair}) {
    if (util::iequals_ascii(group, own)) {
      ctx.reply.error(
          error_code::bad_name,
          fmt::format("'{}' is reserved for the chat's own room; choose another name", group));
      co_return;
    }
  }
  const std::string owner = ctx.client.identity().user();
  tracker_core& core = ctx.core;
  auto self = ctx.client.shared_from_this();
  auto insert = [&core, self, group, owner](store::backend& db) {
    const auto result = db.create_group(group, owner);
    if (result == status::ok) {
      core.rooms.subscribe(group, self);
      changed(core, {}, group, true);
    }
    return result;
  };
  const status result = co_await ctx.core.store->run(std::move(insert));
  if (result == status::quota_exceeded) {
    ctx.reply.error(error_code::quota_exceeded,
                    fmt::format("you own {} groups, the most this tracker keeps for one user",
                                ctx.core.options.max_groups_per_user));
    co_return;
  }
  if (result != status::ok) co_return refuse(ctx, result, group, owner);
  ctx.reply.ok(fmt::format("group {} created; you own it", group));
}

template <>
awaitable<void> handle<command_id::list_groups>(command_context& ctx) {
  auto query = [](store::backend& db) { return db.list_groups(); };
  const auto groups = co_await ctx.core.store->run(std::move(query));
  for (const auto& g : groups) {
    ctx.reply.data(fmt::format("{} owner={} members={} mode={}", g.name, g.owner, g.members,
                               store::mode_name(g.mode)));
  }
  ctx.reply.ok(fmt::format("{} group{}", groups.size(), groups.size() == 1 ? "" : "s"));
}

template <>
awaitable<void> handle<command_id::join_group>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string user = ctx.client.identity().user();
  auto request = [group, user](store::backend& db) { return db.join_group(group, user); };
  const auto result = co_await ctx.core.store->run(std::move(request));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  notify(ctx.core, result.owner, "JOIN_REQUEST", fmt::format("{} {}", result.group, user));
  ctx.reply.ok(fmt::format("asked {} to let you into {}", result.owner, result.group));
}

template <>
awaitable<void> handle<command_id::list_requests>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string owner = ctx.client.identity().user();
  auto query = [group, owner](store::backend& db) { return db.list_requests(group, owner); };
  const auto result = co_await ctx.core.store->run(std::move(query));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, owner);
  for (const auto& r : result.items) {
    ctx.reply.data(fmt::format("{} asked={}", r.user, util::iso_utc(r.requested_at)));
  }
  ctx.reply.ok(fmt::format("{} pending request{}", result.items.size(),
                           result.items.size() == 1 ? "" : "s"));
}

namespace {

awaitable<void> decide(command_context& ctx, bool accept) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string user = ctx.args[1];
  const std::string owner = ctx.client.identity().user();
  tracker_core& core = ctx.core;
  auto decision = [&core, group, owner, user, accept](store::backend& db) {
    if (!accept) return db.reject_request(group, owner, user);
    auto result = db.accept_request(group, owner, user);
    if (result.result == status::ok) {
      changed(core, result.user, result.group, true);
      // Subscribed in the same store job: no message of the room can fall in between.
      chat::announce_everywhere(core, result.group, "JOINED",
                                fmt::format("{} {}", result.group, result.user));
      if (auto s = core.online.find(result.user)) {
        core.rooms.subscribe(result.group, s);
      } else {
        relay::subscribe(core, result.user, result.group);
      }
    }
    return result;
  };
  const auto result = co_await ctx.core.store->run(std::move(decision));
  if (result.result != status::ok) {
    co_return refuse(ctx, result.result, result.group.empty() ? group : result.group,
                     result.user.empty() ? user : result.user);
  }
  notify(ctx.core, result.user, accept ? "REQUEST_ACCEPTED" : "REQUEST_REJECTED", result.group);
  ctx.reply.ok(accept ? fmt::format("{} is now a member of {}", result.user, result.group)
                      : fmt::format("turned down {} for {}", result.user, result.group));
}

}  // namespace

template <>
awaitable<void> handle<command_id::accept_request>(command_context& ctx) {
  return decide(ctx, true);
}

template <>
awaitable<void> handle<command_id::reject_request>(command_context& ctx) {
  return decide(ctx, false);
}

// The owner's side of a leave: the member's leave, done for them.
template <>
awaitable<void> handle<command_id::remove_member>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string user = ctx.args[1];
  const std::string owner = ctx.client.identity().user();
  tracker_core& core = ctx.core;
  auto removal = [&core, group, owner, user](store::backend& db) {
    auto result = db.remove_member(group, owner, user);
    if (result.result == status::ok) {
      if (auto s = core.online.find(result.user)) core.rooms.unsubscribe(result.group, s->id());
      member_gone(core, result.group, result.user);
    }
    return result;
  };
  const auto result = co_await ctx.core.store->run(std::move(removal));
  const std::string& named_group = result.group.empty() ? group : result.group;
  const std::string& named_user = result.user.empty() ? user : result.user;
  if (result.result == status::not_member) {
    ctx.reply.error(error_code::not_member,
                    fmt::format("{} is not a member of {}", named_user, named_group));
    co_return;
  }
  if (result.result != status::ok) co_return refuse(ctx, result.result, named_group, named_user);
  notify(ctx.core, result.user, proto::events::removed_from,
         fmt::format("{} {}", result.group, owner));
  ctx.reply.ok(fmt::format("{} is no longer a member of {}", result.user, result.group));
}

template <>
awaitable<void> handle<command_id::leave_group>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string user = ctx.client.identity().user();
  tracker_core& core = ctx.core;
  const std::uint64_t me = ctx.client.id();
  auto departure = [&core, group, user, me](store::backend& db) {
    auto result = db.leave_group(group, user);
    if (result.result == status::ok &&
        result.what != store::leave_result::effect::withdrew_request) {
      core.rooms.unsubscribe(result.group, me);
      if (result.what == store::leave_result::effect::group_removed) {
        changed(core, {}, result.group, false);
        core.rooms.remove_room(result.group);
      } else {
        member_gone(core, result.group, user);
      }
    }
    return result;
  };
  const auto result = co_await ctx.core.store->run(std::move(departure));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  if (ctx.client.chat().room() == result.group)
    ctx.client.chat().set_room(std::string(room_registry::lobby));
  using effect = store::leave_result::effect;
  switch (result.what) {
    case effect::left:
      ctx.reply.ok(fmt::format("you left {}", result.group));
      break;
    case effect::withdrew_request:
      ctx.reply.ok(fmt::format("withdrew your request to join {}", result.group));
      break;
    case effect::owner_changed:
      notify(ctx.core, result.new_owner, "OWNER",
             fmt::format("{} {}", result.group, result.new_owner));
      ctx.reply.ok(fmt::format("you left {}; {} owns it now", result.group, result.new_owner));
      break;
    case effect::group_removed:
      ctx.reply.ok(fmt::format("you left {}; it had no other member and is removed", result.group));
      break;
  }
}

template <>
awaitable<void> handle<command_id::list_members>(command_context& ctx) {
  if (!names_ok(ctx)) co_return;
  const std::string group = ctx.args[0];
  const std::string user = ctx.client.identity().user();
  auto query = [group, user](store::backend& db) { return db.list_members(group, user); };
  const auto result = co_await ctx.core.store->run(std::move(query));
  if (result.result != status::ok) co_return refuse(ctx, result.result, group, user);
  for (const auto& m : result.items) {
    ctx.reply.data(fmt::format("{} {} joined={}", m.name, m.owner ? "owner" : "member",
                               util::iso_utc(m.joined_at)));
  }
  ctx.reply.ok(
      fmt::format("{} member{}", result.items.size(), result.items.size() == 1 ? "" : "s"));
}

}  // namespace swarmhub::tracker

namespace swarmhub::tracker {

template <>
awaitable<void> handle<command_id::group_mode>(command_context& ctx) {
  const std::string group = ctx.args[0];
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const auto mode = store::parse_mode(ctx.args[1]);
  if (!mode) {
    ctx.reply.error(error_code::bad_arguments, "the mode is sealed or open");
    co_return;
  }
  const std::string user = ctx.client.identity().user();
  auto update = [group, user, m = *mode](store::backend& db) {
    return db.set_group_mode(group, user, m);
  };
  const auto result = co_await ctx.core.store->run(std::move(update));
  if (result != status::ok) co_return refuse(ctx, result, group, user);
  ctx.reply.ok(fmt::format("{} is {}", group, store::mode_name(*mode)));
}

}  // namespace swarmhub::tracker
