// group_cert: the tracker as each group's certificate authority (net/group_ca.hpp). A member
// sends the public key of its client's key pair and gets a certificate for the group's sealed
// swarms, valid for --member-cert-lifetime; a non-member (one who left) gets none.

#include <fmt/format.h>

#include <stdexcept>

#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/commands/handler.hpp"
#include "swarmhub/tracker/commands/refusals.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/base64.hpp"

namespace swarmhub::tracker {

using proto::error_code;

template <>
awaitable<void> handle<command_id::group_cert>(command_context& ctx) {
  const std::string group = ctx.args[0];
  if (!valid_name(group)) {
    ctx.reply.error(error_code::bad_name, "not a group name");
    co_return;
  }
  const auto public_key = util::from_base64(ctx.args[1]);
  if (!public_key) {
    ctx.reply.error(error_code::bad_arguments, "the public key must be base64 (DER)");
    co_return;
  }
  // A candidate for a group that has no authority yet; the store keeps the first one made
  // (by any tracker of a shared store) and returns that one ever after.
  const auto fresh = net::make_group_ca(group);
  const std::string user = ctx.client.identity().user();
  auto query = [group, user, fresh](store::backend& db) {
    return db.group_authority_for(group, user, fresh.key_pem, fresh.cert_pem);
  };
  const auto ca = co_await ctx.core.store->run(std::move(query));
  if (ca.result != store::status::ok) co_return refuse(ctx, ca.result, group, user);
  net::member_certificate cert;
  try {
    cert = net::issue_member_certificate({ca.key_pem, ca.cert_pem}, *public_key, user,
                                         ctx.core.options.member_cert_lifetime);
  } catch (const std::invalid_argument& e) {
    ctx.reply.error(error_code::bad_arguments, e.what());
    co_return;
  }
  ctx.reply.data(fmt::format("mode {}", store::mode_name(ca.mode)));
  ctx.reply.data("ca " + util::to_base64(ca.cert_pem));
  ctx.reply.data("cert " + util::to_base64(cert.cert_pem));
  ctx.reply.data(fmt::format("expires {}", cert.expires));
  ctx.reply.ok(fmt::format("a certificate for {} valid for {} s", group,
                           ctx.core.options.member_cert_lifetime.count()));
}

}  // namespace swarmhub::tracker
