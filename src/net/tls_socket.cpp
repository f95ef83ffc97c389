#include "swarmhub/net/tls_socket.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <utility>

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

}  // namespace

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
  // Idle: no record buffers. Writes: a retry may come from another address with the same
  // bytes (a string that moved), and is never cut short.
  SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  error_code ec;
  socket_.non_blocking(true, ec);
}

tls_socket::~tls_socket() {
  SSL_free(ssl_);
}

std::optional<tcp::socket::wait_type> tls_socket::readable_wait() {
  if (SSL_pending(ssl_) > 0 || SSL_has_pending(ssl_) == 1) return std::nullopt;
  return std::exchange(read_wants_write_, false) ? tcp::socket::wait_write : tcp::socket::wait_read;
}

tls_socket::outcome tls_socket::attempt(step what, void* data, std::size_t size) {
  ERR_clear_error();
  errno = 0;
  int result = 0;
  std::size_t done = 0;
  switch (what) {
    case step::handshake:
      result = SSL_do_handshake(ssl_);
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

void teardown(boost::beast::role_type, tls_socket& stream, error_code& ec) {
  ec = {};
  SSL_shutdown(stream.native_handle());
  stream.next_layer().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace swarmhub::net
