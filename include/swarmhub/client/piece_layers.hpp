#pragma once
// A v2 torrent's piece layers between the client and the tracker (proto/piece_layers.hpp;
// a folder's are its files' layers one after the other, p2p::piece_layer_of): the
// uploader gives it after add_file, a downloader takes it before adding the torrent, so that
// libtorrent knows every piece's hash from the start and asks no peer for them (issue 16:
// libtorrent 2.0.8 finishes early when such answers come in while pieces are written).
// What the tracker sends is checked here for form; libtorrent checks the hashes against
// the file's pieces root (p2p::engine::download).

#include <optional>
#include <string>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/p2p/engine.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

// Sends `layer` in chunks (add_layers); "" when the tracker took it all, else why not.
awaitable<std::string> give_piece_layer(tracker_link& link, const std::string& group,
                                        const std::string& name, const std::string& layer);

// What one piece_layers reply (asked from piece `first`) holds: its chunks from `first` on,
// in order, each full but the layer's last, and the piece to ask from next when the layer
// goes on; nothing when the reply has no chunk or they do not hold together.
struct layer_part {
  std::string hashes;
  std::optional<std::size_t> more;
};
std::optional<layer_part> piece_layer_from(const proto::reply& reply, std::size_t first = 0);

// `meta` with the tracker's piece layer of `name` in `group` when it has one (a v2 file of
// more than one piece), else `meta` as it is.
awaitable<p2p::metadata> with_tracker_layer(tracker_link& link, const std::string& group,
                                            p2p::metadata meta);

}  // namespace swarmhub::client
