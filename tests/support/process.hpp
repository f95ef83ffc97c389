#pragma once
// A child process for integration tests: stdin and stdout are pipes the test drives,
// stderr goes to a file the test can read after the fact. Killed when destroyed.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swarmhub::test {

using namespace std::chrono_literals;

class process {
 public:
  // Starts `argv[0]` with `argv`; stderr is appended to `stderr_path` ("" to inherit).
  process(std::vector<std::string> argv, std::string stderr_path = {});
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  // One line of the child's stdout (without LF), or nothing at EOF or on timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);
  // Everything the child writes to stdout until it closes it (or the timeout passes).
  std::string read_all(std::chrono::milliseconds timeout = 10s);

  void write(const std::string& bytes);
  void close_stdin();
  void signal(int signo);

  // The exit status (or 128 + signal), or nothing if it is still running at the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout = 10s);

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string pending_;
  std::optional<int> status_;
};

// Reads a whole file ("" if it does not exist).
std::string read_file(const std::string& path);

// Writes `size` pseudo-random bytes (the same for the same `seed`) to `path`.
void make_file(const std::string& path, std::size_t size, unsigned seed = 1);

// Where `program` is on the PATH, or "".
std::string find_program(const std::string& program);

// A port nobody uses now, TCP or UDP, on any address, and outside the range the kernel hands
// out to outgoing connections: for a program the test starts to listen on.
std::uint16_t free_port();

// A fresh empty directory under the system temp dir, removed by the destructor.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace swarmhub::test
