#pragma once
// The piece layers of v2 metadata checked against its info dictionary. Each file larger than
// one piece has one (BEP 52: the SHA-256 of each piece, 32 bytes each), whose Merkle root
// (beyond the last piece, the hash of a piece of zero leaves) must be the file's `pieces
// root`. A folder's layers travel and are kept as one: the layers of its files of more than
// one piece, one after the other in the file tree's order (libtorrent's file order, pad files
// aside). Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::tracker {

struct layer_shape {
  struct file_layer {
    std::int64_t pieces = 0;  // hashes in this file's layer
    std::string root;         // the 32-byte `pieces root` of the file
  };
  std::int64_t pieces = 0;  // hashes in all the layers
  std::int64_t piece_length = 0;
  std::vector<file_layer> files;  // in the file tree's order
};

// The shape of the piece layers of the v2 (or hybrid) `info`, a file or a folder; nothing
// when it has none (v1 metadata, no file of more than one piece) or `info` is not such a
// dictionary.
std::optional<layer_shape> piece_layer_shape(std::string_view info);

// Whether `layers` (pieces * 32 bytes) holds each file's layer with its Merkle root.
bool piece_layer_matches(const layer_shape& shape, std::string_view layers);

}  // namespace swarmhub::tracker
