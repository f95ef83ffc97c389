#include "swarmhub/proto/piece_layers.hpp"

#include <openssl/sha.h>

#include <stdexcept>

namespace swarmhub::proto {
namespace {

// SHA-256 of the two hashes at `pair` into the one at `out` (which may be the first of them).
void hash_pair(const char* pair, char* out) {
  SHA256(reinterpret_cast<const unsigned char*>(pair), 2 * layer_hash_bytes,
         reinterpret_cast<unsigned char*>(out));
}

}  // namespace

std::string merkle_root(std::string_view leaves, std::string_view pad) {
  if (leaves.empty() || leaves.size() % layer_hash_bytes != 0 || pad.size() != layer_hash_bytes)
    throw std::invalid_argument("merkle_root: leaves or pad of the wrong size");
  std::size_t width = 1;
  while (width * layer_hash_bytes < leaves.size()) width *= 2;
  // The whole bottom level once; each level above is written over the start of the one below.
  std::string level(leaves);
  level.reserve(width * layer_hash_bytes);
  while (level.size() < width * layer_hash_bytes) level.append(pad);
  for (; width > 1; width /= 2) {
    for (std::size_t i = 0; i < width / 2; ++i)
      hash_pair(level.data() + 2 * i * layer_hash_bytes, level.data() + i * layer_hash_bytes);
  }
  level.resize(layer_hash_bytes);
  return level;
}

std::string zero_tree_root(std::int64_t leaves) {
  std::string root(layer_hash_bytes, '\0');
  std::string pair;
  for (; leaves > 1; leaves /= 2) {
    pair = root + root;
    hash_pair(pair.data(), root.data());
  }
  return root;
}

}  // namespace swarmhub::proto
