#pragma once
// How a v2 file's piece layer (BEP 52: the SHA-256 of each piece, 32 bytes each) travels
// between client and tracker: in chunks of at most layer_chunk_hashes hashes, each starting
// at a multiple of it, base64 on the wire, so that every line (add_layers, the data lines of
// piece_layers) stays under the tracker's 64 KiB line limit: 1024 hashes are 43,692 base64
// characters.

#include <cstddef>

namespace swarmhub::proto {

inline constexpr std::size_t layer_chunk_hashes = 1024;
inline constexpr std::size_t layer_hash_bytes = 32;

}  // namespace swarmhub::proto
