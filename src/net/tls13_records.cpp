#include "swarmhub/net/tls13_records.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <boost/asio/ssl/error.hpp>

namespace swarmhub::net::tls13 {
namespace {

struct suite_traits {
  const char* cipher;  // OpenSSL's name
  const char* digest;  // HKDF's hash
  std::uint8_t key_size;
  std::uint8_t hash_size;
};

const suite_traits& traits(suite s) {
  static constexpr suite_traits table[] = {
      {"AES-128-GCM", "SHA256", 16, 32},
      {"AES-256-GCM", "SHA384", 32, 48},
      {"ChaCha20-Poly1305", "SHA256", 32, 32},
  };
  return table[static_cast<int>(s)];
}

// Fetched once for the process (fetching is a lookup with locks; using is not).
EVP_CIPHER* cipher_of(suite s) {
  static EVP_CIPHER* const ciphers[] = {
      EVP_CIPHER_fetch(nullptr, traits(suite::aes_128_gcm_sha256).cipher, nullptr),
      EVP_CIPHER_fetch(nullptr, traits(suite::aes_256_gcm_sha384).cipher, nullptr),
      EVP_CIPHER_fetch(nullptr, traits(suite::chacha20_poly1305_sha256).cipher, nullptr),
  };
  EVP_CIPHER* c = ciphers[static_cast<int>(s)];
  if (c == nullptr) throw std::runtime_error("OpenSSL has no " + std::string(traits(s).cipher));
  return c;
}

// HKDF-Expand-Label(secret, label, "", size) (RFC 8446, 7.1).
void expand_label(suite s, std::span<const std::uint8_t> secret, std::string_view label,
                  std::uint8_t* out, std::size_t size) {
  static EVP_KDF* const hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (hkdf == nullptr) throw std::runtime_error("OpenSSL has no HKDF");
  // HkdfLabel: uint16 length, opaque label<7..255> = "tls13 " + label, opaque context<0..255>.
  std::string info;
  info += static_cast<char>(size >> 8);
  info += static_cast<char>(size & 0xFF);
  info += static_cast<char>(6 + label.size());
  info += "tls13 ";
  info += label;
  info += '\0';
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(hkdf),
                                                                    EVP_KDF_CTX_free);
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(traits(s).digest),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        const_cast<std::uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
      OSSL_PARAM_construct_end(),
  };
  if (!context || EVP_KDF_derive(context.get(), out, size, params) != 1)
    throw std::runtime_error("OpenSSL: HKDF-Expand-Label failed");
}

// One cipher context per suite and direction per thread, re-keyed per record: connections
// hold keys, not contexts (an AES-GCM context is about 1 KiB). Consecutive records of one
// connection (a long write) keep the key schedule and set only the nonce.
class aead {
 public:
  aead(suite s, bool encrypt) : suite_(s), encrypt_(encrypt) {
    if (!context_ || EVP_CipherInit_ex2(context_.get(), cipher_of(s), nullptr, nullptr,
                                        encrypt ? 1 : 0, nullptr) != 1)
      throw std::runtime_error("OpenSSL: cannot make an AEAD context");
  }
  ~aead() { OPENSSL_cleanse(key_.data(), key_.size()); }
  aead(const aead&) = delete;
  aead& operator=(const aead&) = delete;

  static aead& of(suite s, bool encrypt) {
    thread_local std::unique_ptr<aead> contexts[3][2];
    auto& slot = contexts[static_cast<int>(s)][encrypt ? 1 : 0];
    if (!slot) slot = std::make_unique<aead>(s, encrypt);
    return *slot;
  }

