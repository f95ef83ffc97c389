#pragma once
// torrent_file and magnet: what a member of an open group gives the BitTorrent client of
// their choice (docs/protocol.md, "Using another BitTorrent client"). Both announce with the
// member's passkey; a sealed group's files are for swarmhub clients only, so both are refused
// there (GROUP_SEALED), as the tracker's GET /torrents/... is.

#include <string>
#include <variant>
#include <vector>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/client/tracker_target.hpp"
#include "swarmhub/p2p/engine.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

class torrent_links {
 public:
  // Both outlive this object.
  torrent_links(tracker_link& link, const std::vector<tracker_target>& trackers)
      : link_(link), trackers_(trackers) {}

  // The passkey of the user logged in (file_sharing asks the tracker for it at login).
  void set_passkey(std::string passkey) { passkey_ = std::move(passkey); }

  // Writes <name>.torrent into `destination` (a directory, "" for the current one) or to the
  // file `destination` names; never overwrites.
  awaitable<proto::reply> torrent_file(const std::string& group, const std::string& name,
                                       const std::string& destination);
  // The magnet link, as the reply's one data line.
  awaitable<proto::reply> magnet(const std::string& group, const std::string& name);

 private:
  // The file's metadata when the group is open and the user may have it; else the refusal.
  awaitable<std::variant<p2p::metadata, proto::reply>> open_file(const std::string& group,
                                                                 const std::string& name);
  std::vector<std::string> announce_urls(const std::string& group) const;

  tracker_link& link_;
  const std::vector<tracker_target>& trackers_;
  std::string passkey_;
};

}  // namespace swarmhub::client
