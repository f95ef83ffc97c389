#include "swarmhub/client/tracker_target.hpp"

#include "swarmhub/net/fingerprint.hpp"
#include "swarmhub/net/tracker_list.hpp"
#include "swarmhub/util/paths.hpp"

namespace swarmhub::client {
namespace {

// Why `target` may not be used ("" when it may).
std::string refusal(const tracker_target& target) {
  if (target.uses_tls()) return "";
  if (!net::is_loopback_host(target.endpoint.address.host)) {
    return target.to_string() +
           ": plaintext (tcp://) is allowed only to a loopback address; use tls://" +
           target.endpoint.address.to_string();
  }
  if (!target.pin.empty()) return target.to_string() + ": a pin needs TLS (tls://)";
  return "";
}

}  // namespace

tracker_targets resolve_trackers(const std::string& argument, const std::string& pin) {
  tracker_targets out;
  const auto fail = [&](std::string why) {
    out.trackers.clear();
    out.error = std::move(why);
    return out;
  };
  std::string flag_pin;
  if (!pin.empty()) {
    const auto canonical = net::parse_sha256_fingerprint(pin);
    if (!canonical) return fail("--pin " + pin + ": not a SHA-256 fingerprint (sha256=AB:CD:…)");
    flag_pin = *canonical;
  }
  std::string address_error;
  if (auto one = net::parse_tracker_address(argument, &address_error)) {
    out.trackers.push_back({std::move(*one), flag_pin});
  } else {
    const auto list = net::read_tracker_list(util::expand_tilde(argument));
    if (!list.error.empty()) {
      return fail(argument + ": expected [tls://|tcp://]HOST:PORT (" + address_error +
                  ") or a tracker list (" + list.error + ")");
    }
    for (std::size_t i = 0; i < list.trackers.size(); ++i) {
      tracker_target t{{list.schemes[i], list.trackers[i]}, list.pins[i]};
      if (t.pin.empty() && t.uses_tls()) t.pin = flag_pin;
      out.trackers.push_back(std::move(t));
    }
  }
  for (const auto& t : out.trackers) {
    if (auto why = refusal(t); !why.empty()) return fail(why);
  }
  return out;
}

std::string announce_base(const tracker_target& target, const std::string& relay) {
  return target.uses_tls() ? relay : "http://" + target.endpoint.address.to_string();
}

std::string announce_url(const std::string& base, const std::string& group,
                         const std::string& passkey) {
  return base + "/announce/" + group + "?pk=" + passkey;
}

std::string public_announce_url(const tracker_target& target, const std::string& group,
                                const std::string& passkey) {
  const auto& address = target.endpoint.address;
  const bool https = target.uses_tls() && !net::is_loopback_host(address.host);
  return announce_url((https ? "https://" : "http://") + address.to_string(), group, passkey);
}

}  // namespace swarmhub::client