  // Starts one record: the key (kept when it is the last one's), the nonce, the header as
  // additional data.
  bool begin(std::span<const std::uint8_t> key, std::span<const std::uint8_t, 12> nonce,
             const std::uint8_t* header) {
    const bool same = keyed_ && CRYPTO_memcmp(key_.data(), key.data(), key.size()) == 0;
    if (EVP_CipherInit_ex2(context_.get(), nullptr, same ? nullptr : key.data(), nonce.data(),
                           encrypt_ ? 1 : 0, nullptr) != 1) {
      keyed_ = false;
      return false;
    }
    if (!same) {
      std::copy(key.begin(), key.end(), key_.begin());
      keyed_ = true;
    }
    int ignored = 0;
    return EVP_CipherUpdate(context_.get(), nullptr, &ignored, header,
                            static_cast<int>(header_size)) == 1;
  }

  // Encrypts or decrypts `size` bytes in place.
  bool update(std::uint8_t* data, std::size_t size) {
    int out = 0;
    return EVP_CipherUpdate(context_.get(), data, &out, data, static_cast<int>(size)) == 1 &&
           static_cast<std::size_t>(out) == size;
  }

  bool finish_sealing(std::uint8_t* tag) {
    int out = 0;
    return EVP_CipherFinal_ex(context_.get(), tag, &out) == 1 &&
           EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size),
                               tag) == 1;
  }

  // False when the tag does not authenticate the record.
  bool finish_opening(const std::uint8_t* tag) {
    int out = 0;
    std::uint8_t nothing[16];
    return EVP_CIPHER_CTX_ctrl(context_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size),
                               const_cast<std::uint8_t*>(tag)) == 1 &&
           EVP_CipherFinal_ex(context_.get(), nothing, &out) == 1;
  }

 private:
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> context_{EVP_CIPHER_CTX_new(),
                                                                           EVP_CIPHER_CTX_free};
  suite suite_;
  bool encrypt_;
  bool keyed_ = false;
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace

std::optional<suite> suite_of(std::uint16_t protocol_id) {
  switch (protocol_id) {
    case 0x1301:
      return suite::aes_128_gcm_sha256;
    case 0x1302:
      return suite::aes_256_gcm_sha384;
    case 0x1303:
      return suite::chacha20_poly1305_sha256;
    default:
      return std::nullopt;
  }
}

traffic::traffic(suite s, std::span<const std::uint8_t> secret)
    : suite_(s), secret_size_(traits(s).hash_size) {
  if (secret.size() != secret_size_)
    throw std::invalid_argument("TLS 1.3 traffic secret of the wrong size");
  std::copy(secret.begin(), secret.end(), secret_.begin());
  derive();
}

traffic::~traffic() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
  OPENSSL_cleanse(key_.data(), key_.size());
  OPENSSL_cleanse(iv_.data(), iv_.size());
}

void traffic::derive() {
  const std::span<const std::uint8_t> secret(secret_.data(), secret_size_);
  expand_label(suite_, secret, "key", key_.data(), traits(suite_).key_size);
  expand_label(suite_, secret, "iv", iv_.data(), iv_.size());
  sequence_ = 0;
}

void traffic::update() {
  std::array<std::uint8_t, 48> next{};
  expand_label(suite_, {secret_.data(), secret_size_}, "traffic upd", next.data(), secret_size_);
  secret_ = next;
  OPENSSL_cleanse(next.data(), next.size());
  derive();
}

std::array<std::uint8_t, 12> traffic::nonce() const {
  // The IV XOR the sequence number, big-endian, left-padded to the IV's length (5.3).
  std::array<std::uint8_t, 12> n = iv_;
  for (int i = 0; i < 8; ++i) n[11 - i] ^= static_cast<std::uint8_t>(sequence_ >> (8 * i));
  return n;
}

