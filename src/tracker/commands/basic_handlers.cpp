// help, quit, ping: handlers that never wait (handle_now, commands/handler.hpp).

#include <fmt/format.h>

#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {

template <>
void handle_now<command_id::help>(command_context& ctx) {
  const bool all = !ctx.args.empty() && util::iequals_ascii(ctx.args[0], "all");
  if (!ctx.args.empty() && !all) {
    const proto::command_spec* spec = proto::find_command(ctx.args[0]);
    if (spec == nullptr) {
      ctx.reply.error(proto::error_code::bad_arguments,
                      fmt::format("no command '{}' (try help)", util::printable(ctx.args[0])));
      return;
    }
    ctx.reply.data(fmt::format("usage: {}", spec->usage));
    ctx.reply.data(fmt::format("allowed when: {}", proto::describe_states(spec->allowed)));
    ctx.reply.ok(spec->summary);
    return;
  }
  for (auto& line : proto::help_lines(all)) ctx.reply.data(std::move(line));
  ctx.reply.ok(proto::help_footer(all));
}

template <>
void handle_now<command_id::quit>(command_context& ctx) {
  ctx.reply.ok("Bye.");
  ctx.close_after_reply = true;
}

template <>
void handle_now<command_id::ping>(command_context& ctx) {
  ctx.reply.ok("pong");
}

}  // namespace swarmhub::tracker
