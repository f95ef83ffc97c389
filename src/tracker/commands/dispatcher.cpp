#include "swarmhub/tracker/commands/dispatcher.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <array>
#include <utility>

#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

using proto::error_code;
using proto::session_state;

using handler = awaitable<void> (*)(command_context&);
using handler_now = void (*)(command_context&);

// Every row's handler, in row order: handle<row.id>, or handle_now<row.id> for a row that
// answers now (see commands/handler.hpp); the other table's entry is null.
template <std::size_t... Row>
constexpr std::array<handler, sizeof...(Row)> bind_handlers(std::index_sequence<Row...>) {
  return {[] {
    constexpr command_id id = proto::command_rows[Row].id;
    if constexpr (answers_now<id>) {
      return handler{nullptr};
    } else {
      return handler{&handle<id>};
    }
  }()...};
}
template <std::size_t... Row>
constexpr std::array<handler_now, sizeof...(Row)> bind_handlers_now(std::index_sequence<Row...>) {
  return {[] {
    constexpr command_id id = proto::command_rows[Row].id;
    if constexpr (answers_now<id>) {
      return handler_now{&handle_now<id>};
    } else {
      return handler_now{nullptr};
    }
  }()...};
}
constexpr auto rows = std::make_index_sequence<proto::command_rows.size()>{};
constexpr auto handlers = bind_handlers(rows);
constexpr auto handlers_now = bind_handlers_now(rows);

// The error for a command that exists but is not allowed in the connection's state.
void refuse_for_state(const proto::command_spec& spec, session_state state,
                      proto::reply_builder& reply) {
  if (state == session_state::awaiting_password) {
    reply.error(error_code::auth_required, "give the server password first: auth <password>");
  } else if (spec.allowed == proto::awaiting_password_only) {
    reply.error(error_code::already_authenticated, "no server password is needed now");
  } else if (state == session_state::anonymous) {
    reply.error(error_code::not_logged_in, fmt::format("log in before using {}", spec.name));
  } else {
    reply.error(error_code::already_logged_in,
                fmt::format("{} is not available while logged in (logout first)", spec.name));
  }
}

}  // namespace

bool dispatch_now(session& client, std::string_view line, proto::reply_builder& reply,
                  dispatch_outcome& outcome, checked_request& request) {
  auto [verb, rest] = proto::split_verb(line);
  if (verb.empty()) {
    reply.ok("empty line ignored");
    return true;
  }
  const session_state state = client.identity().state();
  const proto::command_spec* spec = proto::find_command(verb);
  if (spec == nullptr) {
    if (verb.starts_with('/')) {
      reply.error(error_code::unknown_command,
                  fmt::format("unknown command '{}' (try help)", util::printable(verb)));
      return true;
    }
    // Nobody to post as: acknowledged, as the first seed did, and dropped.
    if (state == session_state::anonymous) {
      reply.ok("Received your msg.");
      return true;
    }
    // A line that names no command is a chat message: `say` with the whole line.
    spec = &proto::spec_of(command_id::say);
    rest = line;
  }
  if ((spec->allowed & proto::mask(state)) == 0) {
    refuse_for_state(*spec, state, reply);
    return true;
  }
  auto parsed = proto::split_arguments(rest, spec->max_args, spec->text_tail);
  if (!parsed.error.empty()) {
    reply.error(error_code::bad_arguments, fmt::format("{}; usage: {}", parsed.error, spec->usage));
    return true;
  }
  const auto count = static_cast<int>(parsed.values.size());
  if (count < spec->min_args || count > spec->max_args) {
    reply.error(error_code::bad_arguments,
                fmt::format("{} arguments; usage: {}",
                            count < spec->min_args ? "missing" : "too many", spec->usage));
    return true;
  }
  const handler_now now = handlers_now[proto::row_index(spec->id)];
  // A room post may overtake the posts before it (their replies are deferred); anything
  // else sees their effect, so waits for them (dispatch_rest).
  if (now == nullptr || (spec->id != command_id::say && client.deferred_pending())) {
    request = checked_request{spec, std::move(parsed.values)};
    return false;
  }
  command_context ctx{client, client.core(), *spec, std::move(parsed.values), reply, {}};
  try {
    now(ctx);
  } catch (const std::exception& e) {
    spdlog::error("{} failed for {} id={}: {}", spec->name, client.remote(), client.id(), e.what());
    reply = proto::reply_builder{};
    reply.error(error_code::internal, "the tracker failed; nothing was changed");
    return true;
  }
  outcome = dispatch_outcome{ctx.close_after_reply, std::move(ctx.close_reason),
                             std::move(ctx.follow_ups), ctx.stored};
  return true;
}

awaitable<dispatch_outcome> dispatch_rest(session& client, checked_request request,
                                          proto::reply_builder& reply) {
  const proto::command_spec& spec = *request.spec;
  command_context ctx{client, client.core(), spec, std::move(request.args), reply, {}};
  bool failed = false;
  try {
    // A room post may overtake the posts before it (their replies are deferred); anything
    // else sees their effect.
    if (spec.id != command_id::say) co_await client.settle_deferred();
    if (const handler_now now = handlers_now[proto::row_index(spec.id)]) {
      now(ctx);
    } else {
      co_await handlers[proto::row_index(spec.id)](ctx);
    }
  } catch (const std::exception& e) {
    spdlog::error("{} failed for {} id={}: {}", spec.name, client.remote(), client.id(), e.what());
    failed = true;
  }
  if (failed) {
    reply = proto::reply_builder{};
    reply.error(error_code::internal, "the tracker failed; nothing was changed");
    co_return dispatch_outcome{};
  }
  co_return dispatch_outcome{ctx.close_after_reply, std::move(ctx.close_reason),
                             std::move(ctx.follow_ups), ctx.stored};
}

awaitable<dispatch_outcome> dispatch(session& client, std::string_view line,
                                     proto::reply_builder& reply) {
  dispatch_outcome outcome;
  checked_request request;
  if (dispatch_now(client, line, reply, outcome, request)) co_return outcome;
  co_return co_await dispatch_rest(client, std::move(request), reply);
}

}  // namespace swarmhub::tracker
