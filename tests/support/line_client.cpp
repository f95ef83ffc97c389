#include "line_client.hpp"

#include "deadline.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <stdexcept>

#include "swarmhub/net/tls_certificate.hpp"

namespace swarmhub::test {
namespace {

using clock = std::chrono::steady_clock;

// Waits until `fd` is ready for `events`; false at the deadline.
bool wait_for(int fd, short events, clock::time_point deadline) {
  pollfd p{fd, events, 0};
  return poll(&p, 1, remaining_ms(deadline)) > 0;
}

}  // namespace

// OpenSSL over the client's descriptor, made non-blocking so that every wait has its deadline.
// The certificate is not checked by OpenSSL: the test compares its fingerprint with the pin.
struct line_client::tls_state {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  ~tls_state() {
    if (ssl) SSL_free(ssl);
    if (context) SSL_CTX_free(context);
  }
  // What one SSL call's result asks for: wait for `fd` (true), or stop (false).
  bool wait(int fd, int result, clock::time_point deadline) {
    switch (SSL_get_error(ssl, result)) {
      case SSL_ERROR_WANT_READ:
        return wait_for(fd, POLLIN, deadline);
      case SSL_ERROR_WANT_WRITE:
        return wait_for(fd, POLLOUT, deadline);
      default:
        return false;
    }
  }
};

line_client line_client::tls(const std::string& host, std::uint16_t port,
                             const std::string& fingerprint, bool skip_hello) {
  line_client c(host, port, skip_hello);
  c.tls_ = std::make_unique<tls_state>();
  auto& t = *c.tls_;
  t.context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(t.context, TLS1_2_VERSION);
  SSL_CTX_set_options(t.context, SSL_OP_IGNORE_UNEXPECTED_EOF);
  t.ssl = SSL_new(t.context);
  ::fcntl(c.fd_, F_SETFL, ::fcntl(c.fd_, F_GETFL) | O_NONBLOCK);
  SSL_set_fd(t.ssl, c.fd_);
  const auto deadline = clock::now() + 10s;
  for (;;) {
    const int result = SSL_connect(t.ssl);
    if (result == 1) break;
    if (!t.wait(c.fd_, result, deadline)) {
      char why[256] = "timeout or connection closed";
      if (const auto e = ERR_get_error()) ERR_error_string_n(e, why, sizeof why);
      throw std::runtime_error(std::string("TLS handshake failed: ") + why);
    }
  }
  net::x509_ptr cert(SSL_get1_peer_certificate(t.ssl));
  if (!cert) throw std::runtime_error("the tracker showed no certificate");
  c.peer_fingerprint_ = net::fingerprint_sha256(cert.get());
  if (c.peer_fingerprint_ != fingerprint)
    throw std::runtime_error("the tracker's certificate is " + c.peer_fingerprint_ +
                             ", not the pinned " + fingerprint);
  return c;
}

line_client::line_client(std::uint16_t port, bool skip_hello)
    : line_client("127.0.0.1", port, skip_hello) {}

line_client::line_client(const std::string& host, std::uint16_t port, bool skip_hello)
    : line_client(host, port, std::string(), skip_hello) {}

line_client::line_client(const std::string& host, std::uint16_t port, const std::string& from,
                         bool skip_hello)
    : skip_hello_(skip_hello) {
  sockaddr_storage addr{};
  socklen_t length = 0;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
      inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
             inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    throw std::runtime_error("not an IP address: " + host);
  }
  fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket");
  if (!from.empty()) {  // IPv4 only: another address of 127.0.0.0/8
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, from.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot bind to " + from);
    }
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

line_client::~line_client() {
  close();
}

line_client::line_client(line_client&& other) noexcept
    : fd_(other.fd_),
      tls_(std::move(other.tls_)),
      peer_fingerprint_(std::move(other.peer_fingerprint_)),
      pending_(std::move(other.pending_)),
      parser_(std::move(other.parser_)),
      events_(std::move(other.events_)),
      skip_hello_(other.skip_hello_),
      close_notify_seen_(other.close_notify_seen_) {
  other.fd_ = -1;
}

void line_client::close() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool line_client::send_all(const char* data, std::size_t size) {
  if (tls_) {
    const auto deadline = clock::now() + 10s;
    std::size_t done = 0;
    while (done < size) {
      std::size_t n = 0;
      const int result = SSL_write_ex(tls_->ssl, data + done, size - done, &n);
      if (result == 1) {
        done += n;
      } else if (!tls_->wait(fd_, result, deadline)) {
        return false;
      }
    }
    return true;
  }
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::send(fd_, data + done, size - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void line_client::send_raw(const std::string& bytes) {
  if (!send_all(bytes.data(), bytes.size())) throw std::runtime_error("send failed");
}

std::size_t line_client::try_send(const std::string& bytes) {
  if (tls_) {
    std::size_t n = 0;
    return SSL_write_ex(tls_->ssl, bytes.data(), bytes.size(), &n) == 1 ? n : 0;
  }
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

long line_client::fill(clock::time_point deadline) {
  char buffer[16384];
  if (tls_) {
    for (;;) {
      std::size_t n = 0;
      const int result = SSL_read_ex(tls_->ssl, buffer, sizeof buffer, &n);
      if (result == 1) {
        pending_.append(buffer, n);
        return static_cast<long>(n);
      }
      const int error = SSL_get_error(tls_->ssl, result);
      if (error == SSL_ERROR_ZERO_RETURN) close_notify_seen_ = true;
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return 0;
      if (!tls_->wait(fd_, result, deadline)) return -1;
    }
  }
  if (!wait_for(fd_, POLLIN, deadline)) return -1;
  const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
  if (n > 0) pending_.append(buffer, static_cast<std::size_t>(n));
  if (n < 0 && errno != ECONNRESET) return -1;
  return n > 0 ? static_cast<long>(n) : 0;
}

std::optional<std::string> line_client::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (const auto lf = pending_.find('\n'); lf != std::string::npos) {
      std::string line = pending_.substr(0, lf);
      pending_.erase(0, lf + 1);
      return line;
    }
    if (fill(deadline) <= 0) return std::nullopt;
  }
}

std::string line_client::read_bytes(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (pending_.size() < n) {
    if (fill(deadline) <= 0) break;
  }
  std::string out = pending_.substr(0, n);
  pending_.erase(0, out.size());
  return out;
}

proto::reply line_client::read_reply(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    auto line = read_line(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!line) {
      ADD_FAILURE() << "no reply from the tracker";
      return proto::reply{false, "NO_REPLY", "timeout or connection closed", {}};
    }
    auto parsed = parser_.feed(*line);
    if (auto* r = std::get_if<proto::reply>(&parsed)) return std::move(*r);
    if (auto* e = std::get_if<proto::event>(&parsed)) events_.push_back(std::move(*e));
    if (auto* v = std::get_if<proto::protocol_violation>(&parsed)) {
      ADD_FAILURE() << "protocol violation: " << v->line;
    }
  }
}

proto::reply line_client::request(const std::string& line, std::chrono::milliseconds timeout) {
  send_line(line);
  return read_reply(timeout);
}

std::optional<proto::event> line_client::read_event(std::chrono::milliseconds timeout) {
  while (!events_.empty()) {
    auto e = std::move(events_.front());
    events_.erase(events_.begin());
    if (skip_hello_ && e.name == "HELLO") {
      skip_hello_ = false;
      continue;
    }
    return e;
  }
  const auto deadline = clock::now() + timeout;
  for (;;) {
    auto line = read_line(std::chrono::milliseconds(remaining_ms(deadline)));
    if (!line) return std::nullopt;
    auto parsed = parser_.feed(*line);
    if (auto* e = std::get_if<proto::event>(&parsed)) {
      if (skip_hello_ && e->name == "HELLO") {
        skip_hello_ = false;
        continue;
      }
      return std::move(*e);
    }
    if (std::holds_alternative<proto::reply>(parsed)) {
      ADD_FAILURE() << "a reply came where an event was expected: " << *line;
    }
  }
}

proto::event line_client::next_event(const std::string& name, std::chrono::milliseconds timeout) {
  for (;;) {
    auto e = read_event(timeout);
    if (!e) {
      ADD_FAILURE() << "no " << name << " event";
      return {};
    }
    if (e->name != name && (e->name == "JOINED" || e->name == "LEFT")) continue;
    EXPECT_EQ(e->name, name) << e->text;
    return *e;
  }
}

bool line_client::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    pending_.clear();
    const long n = fill(deadline);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

}  // namespace swarmhub::test
