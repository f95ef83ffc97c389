#pragma once
// The serving half of BEP 9 (ut_metadata) for the torrents of open groups, so that a
// member's own BitTorrent client given only a magnet link gets the info dictionary from the
// swarm. libtorrent loads its own ut_metadata only for public torrents, and every swarmhub
// torrent is private (docs/architecture.md, "The data plane").
//
// The peer learns nothing it could not take anyway: an open file's torrent is not an SSL
// torrent, so whoever reaches a seeder with its info-hash may ask for every piece. Sealed
// torrents never get this extension (engine.cpp decides), and this side never asks for
// metadata: a swarmhub client has it from its tracker.
//
// Private to src/p2p: only p2p includes libtorrent.

#include <libtorrent/add_torrent_params.hpp>

#include <functional>
#include <memory>
#include <string>

namespace swarmhub::p2p {

// An extension for add_torrent_params::extensions that hands `info` (the torrent's bencoded
// info dictionary, whose hash the peer already asked for by connecting) to every peer
// that asks, in 16 KiB blocks. Each block goes at most twice to one connection and any other
// request is rejected, so a peer cannot make a seeder queue more than twice the dictionary.
using torrent_extension = std::function<std::shared_ptr<lt::torrent_plugin>(
    lt::torrent_handle const&, lt::client_data_t)>;
torrent_extension metadata_server(std::string info);

}  // namespace swarmhub::p2p
