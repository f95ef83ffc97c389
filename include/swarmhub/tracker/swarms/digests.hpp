#pragma once
// Hex digests the tracker computes: SHA-256 (v2 info-hashes, resume tokens as stored) and
// SHA-1 (a hybrid torrent's v1 info-hash).

#include <string>
#include <string_view>

namespace swarmhub::tracker {

std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);

}  // namespace swarmhub::tracker
