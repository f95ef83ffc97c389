#pragma once
// The client's member certificates for sealed groups (docs/protocol.md, sealed groups). The
// client makes one key pair when it starts; its private key never leaves the process. The
// tracker signs the public key per group (group_cert) for a short time; this keeps each
// certificate the engine needs renewed at half its lifetime, and stops when the tracker says
// the user is no member (left the group, or it is gone) or the user leaves or logs out; any
// other failure is tried again a few seconds later.
//
// Single-threaded: construct, call and destroy on the client's executor.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/p2p/engine.hpp"

namespace swarmhub::client {

class group_certs {
 public:
  struct grant {
    bool sealed = true;  // the group's mode now: new uploads are sealed torrents
    std::string ca_pem;  // the group's root, the ssl-cert of its sealed torrents
    std::string cert_pem;
    std::int64_t expires = 0;  // unix seconds
  };

  group_certs(asio::any_io_executor executor, tracker_link& link, p2p::engine& engine);
  ~group_certs();
  group_certs(const group_certs&) = delete;
  group_certs& operator=(const group_certs&) = delete;

  // Asks the tracker for a certificate for `group` and hands it to the engine, and renews it
  // from then on (an upload's: the engine has it before any torrent wants it); nothing when
  // the tracker refuses (not a member) or the connection is lost.
  awaitable<std::optional<grant>> fetch(const std::string& group);

  // The engine wants `group`'s certificate: fetched now and renewed from then on.
  void want(const std::string& group);
  // No more renewals for `group` (left), or for any group (logout: empty).
  void forget(const std::string& group = {});

 private:
  // What the tracker said: a certificate (handed to the engine), or none, `refused` when
  // the user is no member of `group`.
  struct answer {
    std::optional<grant> granted;
    bool refused = false;
  };
  awaitable<answer> ask(const std::string& group);

  // Starts `group`'s renewal loop unless it runs: fetching at once, or at half the life of
  // a certificate just fetched that expires at `expires` (unix seconds).
  void keep_from(const std::string& group, std::optional<std::int64_t> expires);
  // Its arguments are copies: the loop may wake after this object is gone (`alive` tells).
  awaitable<void> keep(std::weak_ptr<bool> alive, std::string group, std::uint64_t generation,
                       std::shared_ptr<asio::steady_timer> timer,
                       std::optional<std::int64_t> expires);

  asio::any_io_executor executor_;
  tracker_link& link_;
  p2p::engine& engine_;
  net::member_key key_;
  // A group's renewal loop: its generation (a later want() starts another) and its timer,
  // cancelled by forget() and the destructor so that no wait outlives the loop's purpose.
  struct renewal {
    std::uint64_t generation = 0;
    std::shared_ptr<asio::steady_timer> timer;
  };
  std::map<std::string, renewal> kept_;  // by group
  std::uint64_t generation_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace swarmhub::client
