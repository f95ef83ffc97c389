// TLS 1.3 records of our own: the protection alone (tls13::traffic, seal, open), then
// net::tls_socket after a real handshake over loopback with OpenSSL as the client, for every
// suite, with key updates, tampered and misplaced records, and both ends' close_notify. A
// client that decrypts what we seal, and a server that decrypts what OpenSSL seals, is the
// check that our key schedule and nonces are TLS 1.3's.

#include <openssl/ssl.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "swarmhub/net/tls13_records.hpp"
#include "swarmhub/net/tls_certificate.hpp"
#include "swarmhub/net/tls_server_context.hpp"
#include "swarmhub/net/tls_socket.hpp"

namespace swarmhub::net {
namespace {

using namespace std::chrono_literals;
using namespace tls13;

std::vector<std::uint8_t> secret_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> s(size);
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<std::uint8_t>(seed + i * 7);
  return s;
}

std::span<std::uint8_t> bytes_of(std::string& s) {
  return {reinterpret_cast<std::uint8_t*>(s.data()), s.size()};
}

std::string text_of(std::span<const std::uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

// The records of `sealed`, opened one by one with `t`; the first failure ends the list.
std::vector<opened> open_all(traffic& t, std::string& sealed) {
  std::vector<opened> out;
  auto rest = bytes_of(sealed);
  while (!rest.empty()) {
    const auto size = size_of_record(rest);
    if (size.failure || size.bytes == 0 || size.bytes > rest.size()) break;
    out.push_back(open(t, rest.first(size.bytes)));
    if (out.back().failure) break;
    rest = rest.subspan(size.bytes);
  }
  return out;
}

TEST(Tls13Records, WhatOneSideSealsTheOtherOpensInEverySuite) {
  for (const auto s :
       {suite::aes_128_gcm_sha256, suite::aes_256_gcm_sha384, suite::chacha20_poly1305_sha256}) {
    const auto secret = secret_of(s == suite::aes_256_gcm_sha384 ? 48 : 32, 3);
    traffic sender(s, secret);
    traffic receiver(s, secret);
    std::string sealed;
    const std::string big(40000, 'x');
    seal(sender, content::application_data, "hello\n", sealed);
    seal(sender, content::application_data, big, sealed);
    EXPECT_EQ(sender.sequence(), 4u);  // one record, then 16384 + 16384 + 7232
    const auto records = open_all(receiver, sealed);
    ASSERT_EQ(records.size(), 4u);
    std::string got;
    for (const auto& r : records) {
      ASSERT_FALSE(r.failure);
      EXPECT_EQ(r.type, content::application_data);
      got += text_of(r.data);
    }
    EXPECT_EQ(got, "hello\n" + big);
  }
}

TEST(Tls13Records, ARecordOpensOnlyAtItsOwnSequenceNumberAndUnaltered) {
  const auto secret = secret_of(32, 9);
  traffic sender(suite::aes_128_gcm_sha256, secret);
  std::string first;
  std::string second;
  seal(sender, content::application_data, "one", first);
  seal(sender, content::application_data, "two", second);

  traffic out_of_order(suite::aes_128_gcm_sha256, secret);
  auto skipped = second;
  EXPECT_EQ(open(out_of_order, bytes_of(skipped)).failure, alert::bad_record_mac);
  EXPECT_EQ(out_of_order.sequence(), 0u) << "a failed record must not move the sequence";

  for (const std::size_t flipped : {std::size_t{2}, std::size_t{5}, first.size() - 1}) {
    traffic receiver(suite::aes_128_gcm_sha256, secret);
    auto altered = first;
    altered[flipped] = static_cast<char>(altered[flipped] ^ 1);  // header, body, tag
    EXPECT_EQ(open(receiver, bytes_of(altered)).failure, alert::bad_record_mac) << flipped;
  }
  traffic other_key(suite::aes_128_gcm_sha256, secret_of(32, 10));
  auto copy = first;
  EXPECT_EQ(open(other_key, bytes_of(copy)).failure, alert::bad_record_mac);
}

TEST(Tls13Records, AKeyUpdateMovesBothSidesToTheSameNewKeys) {
  const auto secret = secret_of(32, 1);
  traffic sender(suite::chacha20_poly1305_sha256, secret);
  traffic receiver(suite::chacha20_poly1305_sha256, secret);
  std::string sealed;
  seal(sender, content::application_data, "before", sealed);
  sender.update();
  EXPECT_EQ(sender.sequence(), 0u);
  std::string after;
  seal(sender, content::application_data, "after", after);

  ASSERT_FALSE(open(receiver, bytes_of(sealed)).failure);
  auto stale = after;
  EXPECT_EQ(open(receiver, bytes_of(stale)).failure, alert::bad_record_mac);
  receiver.update();
  const auto opened_after = open(receiver, bytes_of(after));
  ASSERT_FALSE(opened_after.failure);
  EXPECT_EQ(text_of(opened_after.data), "after");
}

TEST(Tls13Records, HeadersAreCheckedBeforeAnyDecryption) {
  const std::uint8_t clear_handshake[] = {22, 3, 3, 0, 40};
  EXPECT_EQ(size_of_record(clear_handshake).failure, alert::unexpected_message);
  const std::uint8_t change_cipher_spec[] = {20, 3, 3, 0, 1, 1};
  EXPECT_EQ(size_of_record(change_cipher_spec).failure, alert::unexpected_message);
  const std::uint8_t too_long[] = {23, 3, 3, 0x41, 0x01};  // 2^14 + 257
  EXPECT_EQ(size_of_record(too_long).failure, alert::record_overflow);
  const std::uint8_t longest[] = {23, 3, 3, 0x41, 0x00};  // 2^14 + 256
  EXPECT_EQ(size_of_record(longest).bytes, header_size + max_body);
  const std::uint8_t too_short[] = {23, 3, 3, 0, 16};  // a tag and no content type
  EXPECT_EQ(size_of_record(too_short).failure, alert::decode_error);
  const std::uint8_t partial[] = {23, 3, 3};
  EXPECT_EQ(size_of_record(partial).bytes, 0u);
  EXPECT_FALSE(size_of_record(partial).failure);
}

// A protected record whose inner plaintext is `inner` exactly: seal() appends the type byte,
// so the last byte of `inner` is given as the type.
std::string sealed_inner(traffic& t, const std::string& inner) {
  std::string out;
  seal(t, static_cast<content>(inner.back()), inner.substr(0, inner.size() - 1), out);
  return out;
}

TEST(Tls13Records, PaddingIsRemovedAndAnInnerTypeIsRequired) {
  const auto secret = secret_of(32, 5);
  {
    // A peer's padded record: "hi", its type, then zeros.
    traffic sender(suite::aes_128_gcm_sha256, secret);
    traffic receiver(suite::aes_128_gcm_sha256, secret);
    auto padded = sealed_inner(sender, std::string("hi\x17\x00\x00", 5));
    const auto o = open(receiver, bytes_of(padded));
    ASSERT_FALSE(o.failure);
    EXPECT_EQ(o.type, content::application_data);
    EXPECT_EQ(text_of(o.data), "hi");
  }
  {
    traffic sender(suite::aes_128_gcm_sha256, secret);
    traffic receiver(suite::aes_128_gcm_sha256, secret);
    auto zeros = sealed_inner(sender, std::string(3, '\0'));
    EXPECT_EQ(open(receiver, bytes_of(zeros)).failure, alert::unexpected_message);
  }
  {
    traffic sender(suite::aes_128_gcm_sha256, secret);
    traffic receiver(suite::aes_128_gcm_sha256, secret);
    auto unknown = sealed_inner(sender, "x\x05");
    EXPECT_EQ(open(receiver, bytes_of(unknown)).failure, alert::unexpected_message);
  }
}

TEST(Tls13Records, SecretsOfTheWrongSizeAreRefused) {
  EXPECT_THROW(traffic(suite::aes_256_gcm_sha384, secret_of(32, 0)), std::invalid_argument);
  EXPECT_THROW(traffic(suite::aes_128_gcm_sha256, secret_of(48, 0)), std::invalid_argument);
  EXPECT_EQ(suite_of(0x1301), suite::aes_128_gcm_sha256);
  EXPECT_EQ(suite_of(0x1303), suite::chacha20_poly1305_sha256);
  EXPECT_FALSE(suite_of(0xC02B));
}

// tls_socket after a real handshake: an OpenSSL client (asio's stream) on the other end.
class OwnRecords : public ::testing::Test {
 protected:
  OwnRecords()
      : files_(ensure_self_signed(dir_.path())), server_(files_.cert_path, files_.key_path) {}

  // Connects and runs both handshakes; `suites` (TLS 1.3 names) or `tls12` limit the client.
  void connect(const std::string& suites = "", bool tls12 = false) {
    client_context_.set_verify_mode(ssl::verify_none);
    SSL_CTX* native = client_context_.native_handle();
    if (!suites.empty()) {
      ASSERT_EQ(SSL_CTX_set_ciphersuites(native, suites.c_str()), 1);
    }
    if (tls12) {
      ASSERT_EQ(SSL_CTX_set_max_proto_version(native, TLS1_2_VERSION), 1);
    }
    tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    server_socket_ = std::make_unique<tcp::socket>(acceptor.accept());
    server_tls_ = std::make_unique<tls_socket>(*server_socket_, server_.current());
    client_ = std::make_unique<ssl::stream<tcp::socket>>(std::move(client_socket), client_context_);
    SSL_set_msg_callback(client_->native_handle(), &OwnRecords::on_message);
    SSL_set_msg_callback_arg(client_->native_handle(), this);
    std::optional<error_code> server_result;
    std::optional<error_code> client_result;
    server_tls_->async_handshake([&](error_code ec, std::size_t) { server_result = ec; });
    client_->async_handshake(ssl::stream_base::client, [&](error_code ec) { client_result = ec; });
    run();
    ASSERT_TRUE(server_result && client_result);
    ASSERT_FALSE(*server_result) << server_result->message();
    ASSERT_FALSE(*client_result) << client_result->message();
  }

  void run() {
    io_.restart();
    io_.run_for(10s);
  }

  // The client sends `text`; the server reads until it has `text.size()` bytes or an error,
  // `chunk` bytes at a time.
  std::string server_reads(std::size_t size, std::size_t chunk = 16384,
                           error_code* error = nullptr) {
    std::string got;
    std::vector<char> buffer(chunk);
    std::function<void()> next = [&] {
      server_tls_->async_read_some(asio::buffer(buffer), [&](error_code ec, std::size_t n) {
        got.append(buffer.data(), n);
        if (ec) {
          if (error) *error = ec;
          return;
        }
        if (got.size() < size) next();
      });
    };
    next();
    run();
    return got;
  }

  std::string client_reads(std::size_t size, error_code* error = nullptr) {
    std::string got;
    asio::async_read(*client_, asio::dynamic_buffer(got), asio::transfer_exactly(size),
                     [&](error_code ec, std::size_t) {
                       if (error) *error = ec;
                     });
    run();
    return got;
  }

  void client_writes(const std::string& text) {
    asio::async_write(*client_, asio::buffer(text),
                      [](error_code ec, std::size_t) { EXPECT_FALSE(ec) << ec.message(); });
    run();
  }

  void server_writes(const std::string& text) {
    asio::async_write(*server_tls_, asio::buffer(text),
                      [](error_code ec, std::size_t) { EXPECT_FALSE(ec) << ec.message(); });
    run();
  }

  // Bytes straight onto the wire under the client's TLS, as a hostile peer would send them.
  void client_sends_raw(const std::string& bytes) {
    asio::write(client_->next_layer(), asio::buffer(bytes));
  }

  static void on_message(int write_p, int, int content_type, const void* buf, size_t len, SSL*,
                         void* arg) {
    auto* self = static_cast<OwnRecords*>(arg);
    const auto* b = static_cast<const unsigned char*>(buf);
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && b[0] == 24)
      ++self->key_updates_received_;
    if (!write_p && content_type == SSL3_RT_ALERT && len == 2) self->alert_received_ = b[1];
  }

  test::temp_dir dir_;
  self_signed_files files_;
  tls_server_context server_;
  asio::io_context io_;
  ssl::context client_context_{ssl::context::tls_client};
  std::unique_ptr<tcp::socket> server_socket_;
  std::unique_ptr<tls_socket> server_tls_;
  std::unique_ptr<ssl::stream<tcp::socket>> client_;
  int key_updates_received_ = 0;
  int alert_received_ = -1;
};

TEST_F(OwnRecords, EverySuiteLeavesOpenSslAfterTheHandshakeAndCarriesDataBothWays) {
  for (const std::string suites :
       {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
    SCOPED_TRACE(suites);
    connect(suites);
    EXPECT_TRUE(server_tls_->own_records());
    std::string up(100000, 'u');
    for (std::size_t i = 0; i < up.size(); i += 97) up[i] = static_cast<char>('a' + i % 26);
    client_writes(up);
    EXPECT_EQ(server_reads(up.size()), up);
    std::string down(250000, 'd');
    for (std::size_t i = 0; i < down.size(); i += 89) down[i] = static_cast<char>('a' + i % 26);
    server_writes(down);
    EXPECT_EQ(client_reads(down.size()), down);
  }
}

// More than the socket takes at once: the write waits for it mid-way, keeps only the sealed
// rest, and a KeyUpdate asked for meanwhile goes behind it.
TEST_F(OwnRecords, AWriteLargerThanTheSocketTakesArrivesWholeAcrossAKeyUpdate) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  // A small send buffer: the server's socket is full long before 8 MiB are in (the one
  // thread runs the client's reads only while the server waits).
  server_socket_->set_option(asio::socket_base::send_buffer_size(8192));
  std::string big(8 << 20, 'b');
  for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
  std::string tail = "and the tail\n";
  std::optional<error_code> first;
  std::optional<error_code> second;
  std::string got;
  asio::async_write(*server_tls_, asio::buffer(big), [&](error_code ec, std::size_t) {
    first = ec;
    asio::async_write(*server_tls_, asio::buffer(tail),
                      [&](error_code e, std::size_t) { second = e; });
  });
  ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  asio::async_write(*client_, asio::buffer(std::string("x")), [](error_code, std::size_t) {});
  std::vector<char> one(1);
  server_tls_->async_read_some(
      asio::buffer(one), [](error_code ec, std::size_t) { EXPECT_FALSE(ec) << ec.message(); });
  asio::async_read(*client_, asio::dynamic_buffer(got),
                   asio::transfer_exactly(big.size() + tail.size()),
                   [](error_code ec, std::size_t) { EXPECT_FALSE(ec) << ec.message(); });
  run();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(*first);
  EXPECT_FALSE(*second);
  EXPECT_EQ(got.size(), big.size() + tail.size());
  EXPECT_TRUE(got == big + tail) << "the bytes differ";
  EXPECT_EQ(key_updates_received_, 1);
}

TEST_F(OwnRecords, ATinyReadBufferGetsEveryByteInOrder) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "\n";
  client_writes(text);
  EXPECT_EQ(server_reads(text.size(), 7), text);
}

