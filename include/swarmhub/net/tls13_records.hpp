#pragma once
// TLS 1.3's record protection (RFC 8446, section 5), for the tracker's connections once their
// handshake is done. OpenSSL makes the handshake; its two application traffic secrets then
// come here and the connection's `SSL` object (about 14 KiB per connection in OpenSSL 3.0,
// kernel TLS being unavailable) is freed. What a connection keeps from then on is two
// `traffic` values, about 110 bytes each.
//
// Only the protection of records is here: the AEAD (through OpenSSL's EVP), the nonce from
// the sequence number, the inner content type and padding, the size limits and the key
// update's derivation. What records mean (alerts, KeyUpdate, when to send what) is
// net::tls_socket's.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

namespace swarmhub::net::tls13 {

// The three suites TLS 1.3 servers use (the tracker offers these three).
enum class suite : std::uint8_t {
  aes_128_gcm_sha256,
  aes_256_gcm_sha384,
  chacha20_poly1305_sha256
};

// The suite of a TLS 1.3 cipher suite number (0x1301…0x1303), or none.
std::optional<suite> suite_of(std::uint16_t protocol_id);

// TLSInnerPlaintext's content types.
enum class content : std::uint8_t { alert = 21, handshake = 22, application_data = 23 };

// Alert descriptions this layer sends or reports.
enum class alert : std::uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  illegal_parameter = 47,
  decode_error = 50,
  internal_error = 80,
  user_canceled = 90,
};

constexpr std::size_t header_size = 5;
constexpr std::size_t max_plaintext = 16384;  // 2^14, per record
constexpr std::size_t tag_size = 16;
// The largest record body a peer may send: 2^14 + 256 (RFC 8446, 5.2).
constexpr std::size_t max_body = max_plaintext + 256;
constexpr std::size_t max_record = header_size + max_body;

// A record opened in place: its inner content type and plaintext (inside the record's
// bytes), or the alert that must end the connection (bad_record_mac when it does not
// authenticate, unexpected_message when it has no content type, record_overflow when its
// plaintext is over 2^14).
struct opened {
  content type = content::application_data;
  std::span<std::uint8_t> data;
  std::optional<alert> failure;
};

class traffic;
bool seal(traffic& t, content type, std::string_view data, std::string& out);
opened open(traffic& t, std::span<std::uint8_t> record);

// One direction's protection: the traffic secret (kept for key updates), the key and IV
// derived from it, and the next record's sequence number.
class traffic {
 public:
  traffic(suite s, std::span<const std::uint8_t> secret);
  ~traffic();
  traffic(const traffic&) = delete;
  traffic& operator=(const traffic&) = delete;

  // The next generation of keys (KeyUpdate): secret = HKDF-Expand-Label(secret, "traffic upd",
  // "", Hash.length), the sequence number back to 0.
  void update();

  std::uint64_t sequence() const { return sequence_; }
  suite cipher() const { return suite_; }

 private:
  friend bool seal(traffic&, content, std::string_view, std::string&);
  friend opened open(traffic&, std::span<std::uint8_t>);
  void derive();
  std::array<std::uint8_t, 12> nonce() const;

  suite suite_;
  std::uint8_t secret_size_;
  std::array<std::uint8_t, 48> secret_{};
  std::array<std::uint8_t, 32> key_{};
  std::array<std::uint8_t, 12> iv_{};
  std::uint64_t sequence_ = 0;
};

// Appends `data` to `out` as protected records of type `type`, each at most 2^14 bytes of
// plaintext, with no padding. Nothing for empty data. False when OpenSSL failed: `out` then
// ends with the records sealed before the failure, each at its own sequence number.
bool seal(traffic& t, content type, std::string_view data, std::string& out);

// The whole size of the record that starts `input` (header included), once its header is in;
// 0 while fewer than 5 bytes are. An outer type other than application_data (a record in
// clear after the handshake) is unexpected_message; a body longer than 2^14 + 256 is
// record_overflow; one shorter than a tag and a content type is decode_error.
struct record_size {
  std::size_t bytes = 0;
  std::optional<alert> failure;
};
record_size size_of_record(std::span<const std::uint8_t> input);

// Opens the whole record `record` (as sized by size_of_record) in place with `t`, and moves
// `t` to the next sequence number when it authenticates.
opened open(traffic& t, std::span<std::uint8_t> record);

// The error an alert stands for: sent by us (`ours`) or received from the peer.
boost::system::error_code make_error(alert a, bool ours);

}  // namespace swarmhub::net::tls13
