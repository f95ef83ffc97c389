#pragma once
// The client's data plane: a libtorrent session that seeds and downloads the files of the
// user's groups, every piece verified (BitTorrent v2, SHA-256; v1 torrents of open groups,
// SHA-1). Only src/p2p includes libtorrent; the rest of the client sees this interface.
//
// Threading: construct, call and destroy on the executor given at construction; events are
// delivered there too (libtorrent's own threads only post to it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::p2p {

// What the tracker keeps about a file, or a folder shared as one (a multi-file torrent).
struct metadata {
  std::string name;
  std::int64_t size = 0;   // a folder's: of all its files
  std::string info_hash;   // hex SHA-256 of `info`, whatever its format: the file's identity
  std::string info;        // bencoded BitTorrent info dictionary (v1, v2 or hybrid v1+v2)
  std::string torrent;     // the whole .torrent (with piece layers) when made here; else empty
  std::int64_t files = 0;  // a folder's files; 0 for a single file (describe_file fills it)
};

// v2 torrents verify every piece with SHA-256 and a Merkle tree; hybrid ones also carry v1
// SHA-1 piece hashes, so that clients which only speak v1 can join the swarm too. v1 ones
// carry only those: every BitTorrent client reads them (Debian's aria2c 1.36 re-encodes a
// hybrid info dictionary without its v2 part, transmission 3.00 cannot parse one), so they
// are what files of open groups are made as (docs/protocol.md, open groups).
enum class torrent_format { v1, v2, hybrid };

// Hashes the file at `path` into metadata; a folder becomes one torrent of every file below
// it. Blocking and slow for big files: run it off the I/O thread. Throws std::runtime_error
// when the file cannot be read, or the folder holds a symbolic link, something that is no
// file or folder, a name that is not a plain one (proto/info_files.hpp), or no byte at all.
// An empty file has no pieces, so its metadata is always v2.
// A non-empty `root_cert` (PEM) makes a sealed torrent (docs/protocol.md): its info dictionary
// carries the group's CA certificate as `ssl-cert`, and its peers accept only peers with a
// certificate signed by it, over TLS.
metadata describe_file(const std::string& path, torrent_format format = torrent_format::v2,
                       const std::string& root_cert = {});

// The info-hashes other BitTorrent clients know a torrent by (magnet links): hex SHA-1 of
// the info dictionary when it has a v1 part, hex SHA-256 when it has a v2 part; "" for a
// part it lacks. Throws std::runtime_error when `info` is not an info dictionary.
struct info_hashes {
  std::string v1;
  std::string v2;
};
info_hashes hashes_of(const std::string& info);

// The piece layers (BEP 52: the SHA-256 of each piece, 32 bytes each) of a whole .torrent
// made here (metadata::torrent), as they travel to and from the tracker: the layer of each
// file of more than one piece, one after the other in the torrent's file order (a folder's
// files; pad files have none); "" when there is none (v1, no file of more than one piece, or
// only an info dictionary).
std::string piece_layer_of(const metadata& meta);

// `meta` with `layers` (as piece_layer_of gives them) as its files' piece layers: a whole
// .torrent in `torrent`, so that a download knows every piece hash from the start and never
// asks peers for them (libtorrent 2.0.8 miscounts passed pieces when their answers come in
// while blocks are being written: issue 16; and a hybrid torrent's pieces passed by their v1
// hash before the v2 hashes came fail as "v1 and v2 hashes do not describe the same data").
// The hashes are not checked here: libtorrent checks each layer against its file's pieces
// root when the torrent is added, and download() then falls back to the info dictionary
// alone (libtorrent 2.0.8: merkle_tree::load_piece_layer, from torrent's constructor). Throws
// std::runtime_error when `meta.info` is not v2 metadata or `layers` does not fit its files.
metadata with_piece_layer(metadata meta, const std::string& layers);

struct transfer {
  enum class state { downloading, seeding, failed };
  std::string group;
  std::string name;
  std::string path;  // where the file is, or will be
  state what = state::downloading;
  bool was_download = false;  // seeding after a download: [C]
  double progress = 0;        // 0..1
  std::int64_t rate = 0;      // bytes per second, down while downloading, up while seeding
  int peers = 0;
  std::int64_t eta_seconds = -1;
  std::int64_t sent = 0;  // payload bytes uploaded to others
  std::int64_t size = 0;  // of the file
  int rejected = 0;       // pieces that failed their hash check (bad data from a peer or disk)
  int refetched = 0;      // pieces missing on disk when libtorrent said finished (fetched again)
  // Every piece's hash was known when the download was added (v1, one piece, or a v2 piece
  // layer given with it); otherwise libtorrent asks peers for them.
  bool hashes_known = true;
  std::string error;
};