TEST_F(OwnRecords, Tls12StaysWithOpenSsl) {
  connect("", true);
  EXPECT_FALSE(server_tls_->own_records());
  client_writes("ping\n");
  EXPECT_EQ(server_reads(5), "ping\n");
  server_writes("pong\n");
  EXPECT_EQ(client_reads(5), "pong\n");
}

// Part of a record is in OpenSSL's buffer: the reader must wait for the socket, not spin
// (SSL_has_pending is true for a partial record; it froze the I/O thread).
TEST_F(OwnRecords, PartOfATls12RecordMakesTheReaderWaitForTheSocket) {
  connect("", true);
  ASSERT_FALSE(server_tls_->own_records());
  client_sends_raw(std::string{23, 3, 3});
  server_socket_->wait(tcp::socket::wait_read);  // the three bytes are in
  std::vector<char> buffer(16);
  error_code ec;
  EXPECT_EQ(server_tls_->read_some(asio::buffer(buffer), ec), 0u);
  ASSERT_EQ(ec, asio::error::would_block);
  EXPECT_EQ(SSL_has_pending(server_tls_->native_handle()), 1) << "OpenSSL holds the bytes";
  const auto wait = server_tls_->readable_wait();
  ASSERT_TRUE(wait) << "the reader would spin";
  EXPECT_EQ(*wait, tcp::socket::wait_read);
}

