#pragma once
// libtorrent's announces to a TLS tracker go through this relay: a listener on 127.0.0.1
// that takes each announce (`GET /announce/...`, nothing else) and forwards it over a TLS
// connection to the tracker, checked exactly as the tracker link checks it (pin, CA and
// host name, or known_trackers: net/tls_trust.hpp), then hands the answer back.
//
// Why: libtorrent 2.0 checks an https tracker against the system's CAs and the host name
// only. A tracker with its own certificate (the default: self-signed, pinned or trusted on
// first use) would fail every announce, and a tracker that refuses plaintext would too.
// Through the relay the passkey never crosses a network in clear, and one rule decides
// which tracker certificate is the tracker's.
//
// Lives on the client's executor; one relay per TLS tracker of the list.

#include <cstdint>
#include <memory>
#include <string>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/client/tracker_target.hpp"
#include "swarmhub/net/asio.hpp"

#include <boost/asio/ssl.hpp>

namespace swarmhub::client {

class announce_relay {
 public:
  // Listens at once on 127.0.0.1, on a port the system chooses. Throws when it cannot.
  announce_relay(asio::any_io_executor executor, tracker_target target, tls_settings tls);
  ~announce_relay();
  announce_relay(const announce_relay&) = delete;
  announce_relay& operator=(const announce_relay&) = delete;

  // "http://127.0.0.1:<port>": what libtorrent is given in place of the tracker's address.
  std::string base_url() const;

 private:
  struct state;
  std::shared_ptr<state> state_;  // shared with the coroutines, which outlive a stop
};

}  // namespace swarmhub::client
