#include "swarmhub/net/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "swarmhub/util/hex.hpp"

namespace swarmhub::net {
namespace {

// A BIO on the descriptor, like OpenSSL's socket BIO but writing with MSG_NOSIGNAL: the
// tracker does not ignore SIGPIPE, and a write to a peer that left must be an error.
int descriptor(BIO* bio) {
  return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

bool retryable(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const auto n = ::send(descriptor(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && retryable(errno)) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const auto n = ::recv(descriptor(bio), data, static_cast<std::size_t>(size), 0);
  if (n < 0 && retryable(errno)) BIO_set_retry_read(bio);
  if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
  return static_cast<int>(n);
}

long bio_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is buffered here
    case BIO_CTRL_EOF:
      return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "swarmhub socket");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 ||
        BIO_meth_set_read(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
        BIO_meth_set_create(m, bio_create) != 1)
      throw std::runtime_error("OpenSSL: cannot make a socket BIO method");
    return m;
  }();
  return method;
}

// OpenSSL's error queue as an error_code, like asio's (asio::error::get_ssl_category).
error_code ssl_error(SSL* ssl, int result) {
  const int kind = SSL_get_error(ssl, result);
  if (kind == SSL_ERROR_ZERO_RETURN) return asio::error::eof;
  if (kind == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    const int err = errno;
    // An end of the stream without close_notify (OpenSSL 3 reports it as SSL_ERROR_SSL).
    if (err == 0) return asio::ssl::error::stream_truncated;
    return error_code(err, asio::error::get_system_category());
  }
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return asio::ssl::error::stream_truncated;
  if (code == 0) return asio::error::connection_reset;
  return error_code(static_cast<int>(code), asio::error::get_ssl_category());
}

// Where a connection is found from its SSL in the key log callback.
int socket_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Our own write key is renewed (KeyUpdate) after this many records: AES-GCM's limit is
// 2^24.5 full-size records per key (RFC 8446, 5.5).
constexpr std::uint64_t records_per_key = std::uint64_t{1} << 23;

// A thread's sealing buffer grows to its largest write; one larger than this is given back.
constexpr std::size_t max_kept_sealed = std::size_t{1} << 20;

constexpr std::uint8_t key_update_message = 24;
constexpr std::uint8_t alert_level_warning = 1;
constexpr std::uint8_t alert_level_fatal = 2;

}  // namespace

// The two application traffic secrets, as the key log gives them (hex) during the handshake.
struct tls_socket::secrets {
  std::array<std::uint8_t, 48> client{};
  std::array<std::uint8_t, 48> server{};
  std::size_t client_size = 0;
  std::size_t server_size = 0;
  ~secrets() {
    OPENSSL_cleanse(client.data(), client.size());
    OPENSSL_cleanse(server.data(), server.size());
  }
};

// A TLS 1.3 connection after its handshake, without OpenSSL's SSL. Idle, it holds the two
// directions' keys and empty strings.
struct tls_socket::own_state {
  own_state(tls13::suite s, std::span<const std::uint8_t> client,
            std::span<const std::uint8_t> server)
      : read(s, client), write(s, server) {}

  tls13::traffic read;
  tls13::traffic write;
  std::string partial;  // the first bytes of a record whose rest has not come
  std::string held;     // opened application data the caller's buffer had no room for
  std::size_t held_at = 0;
  std::string unsent;  // sealed records the socket has not taken yet
  std::size_t unsent_at = 0;
  bool writing = false;  // a write (or shutdown) is under way; its records are in `unsent`
  bool peer_closed = false;
  bool sent_close = false;
  bool owe_key_update = false;  // the peer asked; ours precedes our next application data
  error_code failure;           // set once an alert was sent or received: the connection is over
};

void tls_socket::prepare(SSL_CTX* context) {
  SSL_CTX_set_keylog_callback(context, &tls_socket::on_key_log);
}

