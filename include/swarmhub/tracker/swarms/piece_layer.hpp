#pragma once
// A v2 file's piece layer checked against its info dictionary: the Merkle root of the piece
// hashes (BEP 52; beyond the last piece, the hash of a piece of zero leaves) must be the
// file's `pieces root`. Only a file larger than one piece has a piece layer. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::tracker {

struct layer_shape {
  std::int64_t pieces = 0;  // hashes in the piece layer
  std::int64_t piece_length = 0;
  std::string root;  // the 32-byte `pieces root` of the file
};

// The shape of the piece layer of the single-file v2 (or hybrid) `info`; nothing when it
// has none (v1 metadata, a file of at most one piece) or `info` is not such a dictionary.
std::optional<layer_shape> piece_layer_shape(std::string_view info);

// Whether `layer` (pieces * 32 bytes) has the Merkle root `shape.root`.
bool piece_layer_matches(const layer_shape& shape, std::string_view layer);

}  // namespace swarmhub::tracker
