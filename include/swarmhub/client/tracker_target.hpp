#pragma once
// Which trackers the client uses and how it checks each one, from its command line: one
// address (`tls://HOST:PORT`, `tcp://HOST:PORT`, or a bare `HOST:PORT`, which means TLS) or a
// tracker_info.txt (net/tracker_list.hpp), plus an optional `--pin`. The client's one rule
// for plaintext lives here: `tcp://` only to a loopback address, where nothing crosses a
// network.

#include <string>
#include <vector>

#include "swarmhub/net/tracker_endpoint.hpp"

namespace swarmhub::client {

struct tracker_target {
  net::tracker_endpoint endpoint;
  std::string pin;  // canonical "AB:CD:…", or "" (then CA, else known_trackers)

  bool uses_tls() const { return endpoint.scheme == net::tracker_scheme::tls; }
  // What people see: "tls://host:port" or "tcp://host:port".
  std::string to_string() const { return endpoint.to_string(); }
};

struct tracker_targets {
  std::vector<tracker_target> trackers;
  std::string error;  // for people; trackers is then empty
};

// `argument` is an address or the path of a tracker list; `pin` ("" or a fingerprint in any
// form net::parse_sha256_fingerprint takes) applies to every TLS tracker that has no pin of
// its own in the list. Refuses plaintext to a host that is not loopback, and a pin for a
// plaintext tracker.
tracker_targets resolve_trackers(const std::string& argument, const std::string& pin = {});

// Where libtorrent announces for `target`: "http://HOST:PORT" for a tcp:// tracker; a TLS
// tracker is reached through the client's announce relay (client/announce_relay.hpp), whose
// base URL is `relay`.
std::string announce_base(const tracker_target& target, const std::string& relay);

// The announce URL at `base` (announce_base) for `group` with this user's passkey.
std::string announce_url(const std::string& base, const std::string& group,
                         const std::string& passkey);

// The announce URL for another BitTorrent client (torrent_file, magnet), which has no relay:
// https:// to a TLS tracker that is not on loopback (that client checks it against the
// system's CAs), else http:// (on loopback the tracker takes plaintext, and its certificate
// is usually self-signed, which that client would refuse).
std::string public_announce_url(const tracker_target& target, const std::string& group,
                                const std::string& passkey);

}  // namespace swarmhub::client
