#include "swarmhub/tracker/commands/refusals.hpp"

#include <fmt/format.h>

namespace swarmhub::tracker {

using proto::error_code;
using store::status;

void refuse(command_context& ctx, status result, std::string_view group, std::string_view user) {
  switch (result) {
    case status::ok:
      return;
    case status::user_exists:
      ctx.reply.error(error_code::user_exists, fmt::format("the name {} is taken", user));
      return;
    case status::group_exists:
      ctx.reply.error(error_code::group_exists, fmt::format("a group named {} exists", group));
      return;
    case status::no_such_user:
      ctx.reply.error(error_code::no_such_user, fmt::format("no user named {}", user));
      return;
    case status::no_such_group:
      ctx.reply.error(error_code::no_such_group, fmt::format("no group named {}", group));
      return;
    case status::not_owner:
      ctx.reply.error(error_code::not_owner,
                      fmt::format("only the owner of {} can do that", group));
      return;
    case status::not_member:
      ctx.reply.error(error_code::not_member, fmt::format("you are not a member of {}", group));
      return;
    case status::already_member:
      ctx.reply.error(error_code::already_member,
                      fmt::format("{} is already a member of {}", user, group));
      return;
    case status::request_pending:
      ctx.reply.error(error_code::request_pending,
                      fmt::format("the request of {} to join {} is already waiting", user, group));
      return;
    case status::no_such_request:
      ctx.reply.error(error_code::no_such_request,
                      fmt::format("{} has not asked to join {}", user, group));
      return;
    case status::file_exists:
      ctx.reply.error(error_code::file_exists,
                      fmt::format("{} already has a different file by that name", group));
      return;
    case status::no_such_file:
      ctx.reply.error(error_code::no_such_file, fmt::format("{} has no such file", group));
      return;
    case status::group_sealed:
      ctx.reply.error(error_code::group_sealed,
                      fmt::format("{} is sealed: its files are for swarmhub clients only", group));
      return;
    case status::quota_exceeded:
      ctx.reply.error(error_code::quota_exceeded, "that is past a limit of this tracker");
      return;
    case status::is_owner:
      ctx.reply.error(error_code::bad_arguments,
                      fmt::format("{} owns {}: an owner leaves with leave_group", user, group));
      return;
  }
}

}  // namespace swarmhub::tracker