// The limits hold for every peer, on the LAN and loopback too (libtorrent exempts local
// peers by default; this engine does not).
struct engine_options {
  // Where peers connect (libtorrent listen_interfaces); each address gets a TLS listener for
  // sealed torrents too, on a port of its own.
  std::string listen = "127.0.0.1:0";
  int download_limit = 0;  // bytes per second for all downloads; 0: none
  int upload_limit = 0;    // bytes per second for all uploads; 0: none
  // A download that gains no verified byte for this long fails, with the reason.
  std::chrono::seconds stall_timeout{60};
};

// What a recheck of a file found on disk.
struct verify_result {
  bool whole = false;
  int pieces = 0;  // of the torrent
  int have = 0;    // verified on disk
  std::string error;
};

class engine {
 public:
  // `on_finished(group, name, error)` runs when a download completes ("" error) or fails.
  // Complete means rechecked: every piece read back from the disk matched its hash.
  using finished_handler =
      std::function<void(const std::string&, const std::string&, const std::string&)>;

  engine(asio::any_io_executor executor, engine_options options, finished_handler on_finished);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // The announce URLs of `group`'s swarms (one per tracker, with this user's passkey).
  using announce_urls_for = std::function<std::vector<std::string>(const std::string& group)>;
  // A torrent announces to the URLs of every group it is shared in, each one of them, not
  // only the first that answers: a swarm is one group's (docs/protocol.md).
  void set_announce_urls(announce_urls_for urls);

  // Sealed torrents accept and reach peers only with this client's certificate for their
  // group, and start (announce, connect) only once they have it. `wanted(group)` runs when a
  // sealed torrent of `group` has none (yet); the answer, and each renewal, comes with
  // set_certificate, which applies it to every sealed torrent of the group (to connections
  // made from then on). A download that waits for it longer than the stall timeout fails.
  using certificate_wanted = std::function<void(const std::string& group)>;
  void set_certificate_wanted(certificate_wanted wanted);
  void set_certificate(const std::string& group, const std::string& cert_pem,
                       const std::string& key_pem);

  // Seeds the file (or folder) at `path`, described by `meta`, in `group`. Throws on bad
  // metadata. `held`: the torrent neither announces nor meets peers before release(): an
  // upload seeds before the tracker has registered the file, and an announce refused then
  // ("unknown torrent") would make libtorrent wait a minute or more before the next one.
  void seed(const std::string& group, const metadata& meta, const std::string& path,
            bool held = false);
  // Starts the torrent of `meta` that seed() held (a sealed one, once it has its
  // certificate too); nothing for any other.
  void release(const metadata& meta);

  // Downloads `meta` to the file `path` for `group` (a folder: to the folder `path`, its tree
  // below it). Throws on bad metadata, a path component that is not a plain name among them
  // (proto/info_files.hpp): nothing is ever written outside `path`.
  // A piece layer in `meta.torrent` that libtorrent refuses (not the file's) is dropped: the
  // download then gets the hashes from peers, each checked against the pieces root.
  void download(const std::string& group, const metadata& meta, const std::string& path);

  // Stops sharing `name` in `group`; false when it was not shared.
  bool stop(const std::string& group, const std::string& name);
  // Undoes seed(): stops only that content's share of `name` in `group`.
  void unseed(const std::string& group, const metadata& meta);
  // Stops everything of `group` (leave_group), or everything (logout: empty group).
  void stop_all(const std::string& group = {});

  // Where this client keeps the content of `info_hash` (any group, any name: a file, or a
  // folder's top), and whether it is complete there; nothing when it has none.
  struct local_content {
    std::string path;
    bool complete = false;
    std::string group, name;  // the share it belongs to, for verify()
  };
  std::optional<local_content> have(const std::string& info_hash) const;

  // Reads the file of `name` in `group` back and checks every piece; `done` gets the
  // result (and runs on the executor), nothing when this client does not share the file. A
  // file that turns out not whole is fetched again from the swarm.
  using verify_handler = std::function<void(const verify_result&)>;
  bool verify(const std::string& group, const std::string& name, verify_handler done);

  std::vector<transfer> transfers() const;
  bool busy() const;  // some download is still running

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace swarmhub::p2p