void tls_socket::on_key_log(const SSL* ssl, const char* line) {
  auto* self = static_cast<tls_socket*>(SSL_get_ex_data(ssl, socket_index()));
  if (self == nullptr || self->own_) return;
  // "<label> <client random> <secret>", in hex.
  const std::string_view text(line);
  const auto first = text.find(' ');
  const auto second = text.find(' ', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return;
  const auto label = text.substr(0, first);
  const bool client = label == "CLIENT_TRAFFIC_SECRET_0";
  if (!client && label != "SERVER_TRAFFIC_SECRET_0") return;
  auto secret = util::from_hex(text.substr(second + 1));
  if (!secret || secret->size() > 48) return;
  if (!self->secrets_) self->secrets_ = std::make_unique<secrets>();
  auto& into = client ? self->secrets_->client : self->secrets_->server;
  std::memcpy(into.data(), secret->data(), secret->size());
  (client ? self->secrets_->client_size : self->secrets_->server_size) = secret->size();
  OPENSSL_cleanse(secret->data(), secret->size());
}

tls_socket::tls_socket(tcp::socket& socket, std::shared_ptr<asio::ssl::context> context)
    : socket_(socket), context_(std::move(context)), ssl_(SSL_new(context_->native_handle())) {
  if (ssl_ == nullptr) throw std::runtime_error("OpenSSL: SSL_new failed");
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) {
    SSL_free(ssl_);
    throw std::runtime_error("OpenSSL: BIO_new failed");
  }
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(socket_.native_handle())));
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways; the SSL owns it
  SSL_set_accept_state(ssl_);
  SSL_set_ex_data(ssl_, socket_index(), this);
  // Idle: no record buffers. Writes: a retry may come from another address with the same
  // bytes (a string that moved), and is never cut short.
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  error_code ec;
  socket_.non_blocking(true, ec);
}

tls_socket::~tls_socket() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

bool tls_socket::peer_sent_close_notify() const {
  if (own_) return own_->peer_closed;
  return (SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) != 0;
}

std::optional<tcp::socket::wait_type> tls_socket::readable_wait() {
  if (own_) {
    // Whole records are always opened as soon as they are in: only held plaintext or the end
    // can be read without waiting.
    if (own_->held_at < own_->held.size() || own_->failure || own_->peer_closed)
      return std::nullopt;
  } else if (SSL_pending(ssl_) > 0) {
    // Decrypted bytes only: SSL_has_pending is also true for part of a record, which needs
    // the socket (not waiting then would spin: a TLS 1.2 peer sending 1 to 4 bytes of a
    // record froze its I/O thread).
    return std::nullopt;
  }
  return std::exchange(read_wants_write_, false) ? tcp::socket::wait_write : tcp::socket::wait_read;
}

void tls_socket::take_over_records() {
  const auto captured = std::move(secrets_);
  if (!captured || captured->client_size == 0 || captured->server_size == 0) return;
  if (SSL_version(ssl_) != TLS1_3_VERSION) return;
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  const auto suite =
      cipher == nullptr ? std::nullopt : tls13::suite_of(SSL_CIPHER_get_protocol_id(cipher));
  // OpenSSL holding bytes past the handshake would make our sequence numbers wrong: it keeps
  // such a connection (it never happens without read-ahead).
  if (!suite || SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_) == 1) return;
  // What makes both sequence numbers 0 and our records valid for this peer, checked here
  // rather than trusted from the context's settings: no ticket sent, no read-ahead, no early
  // data, and 2^14-byte records (a client may have negotiated max_fragment_length).
  if (SSL_get_num_tickets(ssl_) != 0 || SSL_get_read_ahead(ssl_) != 0 ||
      SSL_get_early_data_status(ssl_) == SSL_EARLY_DATA_ACCEPTED ||
      SSL_SESSION_get_max_fragment_length(SSL_get_session(ssl_)) !=
          TLSEXT_max_fragment_length_DISABLED)
    return;
  try {
    own_ = std::make_unique<own_state>(*suite,
                                       std::span(captured->client.data(), captured->client_size),
                                       std::span(captured->server.data(), captured->server_size));
  } catch (const std::exception&) {
    return;  // a secret of the wrong size: OpenSSL keeps the connection
  }
  SSL_free(ssl_);
  ssl_ = nullptr;
  context_.reset();
}