TEST_F(OwnRecords, AKeyUpdateIsFollowedAndAnsweredWhenAsked) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  // Asked: the server's next record must come under its next key, after a KeyUpdate of its
  // own; the client decrypts it only if both happened.
  ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
  client_writes("after one\n");
  EXPECT_EQ(server_reads(10), "after one\n");
  server_writes("answer one\n");
  EXPECT_EQ(client_reads(11), "answer one\n");
  EXPECT_EQ(key_updates_received_, 1);
  // Not asked: the server follows and sends none.
  ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_NOT_REQUESTED), 1);
  client_writes("after two\n");
  EXPECT_EQ(server_reads(10), "after two\n");
  server_writes("answer two\n");
  EXPECT_EQ(client_reads(11), "answer two\n");
  EXPECT_EQ(key_updates_received_, 1);
}

// Asked again and again, the server answers once, before its next record (RFC 8446, 4.6.3):
// requests queue nothing, however many come while it has nothing to send.
TEST_F(OwnRecords, ManyKeyUpdateRequestsGetOneAnswer) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
    client_writes("x");
  }
  EXPECT_EQ(server_reads(5), "xxxxx");
  server_writes("answer\n");
  EXPECT_EQ(client_reads(7), "answer\n");
  EXPECT_EQ(key_updates_received_, 1);
}

