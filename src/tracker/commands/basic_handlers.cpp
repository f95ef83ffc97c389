// help, quit, ping.

#include <fmt/format.h>

#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

template <>
awaitable<void> handle<command_id::help>(command_context& ctx) {
  if (!ctx.args.empty()) {
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
  std::size_t width = 0;
  for (const auto& spec : proto::command_table()) width = std::max(width, spec.usage.size());
  for (const auto& spec : proto::command_table()) {
    ctx.reply.data(fmt::format("{:<{}}  {}", spec.usage, width, spec.summary));
  }
  ctx.reply.ok(fmt::format("{} commands; a line that is no command is sent as a message",
                           proto::command_table().size()));
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