tls_socket::outcome tls_socket::attempt(step what, void* data, std::size_t size) {
  if (own_) return attempt_own(what, data, size);
  ERR_clear_error();
  errno = 0;
  int result = 0;
  std::size_t done = 0;
  switch (what) {
    case step::handshake:
      result = SSL_do_handshake(ssl_);
      if (result == 1) take_over_records();
      break;
    case step::read:
      if (size == 0) return {};
      result = SSL_read_ex(ssl_, data, size, &done);
      break;
    case step::write:
      if (size == 0) return {};
      result = SSL_write_ex(ssl_, data, size, &done);
      break;
    case step::shutdown:
      result = SSL_shutdown(ssl_);
      if (result >= 0) return {};  // sent (0: the peer's has not come, nor is awaited)
      break;
  }
  if (result > 0) return {want::nothing, {}, done};
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return {want::read, {}, 0};
    case SSL_ERROR_WANT_WRITE:
      return {want::write, {}, 0};
    default:
      return {want::nothing, ssl_error(ssl_, result)};
  }
}

tls_socket::outcome tls_socket::attempt_own(step what, void* data, std::size_t size) {
  switch (what) {
    case step::handshake:
      return {};
    case step::read:
      if (size == 0) return {};
      return read_own(static_cast<std::uint8_t*>(data), size);
    case step::write:
      if (size == 0) return {};
      return write_own(static_cast<const std::uint8_t*>(data), size);
    case step::shutdown:
      return shut_down_own();
  }
  return {};
}

tls_socket::outcome tls_socket::flush_own() {
  auto& own = *own_;
  while (own.unsent_at < own.unsent.size()) {
    const auto n = ::send(socket_.native_handle(), own.unsent.data() + own.unsent_at,
                          own.unsent.size() - own.unsent_at, MSG_NOSIGNAL);
    if (n < 0) {
      if (retryable(errno)) return {want::write, {}, 0};
      return {want::nothing, error_code(errno, asio::error::get_system_category()), 0};
    }
    own.unsent_at += static_cast<std::size_t>(n);
  }
  own.unsent = std::string();  // idle connections hold no buffer
  own.unsent_at = 0;
  return {};
}

bool tls_socket::queue_own(tls13::content type, std::string_view body) {
  return tls13::seal(own_->write, type, body, own_->unsent);
}

tls_socket::outcome tls_socket::fail_unsealable() {
  auto& own = *own_;
  own.failure = tls13::make_error(tls13::alert::internal_error, true);
  own.sent_close = true;
  own.unsent = std::string();
  own.unsent_at = 0;
  own.writing = false;
  return {want::nothing, own.failure, 0};
}

tls_socket::outcome tls_socket::fail_own(tls13::alert a) {
  auto& own = *own_;
  if (!own.failure && !own.sent_close) {
    const char alert[] = {static_cast<char>(alert_level_fatal), static_cast<char>(a)};
    own.sent_close = true;
    // Best effort: the connection ends whether or not the alert is sealed and taken.
    if (queue_own(tls13::content::alert, {alert, 2})) (void)flush_own();
  }
  if (!own.failure) own.failure = tls13::make_error(a, true);
  own.partial = std::string();
  own.held = std::string();
  own.held_at = 0;
  return {want::nothing, own.failure, 0};
}

std::optional<tls13::alert> tls_socket::on_handshake_message(
    std::span<const std::uint8_t> messages) {
  // Handshake { type, uint24 length, body }. After the handshake a client may send only
  // KeyUpdate, whose key change ends the record: it must be the record's last message (5.1).
  if (messages.size() < 4) return tls13::alert::decode_error;
  const std::size_t length =
      (std::size_t{messages[1]} << 16) | (std::size_t{messages[2]} << 8) | messages[3];
  if (messages[0] != key_update_message) return tls13::alert::unexpected_message;
  if (length != 1 || messages.size() < 5) return tls13::alert::decode_error;
  if (messages.size() > 5) return tls13::alert::unexpected_message;
  const std::uint8_t request = messages[4];
  if (request > 1) return tls13::alert::illegal_parameter;
  auto& own = *own_;
  own.read.update();
  // update_requested: ours goes before our next application data (write_own), one for any
  // number of requests (4.6.3), so a peer asking again and again queues nothing here.
  if (request == 1) own.owe_key_update = true;
  return std::nullopt;
}