TEST_F(OwnRecords, AForgedRecordEndsTheConnectionWithBadRecordMac) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  std::string forged = {23, 3, 3, 0, 40};
  forged += std::string(40, 'z');
  client_sends_raw(forged);
  error_code ec;
  EXPECT_EQ(server_reads(1, 16384, &ec), "");
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category());
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())),
            SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC)
      << ec.message();
  // The client is told why, in an alert under the server's key.
  error_code client_ec;
  client_reads(1, &client_ec);
  EXPECT_TRUE(client_ec);
  EXPECT_EQ(alert_received_, static_cast<int>(alert::bad_record_mac));
  // And the server stays failed: a later read gives the same error, a write is refused.
  error_code again;
  EXPECT_EQ(server_reads(1, 16384, &again), "");
  EXPECT_EQ(again, ec);
}

TEST_F(OwnRecords, ARecordInClearAfterTheHandshakeIsUnexpected) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  client_sends_raw(std::string{22, 3, 3, 0, 4, 1, 0, 0, 0});
  error_code ec;
  server_reads(1, 16384, &ec);
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), SSL_R_UNEXPECTED_MESSAGE)
      << ec.message();
}

TEST_F(OwnRecords, AnOverlongRecordIsRefusedFromItsHeader) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  client_sends_raw(std::string{23, 3, 3, 0x7F, 0x7F});  // no body needed to refuse it
  error_code ec;
  server_reads(1, 16384, &ec);
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), SSL_R_DATA_LENGTH_TOO_LONG)
      << ec.message();
}

