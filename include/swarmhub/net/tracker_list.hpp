#pragma once
// tracker_info.txt: the trackers that serve one set of users, one per line, in order.
//
//   # comments and blank lines are ignored
//   127.0.0.1:9001          HOST:PORT ([IPV6]:PORT for IPv6)
//   127.0.0.1 9002          HOST PORT
//   3 127.0.0.1:9003        a leading tracker number (it must be the line's place in the list)
//   127.0.0.1:9004 sha256=AB:CD:…   any of these with the tracker's certificate pinned: its
//                           SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it
//   tls://host:9005         an address may say how clients connect: tls:// (the default for a
//   tcp://127.0.0.1:9006    bare address) or tcp:// (plaintext, which clients use only to loopback)
//
// Anything else is an error naming the line. The same list serves every tracker (each picks
// its own line by number) and every client (which moves down the list when one fails).

#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/net/host_port.hpp"
#include "swarmhub/net/tracker_endpoint.hpp"

namespace swarmhub::net {

struct tracker_list_result {
  std::vector<host_port> trackers;
  std::string error;  // "line 4: ..." when the text is not a valid list; trackers is then empty
  // pins[i] is trackers[i]'s pinned fingerprint in the canonical "AB:CD:…" form, or "".
  std::vector<std::string> pins;
  // schemes[i] is how clients connect to trackers[i]: tls unless the line said tcp://.
  std::vector<tracker_scheme> schemes;
};

tracker_list_result parse_tracker_list(std::string_view text);

// Reads and parses the file at `path`; errors name the file too ("tracker_info.txt: line 4:
// ..."), also when it cannot be read.
tracker_list_result read_tracker_list(const std::string& path);

}  // namespace swarmhub::net