tls_socket::outcome tls_socket::read_own(std::uint8_t* data, std::size_t size) {
  auto& own = *own_;
  if (own.held_at < own.held.size()) {
    const std::size_t n = std::min(size, own.held.size() - own.held_at);
    std::memcpy(data, own.held.data() + own.held_at, n);
    own.held_at += n;
    if (own.held_at == own.held.size()) {
      own.held = std::string();
      own.held_at = 0;
    }
    return {want::nothing, {}, n};
  }
  if (own.failure) return {want::nothing, own.failure, 0};
  if (own.peer_closed) return {want::nothing, asio::error::eof, 0};
  // What the reader owes the peer (a KeyUpdate's answer) goes first when no write is sending.
  if (!own.writing && own.unsent_at < own.unsent.size()) {
    const auto sent = flush_own();
    if (sent.wait != want::nothing || sent.ec) return sent;
  }

  // A record's start kept from last time, then what the socket has: two whole records' room.
  static thread_local std::array<std::uint8_t, 2 * tls13::max_record> input;
  std::size_t have = own.partial.size();
  std::memcpy(input.data(), own.partial.data(), have);
  const auto n = ::recv(socket_.native_handle(), input.data() + have, input.size() - have, 0);
  if (n < 0) {
    if (retryable(errno)) return {want::read, {}, 0};
    return {want::nothing, error_code(errno, asio::error::get_system_category()), 0};
  }
  if (n == 0) return {want::nothing, asio::ssl::error::stream_truncated, 0};
  have += static_cast<std::size_t>(n);
  // Records are opened in place: their plaintext is wiped from the thread's buffer however
  // this read ends.
  struct wipe {
    std::uint8_t* data;
    const std::size_t& size;
    ~wipe() { OPENSSL_cleanse(data, size); }
  } wipe_input{input.data(), have};

  std::size_t given = 0;
  std::size_t at = 0;
  while (!own.peer_closed) {
    const auto whole = tls13::size_of_record({input.data() + at, have - at});
    if (whole.failure) return fail_own(*whole.failure);
    if (whole.bytes == 0 || whole.bytes > have - at) break;
    const auto record = tls13::open(own.read, {input.data() + at, whole.bytes});
    at += whole.bytes;
    if (record.failure) return fail_own(*record.failure);
    if (record.type == tls13::content::handshake) {
      if (const auto wrong = on_handshake_message(record.data)) return fail_own(*wrong);
    } else if (record.type == tls13::content::alert) {
      if (record.data.size() != 2) return fail_own(tls13::alert::decode_error);
      // user_canceled is a warning that close_notify follows (6.1): nothing to do yet.
      if (record.data[1] == static_cast<std::uint8_t>(tls13::alert::user_canceled)) continue;
      if (record.data[1] != static_cast<std::uint8_t>(tls13::alert::close_notify)) {
        own.failure = tls13::make_error(static_cast<tls13::alert>(record.data[1]), false);
        break;
      }
      own.peer_closed = true;  // anything after close_notify is ignored
    } else {
      const std::size_t n_given = std::min(size - given, record.data.size());
      std::memcpy(data + given, record.data.data(), n_given);
      given += n_given;
      own.held.append(reinterpret_cast<const char*>(record.data.data()) + n_given,
                      record.data.size() - n_given);
    }
  }
  // A record's start waits for its rest; nothing is kept otherwise (assigning nothing would
  // keep the string's old room, for as long as the connection then idles).
  if (own.peer_closed || own.failure || at == have) {
    own.partial = std::string();
  } else {
    own.partial.assign(reinterpret_cast<const char*>(input.data()) + at, have - at);
  }

  if (given > 0) return {want::nothing, {}, given};
  if (own.failure) return {want::nothing, own.failure, 0};
  if (own.peer_closed) return {want::nothing, asio::error::eof, 0};
  if (!own.writing && own.unsent_at < own.unsent.size()) {
    const auto sent = flush_own();
    if (sent.wait != want::nothing || sent.ec) return sent;
  }
  return {want::read, {}, 0};
}

