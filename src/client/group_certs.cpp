#include "swarmhub/client/group_certs.hpp"

#include <charconv>
#include <chrono>
#include <ctime>
#include <utility>

#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/proto/error_code.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

constexpr std::chrono::seconds retry_after{5};  // a lost connection (failover) or a slow tracker

// The refusals that say the user has no place in the group (left, or it is gone): the only
// failures not tried again.
bool not_a_member(const proto::reply& reply) {
  return reply.code == proto::wire_name(proto::error_code::not_member) ||
         reply.code == proto::wire_name(proto::error_code::no_such_group);
}

}  // namespace

group_certs::group_certs(asio::any_io_executor executor, tracker_link& link, p2p::engine& engine)
    : executor_(std::move(executor)), link_(link), engine_(engine), key_(net::make_member_key()) {}

group_certs::~group_certs() {
  alive_.reset();
  forget();
}

awaitable<std::optional<group_certs::grant>> group_certs::fetch(const std::string& group) {
  auto got = co_await ask(group);
  // The engine now has the certificate and will not want it: its renewal starts here.
  if (got.granted) keep_from(group, got.granted->expires);
  co_return std::move(got.granted);
}

awaitable<group_certs::answer> group_certs::ask(const std::string& group) {
  const std::string line = "group_cert " + group + " " + util::to_base64(key_.public_der);
  const auto reply = co_await link_.request(line);
  if (!reply) co_return answer{};
  if (!reply->ok) co_return answer{std::nullopt, not_a_member(*reply)};
  grant out;
  for (const auto& data : reply->data) {
    const auto [key, value] = proto::split_verb(data);
    if (key == "mode") {
      out.sealed = value != "open";
    } else if (key == "ca") {
      out.ca_pem = util::from_base64(value).value_or("");
    } else if (key == "cert") {
      out.cert_pem = util::from_base64(value).value_or("");
    } else if (key == "expires") {
      std::from_chars(value.data(), value.data() + value.size(), out.expires);
    }
  }
  if (out.ca_pem.empty() || out.cert_pem.empty()) co_return answer{};
  engine_.set_certificate(group, out.cert_pem, key_.private_pem);
  co_return answer{std::move(out), false};
}

void group_certs::want(const std::string& group) {
  keep_from(group, std::nullopt);
}

void group_certs::keep_from(const std::string& group, std::optional<std::int64_t> expires) {
  if (kept_.contains(group)) return;
  auto timer = std::make_shared<asio::steady_timer>(executor_);
  kept_[group] = {++generation_, timer};
  asio::co_spawn(executor_, keep(alive_, group, generation_, std::move(timer), expires),
                 net::detached_logged{"group_cert"});
}

void group_certs::forget(const std::string& group) {
  for (auto it = kept_.begin(); it != kept_.end();) {
    if (group.empty() || util::iequals_ascii(it->first, group)) {
      it->second.timer->cancel();
      it = kept_.erase(it);
    } else {
      ++it;
    }
  }
}

// Fetches (unless a certificate that expires at `expires` was just fetched), then sleeps until
// half the certificate's life is gone (or retry_after after a failure), while `group` is still
// kept by this loop (a forget, or a later want, ends it) and the tracker does not say the user
// is no member.
awaitable<void> group_certs::keep(std::weak_ptr<bool> alive, std::string group,
                                  std::uint64_t generation,
                                  std::shared_ptr<asio::steady_timer> timer,
                                  std::optional<std::int64_t> expires) {
  const auto still_mine = [&] {
    if (alive.expired()) return false;
    const auto it = kept_.find(group);
    return it != kept_.end() && it->second.generation == generation;
  };
  while (still_mine()) {
    if (!expires) {
      const auto got = co_await ask(group);
      if (!still_mine()) co_return;
      if (got.refused) {
        kept_.erase(group);
        co_return;
      }
      if (got.granted) expires = got.granted->expires;
    }
    std::chrono::seconds wait = retry_after;
    if (expires) {
      const auto left =
          *std::exchange(expires, std::nullopt) - static_cast<std::int64_t>(std::time(nullptr));
      wait = std::max(retry_after, std::chrono::seconds(left / 2));
    }
    timer->expires_after(wait);
    error_code ec;
    co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

}  // namespace swarmhub::client
