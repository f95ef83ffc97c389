#pragma once
// BEP 52's Merkle trees, and how a v2 file's piece layer (the SHA-256 of each piece, 32 bytes
// each) travels between client and tracker: in chunks of at most layer_chunk_hashes hashes,
// each starting at a multiple of it, base64 on the wire, so that every line (add_layers, the
// data lines of piece_layers) stays under the tracker's 64 KiB line limit: 1024 hashes are
// 43,692 base64 characters.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace swarmhub::proto {

inline constexpr std::size_t layer_chunk_hashes = 1024;
inline constexpr std::size_t layer_hash_bytes = 32;
// A v2 file's tree has the SHA-256 of each 16 KiB block of the file as its leaves.
inline constexpr std::int64_t merkle_block_bytes = 16 * 1024;

// The root of the tree over `leaves` (layer_hash_bytes each, one after the other, at least
// one), widened to a power of two with `pad` leaves: zero hashes past a file's last block, or
// the root of a piece of zero blocks past a piece layer's last piece. A single leaf is its own
// root.
std::string merkle_root(std::string_view leaves, std::string_view pad);

// The root of a tree of `leaves` zero hashes (a power of two): a piece layer's pad, for
// pieces of that many blocks.
std::string zero_tree_root(std::int64_t leaves);

}  // namespace swarmhub::proto