tls_socket::outcome tls_socket::write_own(const std::uint8_t* data, std::size_t size) {
  auto& own = *own_;
  if (own.writing) {  // again, once the socket is writable: the rest of what was sealed
    const auto sent = flush_own();
    if (sent.wait != want::nothing) return sent;
    own.writing = false;
    if (sent.ec) return sent;
    return {want::nothing, {}, size};
  }
  if (own.failure) return {want::nothing, own.failure, 0};
  if (own.sent_close) return {want::nothing, asio::error::broken_pipe, 0};
  // Sealed into a buffer of the thread's and sent from there: a connection keeps a copy only
  // of what the socket does not take at once. (One buffer per write, made and freed, left the
  // heap fragmented: 40 KiB per idle connection after 5,000 logins.)
  static thread_local std::string sealed;
  sealed.clear();
  bool sealed_all = true;
  if (own.owe_key_update || own.write.sequence() >= records_per_key) {
    const char update[] = {static_cast<char>(key_update_message), 0, 0, 1, 0};
    sealed_all = tls13::seal(own.write, tls13::content::handshake, {update, sizeof update}, sealed);
    own.write.update();
    own.owe_key_update = false;
  }
  sealed_all = sealed_all && tls13::seal(own.write, tls13::content::application_data,
                                         {reinterpret_cast<const char*>(data), size}, sealed);
  if (!sealed_all) return fail_unsealable();
  outcome sent;
  if (own.unsent_at < own.unsent.size()) {  // behind what waits (a KeyUpdate's answer)
    own.unsent += sealed;
    sent = flush_own();
  } else {
    sent = send_now(sealed);
  }
  if (sealed.capacity() > max_kept_sealed) sealed = std::string();
  if (sent.wait != want::nothing) {
    own.writing = true;
    return sent;
  }
  if (sent.ec) return sent;
  return {want::nothing, {}, size};
}

tls_socket::outcome tls_socket::send_now(std::string_view sealed) {
  auto& own = *own_;
  std::size_t at = 0;
  while (at < sealed.size()) {
    const auto n =
        ::send(socket_.native_handle(), sealed.data() + at, sealed.size() - at, MSG_NOSIGNAL);
    if (n < 0) {
      if (!retryable(errno))
        return {want::nothing, error_code(errno, asio::error::get_system_category()), 0};
      own.unsent.assign(sealed.substr(at));
      own.unsent_at = 0;
      return {want::write, {}, 0};
    }
    at += static_cast<std::size_t>(n);
  }
  return {};
}

tls_socket::outcome tls_socket::shut_down_own() {
  auto& own = *own_;
  if (!own.writing) {
    if (own.sent_close || own.failure) return {};
    const char alert[] = {static_cast<char>(alert_level_warning),
                          static_cast<char>(tls13::alert::close_notify)};
    own.sent_close = true;
    if (!queue_own(tls13::content::alert, {alert, 2})) return fail_unsealable();
    own.writing = true;
  }
  const auto sent = flush_own();
  if (sent.wait != want::nothing) return sent;
  own.writing = false;
  return sent;
}

std::size_t tls_socket::read_some(asio::mutable_buffer buffer, error_code& ec) {
  ec = {};
  const auto got = attempt(step::read, buffer.data(), buffer.size());
  if (got.wait == want::nothing) {
    ec = got.ec;
    return got.bytes;
  }
  read_wants_write_ = got.wait == want::write;
  ec = asio::error::would_block;
  return 0;
}

void tls_socket::shutdown_now() {
  if (own_) {
    (void)shut_down_own();
  } else {
    SSL_shutdown(ssl_);
  }
}

void teardown(boost::beast::role_type, tls_socket& stream, error_code& ec) {
  ec = {};
  stream.shutdown_now();
  stream.next_layer().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace swarmhub::net
