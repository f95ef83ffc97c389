#pragma once
// The client's file commands (seed 001, listed in client/commands.hpp): upload_file,
// download_file, show_downloads, stop_share, wait_downloads, verify, torrent_file, magnet.
// They run in the client, talking to the tracker for metadata and to the p2p engine for the
// bytes, and answer in the protocol's reply format.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmhub/client/announce_relay.hpp"
#include "swarmhub/client/commands.hpp"
#include "swarmhub/client/console.hpp"
#include "swarmhub/client/group_certs.hpp"
#include "swarmhub/client/share_book.hpp"
#include "swarmhub/client/torrent_links.hpp"
#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/client/tracker_target.hpp"
#include "swarmhub/net/offload_pool.hpp"
#include "swarmhub/p2p/engine.hpp"

namespace swarmhub::client {

class file_sharing {
 public:
  // `data_dir` keeps each user's list of shares, under a folder named after the first of
  // `trackers`; torrents announce to every one of them, so a failover loses no peers
  // (through the announce relay to a TLS tracker: announce_base()).
  file_sharing(asio::any_io_executor executor, tracker_link& link, console& user,
               std::vector<tracker_target> trackers, std::string data_dir,
               p2p::engine_options options);
  ~file_sharing();

  // The reply to `command` if it is a local command; nothing otherwise.
  awaitable<std::optional<proto::reply>> handle(const command_line& command);

  // After the tracker said `* LOGGED_IN user`: the announce key; after a login (not a resume,
  // which still shares all it did) the user's shares again.
  awaitable<void> logged_in(const std::string& user, bool resumed);

  // Follows what tracker commands did: logout and leave_group stop sharing, remove_file
  // stops sharing that file, new_passkey announces everything again with the new key.
  void after_reply(const command_line& command, const proto::reply& reply);
  // `* FILE_REMOVED <group> <file> <by>`: the file's swarm is gone; stops sharing it (the
  // file itself stays where it is).
  void file_removed(const std::string& event_text);
  // `* REMOVED_FROM <group> <owner>`: the owner took the user out of the group; stops sharing
  // its files as leave_group does.
  void removed_from(const std::string& event_text);

  bool busy() const { return engine_.busy(); }
  std::vector<p2p::transfer> transfers() const { return engine_.transfers(); }

 private:
  awaitable<proto::reply> upload(const std::string& path, const std::string& group, bool hybrid);
  awaitable<proto::reply> download(const std::string& group, const std::string& name,
                                   const std::string& destination);
  awaitable<proto::reply> copy_local(const std::string& group, const std::string& name,
                                     const p2p::engine::local_content& here,
                                     const std::string& target);
  proto::reply show_downloads() const;
  proto::reply stop_share(const std::string& group, const std::string& name);
  // The user is no member of `group` any more: its torrents stop and nothing of it is shared
  // again at the next login.
  void left_group(const std::string& group);
  awaitable<proto::reply> wait_downloads(std::chrono::seconds limit);
  awaitable<proto::reply> verify(const std::string& group, const std::string& name);
  // The engine's check of a share, read back from disk; nothing when it is not shared here.
  awaitable<std::optional<p2p::verify_result>> check_share(const std::string& group,
                                                           const std::string& name);
  // `key` (the tracker's reply to passkey or new_passkey) in every announce URL from now on.
  void use_passkey(const std::string& key);
  void finished(const std::string& group, const std::string& name, const std::string& error);
  // Stops sharing `name` in `group` and drops it from the list of shares.
  void forget_share(const std::string& group, const std::string& name);
  // After login: shares again what the user shared before, where it is still unchanged, and
  // resumes unfinished downloads.
  awaitable<void> restore();

  tracker_link& link_;
  console& user_;
  std::vector<tracker_target> trackers_;
  std::vector<std::unique_ptr<announce_relay>> relays_;  // one per TLS tracker
  std::vector<std::string> announce_bases_;              // per tracker (announce_base)
  std::string data_dir_;
  std::optional<share_book> book_;  // while logged in
  net::offload_pool hashing_{1};
  p2p::engine engine_;
  group_certs certs_;  // after engine_: it hands certificates to it
  asio::steady_timer downloads_changed_;
  std::vector<std::string> failures_;  // "group name: reason" since the last wait_downloads
  torrent_links links_;                // torrent_file, magnet
};

}  // namespace swarmhub::client
