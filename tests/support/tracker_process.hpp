#pragma once
// A real tracker binary on 127.0.0.1:0 (or another address), as the integration tests start it: the
// port is read from its first stdout line, its log goes to a file in its own temporary directory.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "line_client.hpp"
#include "process.hpp"

namespace swarmhub::test {

class tracker_process {
 public:
  // `data_dir` "" gives the tracker a fresh data directory of its own; `listen` is where it
  // listens ("[::1]:0" for IPv6; "" when `extra_args` say, as with a tracker list).
  explicit tracker_process(std::vector<std::string> extra_args = {}, std::string data_dir = {},
                           std::string listen = "127.0.0.1:0");
  // Stops the tracker with SIGTERM and fails the test unless it exits with status 0, so that
  // a crash, a hang at shutdown or a sanitizer report inside the tracker never goes unseen.
  ~tracker_process();

  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  std::string address() const {
    return (host_.find(':') == std::string::npos ? host_ : "[" + host_ + "]") + ":" +
           std::to_string(port_);
  }
  // The address a client is given: plaintext, which the client allows to loopback only.
  std::string client_address() const { return "tcp://" + address(); }
  line_client connect() { return line_client(host_, port_); }
  // A TLS connection pinned on the tracker's own certificate (tls_fingerprint()).
  line_client connect_tls(bool skip_hello = true) {
    return line_client::tls(host_, port_, tls_fingerprint(), skip_hello);
  }
  // The fingerprint of the certificate file the tracker serves: --tls-cert when it was given,
  // otherwise the self-signed one it keeps in its data directory.
  std::string tls_fingerprint() const;
  // A connection logged in as `name` (password: name + "-password"), creating the user if needed.
  line_client user(const std::string& name) { return log_in(connect(), name); }
  line_client user_tls(const std::string& name) { return log_in(connect_tls(), name); }
  const std::string& data_dir() const { return data_dir_; }
  process& proc() { return *proc_; }
  pid_t pid() const { return proc_->pid(); }
  const std::string& log_path() const { return log_path_; }
  std::string log() const { return read_file(log_path_); }

  // Sends SIGUSR2 and returns the stats line it prints.
  std::string stats();
  // Asks for stats (SIGUSR2) until `ok(line)` holds or the timeout passes; each check waits
  // for the tracker's answer, so this follows the tracker's pace, not a clock.
  template <class Pred>
  bool eventually_stats(Pred ok, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ok(stats())) return true;
    }
    return false;
  }

  // The value of one counter in a stats line ("clients", "cut_off_total", ...).
  static long counter(const std::string& stats_line, const std::string& name);

 private:
  static line_client log_in(line_client c, const std::string& name);

  temp_dir dir_;
  std::string data_dir_;
  std::string log_path_;
  std::string tls_cert_path_;
  std::unique_ptr<process> proc_;
  std::string host_;
  std::uint16_t port_ = 0;
};

// Paths of the binaries under test, set by CMake.
std::string tracker_binary();
std::string client_binary();

}  // namespace swarmhub::test