TEST_F(OwnRecords, CloseNotifyEndsEachDirectionInOrder) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  client_writes("last\n");
  // The client's shutdown sends its close_notify and waits for the server's, which the
  // server sends once it has read to the end.
  std::optional<error_code> client_shut;
  std::optional<error_code> server_shut;
  std::string got;
  std::vector<char> buffer(100);
  error_code read_end;
  std::function<void()> next = [&] {
    server_tls_->async_read_some(asio::buffer(buffer), [&](error_code ec, std::size_t n) {
      got.append(buffer.data(), n);
      if (!ec) return next();
      read_end = ec;
      server_tls_->async_shutdown([&](error_code e, std::size_t) { server_shut = e; });
    });
  };
  client_->async_shutdown([&](error_code ec) { client_shut = ec; });
  next();
  run();
  EXPECT_EQ(got, "last\n");
  EXPECT_EQ(read_end, asio::error::eof);
  EXPECT_TRUE(server_tls_->peer_sent_close_notify());
  ASSERT_TRUE(server_shut);
  EXPECT_FALSE(*server_shut);
  ASSERT_TRUE(client_shut);
  EXPECT_FALSE(*client_shut) << client_shut->message();
}

TEST_F(OwnRecords, APeerThatVanishesWithoutCloseNotifyIsTruncated) {
  connect();
  ASSERT_TRUE(server_tls_->own_records());
  client_->next_layer().close();
  error_code ec;
  server_reads(1, 16384, &ec);
  EXPECT_EQ(ec, asio::ssl::error::stream_truncated);
  EXPECT_FALSE(server_tls_->peer_sent_close_notify());
}

}  // namespace
}  // namespace swarmhub::net
