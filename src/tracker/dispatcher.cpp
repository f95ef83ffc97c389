#include "swarmhub/tracker/dispatcher.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/handlers.hpp"
#include "swarmhub/tracker/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using proto::session_state;

// The error for a command that exists but is not allowed in the connection's state.
void refuse_for_state(const proto::command_spec& spec, session_state state,
                      proto::reply_builder& reply) {
  if (state == session_state::awaiting_password) {
    reply.error(error_code::auth_required, "give the server password first: auth <password>");
  } else if (spec.allowed == proto::mask(session_state::awaiting_password)) {
    reply.error(error_code::already_authenticated, "no server password is needed now");
  } else if (state == session_state::anonymous) {
    reply.error(error_code::not_logged_in, fmt::format("log in before using {}", spec.name));
  } else {
    reply.error(error_code::already_logged_in,
                fmt::format("{} is not available while logged in (logout first)", spec.name));
  }
}

awaitable<void> run_handler(command_context& ctx) {
  using proto::command_id;
  switch (ctx.spec.id) {
    case command_id::help:
      co_await handlers::help(ctx);
      break;
    case command_id::quit:
      co_await handlers::quit(ctx);
      break;
    case command_id::ping:
      co_await handlers::ping(ctx);
      break;
    case command_id::auth:
      co_await handlers::auth(ctx);
      break;
    case command_id::whoami:
      co_await handlers::whoami(ctx);
      break;
    case command_id::create_user:
      co_await handlers::create_user(ctx);
      break;
    case command_id::login:
      co_await handlers::login(ctx);
      break;
    case command_id::resume:
      co_await handlers::resume(ctx);
      break;
    case command_id::resume_token:
      co_await handlers::resume_token(ctx);
      break;
    case command_id::logout:
      co_await handlers::logout(ctx);
      break;
    case command_id::create_group:
      co_await handlers::create_group(ctx);
      break;
    case command_id::list_groups:
      co_await handlers::list_groups(ctx);
      break;
    case command_id::join_group:
      co_await handlers::join_group(ctx);
      break;
    case command_id::list_requests:
      co_await handlers::list_requests(ctx);
      break;
    case command_id::accept_request:
      co_await handlers::accept_request(ctx);
      break;
    case command_id::reject_request:
      co_await handlers::reject_request(ctx);
      break;
    case command_id::leave_group:
      co_await handlers::leave_group(ctx);
      break;
    case command_id::list_members:
      co_await handlers::list_members(ctx);
      break;
    case command_id::list:
      co_await handlers::list(ctx);
      break;
    case command_id::msg:
      co_await handlers::msg(ctx);
      break;
    case command_id::say:
      co_await handlers::say(ctx);
      break;
    case command_id::room:
      co_await handlers::room(ctx);
      break;
    case command_id::rooms:
      co_await handlers::rooms(ctx);
      break;
    case command_id::history:
      co_await handlers::history(ctx);
      break;
    case command_id::pair:
      co_await handlers::pair(ctx);
      break;
    case command_id::unpair:
      co_await handlers::unpair(ctx);
      break;
    case command_id::add_file:
      co_await handlers::add_file(ctx);
      break;
    case command_id::list_files:
      co_await handlers::list_files(ctx);
      break;
    case command_id::file_info:
      co_await handlers::file_info(ctx);
      break;
    case command_id::passkey:
      co_await handlers::passkey(ctx);
      break;
  }
}

}  // namespace

awaitable<dispatch_outcome> dispatch(session& client, std::string_view line,
                                     proto::reply_builder& reply) {
  const auto [verb, rest] = proto::split_verb(line);
  if (verb.empty()) {
    reply.ok("empty line ignored");
    co_return dispatch_outcome{};
  }
  const proto::command_spec* spec = proto::find_command(verb);
  if (spec == nullptr) {
    if (verb.starts_with('/')) {
      reply.error(error_code::unknown_command,
                  fmt::format("unknown command '{}' (try help)", util::printable(verb)));
    } else if (client.state() == session_state::awaiting_password) {
      reply.error(error_code::auth_required, "give the server password first: auth <password>");
    } else {
      co_await handlers::plain_text(client, line, reply);
    }
    co_return dispatch_outcome{};
  }
  if ((spec->allowed & proto::mask(client.state())) == 0) {
    refuse_for_state(*spec, client.state(), reply);
    co_return dispatch_outcome{};
  }
  auto parsed = proto::split_arguments(rest, spec->max_args, spec->text_tail);
  if (!parsed.error.empty()) {
    reply.error(error_code::bad_arguments, fmt::format("{}; usage: {}", parsed.error, spec->usage));
    co_return dispatch_outcome{};
  }
  const auto count = static_cast<int>(parsed.values.size());
  if (count < spec->min_args || count > spec->max_args) {
    reply.error(error_code::bad_arguments,
                fmt::format("{} arguments; usage: {}",
                            count < spec->min_args ? "missing" : "too many", spec->usage));
    co_return dispatch_outcome{};
  }
  command_context ctx{client, client.core(), *spec, std::move(parsed.values), reply, {}};
  bool failed = false;
  try {
    if (spec->id != proto::command_id::say) co_await client.settle_deferred();
    co_await run_handler(ctx);
  } catch (const std::exception& e) {
    spdlog::error("{} failed for {} id={}: {}", spec->name, client.remote(), client.id(), e.what());
    failed = true;
  }
  if (failed) {
    reply = proto::reply_builder{};
    reply.error(error_code::internal, "the tracker failed; nothing was changed");
    co_return dispatch_outcome{};
  }
  co_return dispatch_outcome{ctx.close_after_reply, std::move(ctx.close_reason),
                             std::move(ctx.follow_ups)};
}

}  // namespace swarmhub::tracker
