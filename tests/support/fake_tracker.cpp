#include "fake_tracker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace swarmhub::test {

fake_tracker::fake_tracker() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    throw std::runtime_error("fake tracker cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] {
    for (;;) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0 || stopping_) {
        if (fd >= 0) ::close(fd);
        return;
      }
      const std::lock_guard lock(mutex_);
      connections_.push_back(fd);
      servers_.emplace_back([this, fd] { serve(fd); });
    }
  });
}

fake_tracker::~fake_tracker() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  ::close(listener_);
  {
    const std::lock_guard lock(mutex_);
    for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : servers_) t.join();
  for (int fd : connections_) ::close(fd);
}

void fake_tracker::answer(const std::string& verb, const std::string& lines) {
  const std::lock_guard lock(mutex_);
  answers_[verb] = lines;
}

std::vector<std::string> fake_tracker::received() const {
  const std::lock_guard lock(mutex_);
  return received_;
}

void fake_tracker::serve(int fd) {
  const auto send_all = [fd](const std::string& s) {
    for (std::size_t sent = 0; sent < s.size();) {
      const auto n = ::send(fd, s.data() + sent, s.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  };
  send_all("* HELLO swarmhub 1\n");
  std::string pending;
  char buffer[4096];
  for (;;) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    pending.append(buffer, static_cast<std::size_t>(n));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string verb = line.substr(0, line.find(' '));
      std::string reply = "OK\n";
      {
        const std::lock_guard lock(mutex_);
        received_.push_back(line);
        if (const auto it = answers_.find(verb); it != answers_.end()) reply = it->second;
      }
      send_all(reply);
    }
  }
}

}  // namespace swarmhub::test
