#include "swarmhub/tracker/accounts/passwords.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace swarmhub::tracker {
namespace {

void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

bool parse_hash_cost(std::string_view text, hash_cost& out) {
  if (text == "interactive") {
    out = hash_cost::interactive;
  } else if (text == "moderate") {
    out = hash_cost::moderate;
  } else if (text == "minimal") {
    out = hash_cost::minimal;
  } else {
    return false;
  }
  return true;
}

std::string hash_password(std::string_view password, hash_cost cost) {
  ensure_sodium();
  unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  std::size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (cost == hash_cost::moderate) {
    ops = crypto_pwhash_OPSLIMIT_MODERATE;
    mem = crypto_pwhash_MEMLIMIT_MODERATE;
  } else if (cost == hash_cost::minimal) {
    ops = crypto_pwhash_OPSLIMIT_MIN;
    mem = crypto_pwhash_MEMLIMIT_MIN;
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops, mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out.data());
}

bool verify_password(const std::string& stored, std::string_view password) {
  ensure_sodium();
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

bool same_secret(std::string_view a, std::string_view b) {
  ensure_sodium();
  std::array<unsigned char, crypto_generichash_BYTES> da{};
  std::array<unsigned char, crypto_generichash_BYTES> db{};
  crypto_generichash(da.data(), da.size(), reinterpret_cast<const unsigned char*>(a.data()),
                     a.size(), nullptr, 0);
  crypto_generichash(db.data(), db.size(), reinterpret_cast<const unsigned char*>(b.data()),
                     b.size(), nullptr, 0);
  return sodium_memcmp(da.data(), db.data(), da.size()) == 0;
}

}  // namespace swarmhub::tracker
