#pragma once
// Password hashing with Argon2id (libsodium crypto_pwhash_str). Slow on purpose: call these
// on the offload pool, never on an I/O thread.

#include <string>
#include <string_view>

namespace swarmhub::tracker {

enum class hash_cost {
  interactive,  // libsodium's interactive limits (64 MiB): the default
  moderate,     // 256 MiB, about a second
  minimal,      // the smallest libsodium allows: for tests only
};

// Parses "interactive", "moderate" or "minimal".
bool parse_hash_cost(std::string_view text, hash_cost& out);

// A self-describing "$argon2id$..." string with its own salt. Throws std::runtime_error when
// out of memory.
std::string hash_password(std::string_view password, hash_cost cost);

// True when `password` matches `stored`, whatever cost `stored` was made with.
bool verify_password(const std::string& stored, std::string_view password);

// Compares two secrets in time independent of where they differ.
bool same_secret(std::string_view a, std::string_view b);

}  // namespace swarmhub::tracker
