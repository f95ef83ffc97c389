#include "line_client.hpp"

#include "deadline.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cerrno>
#include <stdexcept>

namespace swarmhub::test {
namespace {

using clock = std::chrono::steady_clock;

}  // namespace

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
      pending_(std::move(other.pending_)),
      parser_(std::move(other.parser_)),
      events_(std::move(other.events_)),
      skip_hello_(other.skip_hello_) {
  other.fd_ = -1;
}

void line_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void line_client::send_raw(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("send failed");
    done += static_cast<std::size_t>(n);
  }
}

std::size_t line_client::try_send(const std::string& bytes) {
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

std::optional<std::string> line_client::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (const auto lf = pending_.find('\n'); lf != std::string::npos) {
      std::string line = pending_.substr(0, lf);
      pending_.erase(0, lf + 1);
      return line;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) return std::nullopt;
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string line_client::read_bytes(std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  while (pending_.size() < n) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) break;
    char buffer[16384];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    pending_.append(buffer, static_cast<std::size_t>(got));
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
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
    char buffer[16384];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

}  // namespace swarmhub::test
