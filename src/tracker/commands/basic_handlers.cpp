// help, quit, ping.

#include <fmt/format.h>

#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

template <>
awaitable<void> handle<command_id::help>(command_context& ctx) {
  const bool all = !ctx.args.empty() && util::iequals_ascii(ctx.args[0], "all");
  if (!ctx.args.empty() && !all) {
    const proto::command_spec* spec = proto::find_command(ctx.args[0]);
    if (spec == nullptr) {
      ctx.reply.error(proto::error_code::bad_arguments,
                      fmt::format("no command '{}' (try help)", util::printable(ctx.args[0])));
      co_return;
    }
    ctx.reply.data(fmt::format("usage: {}", spec->usage));
    ctx.reply.data(fmt::format("allowed when: {}", proto::describe_states(spec->allowed)));
    ctx.reply.ok(spec->summary);
    co_return;
  }
  for (auto& line : proto::help_lines(all)) ctx.reply.data(std::move(line));
  ctx.reply.ok(proto::help_footer(all));
  co_return;
}

template <>
awaitable<void> handle<command_id::quit>(command_context& ctx) {
  ctx.reply.ok("Bye.");
  ctx.close_after_reply = true;
  co_return;
}

template <>
awaitable<void> handle<command_id::ping>(command_context& ctx) {
  ctx.reply.ok("pong");
  co_return;
}

}  // namespace swarmhub::tracker
