#include "swarmhub/tracker/swarms/piece_layer.hpp"

#include <sodium.h>

#include <vector>

#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/piece_layers.hpp"

namespace swarmhub::tracker {
namespace {

constexpr std::int64_t block_size = 16 * 1024;  // BEP 52's leaves

std::string parent(std::string_view left, std::string_view right) {
  std::string both;
  both.reserve(left.size() + right.size());
  both.append(left).append(right);
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(out.data()),
                     reinterpret_cast<const unsigned char*>(both.data()), both.size());
  return out;
}

}  // namespace

std::optional<layer_shape> piece_layer_shape(std::string_view info) {
  const auto root = proto::bencode::parse(info);
  if (!root || !root->as_dict()) return std::nullopt;
  const auto* version = root->find("meta version");
  const auto* length = root->find("piece length");
  const auto* tree = root->find("file tree");
  if (!version || !length || !length->as_int() || !tree || !tree->as_dict() ||
      tree->as_dict()->size() != 1) {
    return std::nullopt;
  }
  const auto* leaf = tree->as_dict()->begin()->second.find("");
  const auto* size = leaf ? leaf->find("length") : nullptr;
  const auto* pieces_root = leaf ? leaf->find("pieces root") : nullptr;
  const std::int64_t piece_length = *length->as_int();
  // BEP 52: a power of two of at least one block.
  if (!size || !size->as_int() || !pieces_root || !pieces_root->as_string() ||
      pieces_root->as_string()->size() != proto::layer_hash_bytes || piece_length < block_size ||
      (piece_length & (piece_length - 1)) != 0 || *size->as_int() <= piece_length) {
    return std::nullopt;
  }
  return layer_shape{(*size->as_int() + piece_length - 1) / piece_length, piece_length,
                     std::string(*pieces_root->as_string())};
}

bool piece_layer_matches(const layer_shape& shape, std::string_view layer) {
  if (layer.size() != static_cast<std::size_t>(shape.pieces) * proto::layer_hash_bytes)
    return false;
  // The hash of a piece past the end: a subtree of zero leaves as deep as a piece.
  std::string pad(proto::layer_hash_bytes, '\0');
  for (auto blocks = shape.piece_length / block_size; blocks > 1; blocks /= 2)
    pad = parent(pad, pad);
  std::vector<std::string> level;
  for (std::size_t at = 0; at < layer.size(); at += proto::layer_hash_bytes)
    level.emplace_back(layer.substr(at, proto::layer_hash_bytes));
  std::size_t width = 1;
  while (width < level.size()) width *= 2;
  level.resize(width, pad);
  while (level.size() > 1) {
    std::vector<std::string> up;
    up.reserve(level.size() / 2);
    for (std::size_t i = 0; i < level.size(); i += 2) up.push_back(parent(level[i], level[i + 1]));
    level = std::move(up);
  }
  return level.front() == shape.root;
}

}  // namespace swarmhub::tracker
