#pragma once
// Small helpers the load generators share: flags, percentiles, and what /proc says about the
// server under test (its CPU time and peak memory).

#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace swarmhub::bench {

using clock = std::chrono::steady_clock;

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch())
      .count();
}

// `--name value` from argv, or `fallback`.
inline std::string flag(int argc, char** argv, const std::string& name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

// A number flag; anything else (an empty port from a server that did not start, say) ends
// the program with a message naming the flag.
inline long flag_number(int argc, char** argv, const std::string& name, long fallback) {
  const std::string text = flag(argc, argv, name, std::to_string(fallback));
  long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    std::fprintf(stderr, "%s: --%s wants a number, got '%s'\n", argv[0], name.c_str(),
                 text.c_str());
    std::exit(2);
  }
  return value;
}

// A list of numbers, "7070" or "7070,7071,7072" (the servers of one cluster, say); checked as
// flag_number checks one.
inline std::vector<long> flag_numbers(int argc, char** argv, const std::string& name,
                                      long fallback) {
  const std::string text = flag(argc, argv, name, std::to_string(fallback));
  std::vector<long> values;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string one = text.substr(start, comma - start);
    long value = 0;
    const auto [end, ec] = std::from_chars(one.data(), one.data() + one.size(), value);
    if (ec != std::errc() || end != one.data() + one.size() || one.empty()) {
      std::fprintf(stderr, "%s: --%s wants numbers separated by commas, got '%s'\n", argv[0],
                   name.c_str(), text.c_str());
      std::exit(2);
    }
    values.push_back(value);
    if (comma == std::string::npos) return values;
    start = comma + 1;
  }
}

// The p-th percentile (0..100) of `values`, which it sorts.
inline double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  return values[at];
}

// CPU seconds (user + system) a process has used so far; 0 when unknown.
inline double cpu_seconds(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// A field of /proc/<pid>/status in KiB (VmRSS, VmHWM); 0 when unknown.
inline long status_kib(long pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return 0;
}

}  // namespace swarmhub::bench