bool seal(traffic& t, content type, std::string_view data, std::string& out) {
  const std::span<const std::uint8_t> key(t.key_.data(), traits(t.suite_).key_size);
  aead& cipher = aead::of(t.suite_, true);
  for (std::size_t at = 0; at < data.size();) {
    const std::size_t fragment = std::min(max_plaintext, data.size() - at);
    const std::size_t body = fragment + 1 + tag_size;
    const std::size_t start = out.size();
    out.resize(start + header_size + body);
    auto* record = reinterpret_cast<std::uint8_t*>(out.data() + start);
    record[0] = static_cast<std::uint8_t>(content::application_data);  // the outer type
    record[1] = 0x03;
    record[2] = 0x03;
    record[3] = static_cast<std::uint8_t>(body >> 8);
    record[4] = static_cast<std::uint8_t>(body & 0xFF);
    std::uint8_t* inner = record + header_size;
    std::memcpy(inner, data.data() + at, fragment);
    inner[fragment] = static_cast<std::uint8_t>(type);
    const auto nonce = t.nonce();
    if (!cipher.begin(key, nonce, record) || !cipher.update(inner, fragment + 1) ||
        !cipher.finish_sealing(inner + fragment + 1)) {
      OPENSSL_cleanse(record, header_size + body);
      out.resize(start);
      return false;
    }
    ++t.sequence_;
    at += fragment;
  }
  return true;
}

record_size size_of_record(std::span<const std::uint8_t> input) {
  if (input.size() < header_size) return {};
  if (input[0] != static_cast<std::uint8_t>(content::application_data))
    return {0, alert::unexpected_message};
  const std::size_t body = (std::size_t{input[3]} << 8) | input[4];
  if (body > max_body) return {0, alert::record_overflow};
  if (body < tag_size + 1) return {0, alert::decode_error};
  return {header_size + body, std::nullopt};
}

opened open(traffic& t, std::span<std::uint8_t> record) {
  const std::span<const std::uint8_t> key(t.key_.data(), traits(t.suite_).key_size);
  std::uint8_t* inner = record.data() + header_size;
  const std::size_t sealed = record.size() - header_size - tag_size;
  aead& cipher = aead::of(t.suite_, false);
  const auto nonce = t.nonce();
  if (!cipher.begin(key, nonce, record.data()) || !cipher.update(inner, sealed) ||
      !cipher.finish_opening(inner + sealed))
    return {content::application_data, {}, alert::bad_record_mac};
  ++t.sequence_;
  // TLSInnerPlaintext: the content, its type, then zeros (padding); 2^14 + 1 at most, padding
  // included (5.4).
  if (sealed > max_plaintext + 1) return {content::application_data, {}, alert::record_overflow};
  std::size_t end = sealed;
  while (end > 0 && inner[end - 1] == 0) --end;
  if (end == 0) return {content::application_data, {}, alert::unexpected_message};
  const std::size_t size = end - 1;
  if (size > max_plaintext) return {content::application_data, {}, alert::record_overflow};
  const auto type = static_cast<content>(inner[size]);
  if (type != content::alert && type != content::handshake && type != content::application_data)
    return {content::application_data, {}, alert::unexpected_message};
  return {type, {inner, size}, std::nullopt};
}

boost::system::error_code make_error(alert a, bool ours) {
  // As OpenSSL reports the same (its reason codes, in asio's category for OpenSSL errors), so
  // that the message reads alike whoever protected the records.
  int reason = SSL_AD_REASON_OFFSET + static_cast<int>(a);
  if (ours) {
    switch (a) {
      case alert::bad_record_mac:
        reason = SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC;
        break;
      case alert::unexpected_message:
        reason = SSL_R_UNEXPECTED_MESSAGE;
        break;
      case alert::record_overflow:
        reason = SSL_R_DATA_LENGTH_TOO_LONG;
        break;
      case alert::decode_error:
        reason = SSL_R_LENGTH_MISMATCH;
        break;
      case alert::illegal_parameter:
        reason = SSL_R_BAD_KEY_UPDATE;
        break;
      case alert::close_notify:
      case alert::internal_error:
      case alert::user_canceled:
        break;
    }
  }
  return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)),
          boost::asio::error::get_ssl_category()};
}

}  // namespace swarmhub::net::tls13
