// free_port: prints a TCP port on 127.0.0.1 that nothing listens on right now, for servers
// that cannot be told to pick their own (inspircd, redis-server, opentracker).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

int main() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    return 1;
  }
  ::close(fd);
  std::printf("%u\n", static_cast<unsigned>(ntohs(addr.sin_port)));
  return 0;
}
