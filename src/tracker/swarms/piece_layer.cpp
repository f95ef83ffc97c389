#include "swarmhub/tracker/swarms/piece_layer.hpp"

#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/piece_layers.hpp"

namespace swarmhub::tracker {
namespace {

// libtorrent's own bounds (file_storage::max_file_size, the default settings_pack::max_pieces):
// no client loads a torrent past them, and below them no count here can overflow.
constexpr std::int64_t max_file_size = (std::int64_t{1} << 48) - 1;
constexpr std::int64_t max_pieces = 0x200000;

// Adds the files below `tree` (a BEP 52 file tree), in key order, to `shape`; false when it
// is malformed. A key "" holds a file; any other, a folder.
bool add_files(const proto::bencode::value& tree, int depth, layer_shape& shape) {
  const auto* entries = tree.as_dict();
  // The reader's own depth limit binds first; this one keeps the walk bounded regardless.
  if (entries == nullptr || entries->empty() || depth > 64) return false;
  for (const auto& [name, below] : *entries) {
    if (!name.empty()) {
      if (!add_files(below, depth + 1, shape)) return false;
      continue;
    }
    const auto* size = below.find("length");
    if (size == nullptr || !size->as_int() || *size->as_int() < 0 ||
        *size->as_int() > max_file_size) {
      return false;
    }
    const std::int64_t length = *size->as_int();
    if (length <= shape.piece_length) continue;  // no layer: its root is its hash
    const auto* pieces_root = below.find("pieces root");
    if (!pieces_root || !pieces_root->as_string() ||
        pieces_root->as_string()->size() != proto::layer_hash_bytes) {
      return false;
    }
    const auto pieces = length / shape.piece_length + (length % shape.piece_length != 0);
    shape.files.push_back({pieces, std::string(*pieces_root->as_string())});
    shape.pieces += pieces;
    if (shape.pieces > max_pieces) return false;
  }
  return true;
}

}  // namespace

std::optional<layer_shape> piece_layer_shape(std::string_view info) {
  const auto root = proto::bencode::parse(info);
  if (!root || !root->as_dict()) return std::nullopt;
  const auto* version = root->find("meta version");
  const auto* length = root->find("piece length");
  const auto* tree = root->find("file tree");
  if (!version || !length || !length->as_int() || !tree) return std::nullopt;
  layer_shape shape;
  shape.piece_length = *length->as_int();
  // BEP 52: a power of two of at least one block.
  if (shape.piece_length < proto::merkle_block_bytes ||
      (shape.piece_length & (shape.piece_length - 1)) != 0 || !add_files(*tree, 0, shape) ||
      shape.files.empty()) {
    return std::nullopt;
  }
  return shape;
}

bool piece_layer_matches(const layer_shape& shape, std::string_view layers) {
  if (layers.size() != static_cast<std::size_t>(shape.pieces) * proto::layer_hash_bytes)
    return false;
  // The hash of a piece past the end: a subtree of zero leaves as deep as a piece.
  const auto pad = proto::zero_tree_root(shape.piece_length / proto::merkle_block_bytes);
  std::size_t at = 0;
  for (const auto& file : shape.files) {
    const auto size = static_cast<std::size_t>(file.pieces) * proto::layer_hash_bytes;
    if (proto::merkle_root(layers.substr(at, size), pad) != file.root) return false;
    at += size;
  }
  return true;
}

}  // namespace swarmhub::tracker
