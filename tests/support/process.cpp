#include "process.hpp"

#include "deadline.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>

namespace swarmhub::test {
namespace {

using clock = std::chrono::steady_clock;

}  // namespace

process::process(std::vector<std::string> argv, std::string stderr_path) {
  int in[2];
  int out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    if (!stderr_path.empty()) {
      const int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  ::signal(SIGPIPE, SIG_IGN);
}

process::~process() {
  if (!status_) {
    kill(pid_, SIGKILL);
    wait(10s);
  }
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

std::optional<std::string> process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    if (const auto lf = pending_.find('\n'); lf != std::string::npos) {
      std::string line = pending_.substr(0, lf);
      pending_.erase(0, lf + 1);
      return line;
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string process::read_all(std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  for (;;) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, remaining_ms(deadline)) <= 0) return out;
    char buffer[4096];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) return out;
    out.append(buffer, static_cast<std::size_t>(n));
  }
}

void process::write(const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(stdin_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("write to child failed");
    done += static_cast<std::size_t>(n);
  }
}

void process::close_stdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

void process::signal(int signo) {
  kill(pid_, signo);
}

std::optional<int> process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  // A pidfd becomes readable when the child exits, so the wait is on the event itself.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
    close(pidfd);
    if (ready <= 0) return std::nullopt;
  }
  int raw = 0;
  if (waitpid(pid_, &raw, 0) != pid_) return std::nullopt;
  status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return status_;
}

namespace {

// The lowest port of the kernel's ephemeral range (net.ipv4.ip_local_port_range), from which
// every outgoing connection on the machine takes its local port.
std::uint16_t lowest_ephemeral_port() {
  unsigned low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  return static_cast<std::uint16_t>(std::clamp(low, 2048u, 65535u));
}

// Whether a socket of `type` can bind `port` on every address, IPv4 and IPv6 (what a
// program listening on all interfaces, as BitTorrent clients do, will ask for).
bool bindable_everywhere(int type, std::uint16_t port) {
  const int fd = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int dual_stack = 0;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &dual_stack, sizeof dual_stack);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return bound;
}

}  // namespace

std::uint16_t free_port() {
  // Drawn below the ephemeral range: a port from that range, free when checked, may be taken
  // by any connect() on the machine before the program it is meant for binds it (a CI run
  // lost qBittorrent's listening port so, and with it the whole download). Never the same
  // port twice in one test process; two processes drawing the same one is a 1 in 20,000 chance.
  static std::mutex mutex;
  static std::set<std::uint16_t> given;
  static std::mt19937 random(std::random_device{}());
  const std::lock_guard lock(mutex);
  const auto high = static_cast<std::uint16_t>(lowest_ephemeral_port() - 1);
  std::uniform_int_distribution<unsigned> draw(std::min<unsigned>(10000, high / 2), high);
  for (;;) {
    const auto port = static_cast<std::uint16_t>(draw(random));
    if (given.contains(port)) continue;
    if (!bindable_everywhere(SOCK_STREAM, port) || !bindable_everywhere(SOCK_DGRAM, port)) continue;
    given.insert(port);
    return port;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void make_file(const std::string& path, std::size_t size, unsigned seed) {
  std::mt19937_64 random(seed);
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const auto word = random();
    for (std::size_t k = 0; k < 8 && i + k < size; ++k)
      data[i + k] = static_cast<char>(word >> (8 * k));
  }
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return {};
}

temp_dir::temp_dir() {
  std::string templ = (std::filesystem::temp_directory_path() / "swarmhub-test-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp");
  path_ = templ;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace swarmhub::test
