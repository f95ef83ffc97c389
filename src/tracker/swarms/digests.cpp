#include "swarmhub/tracker/swarms/digests.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>

#include "swarmhub/util/hex.hpp"

namespace swarmhub::tracker {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

// libsodium has no SHA-1; OpenSSL does.
std::string sha1_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA-1 is not available");
  }
  return util::to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace swarmhub::tracker
