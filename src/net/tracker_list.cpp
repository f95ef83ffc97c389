#include "swarmhub/net/tracker_list.hpp"

#include <fstream>
#include <sstream>

#include "swarmhub/net/fingerprint.hpp"

namespace swarmhub::net {
namespace {

// The whitespace-separated words of `line`.
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    const auto start = line.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const auto end = std::min(line.find_first_of(" \t", start), line.size());
    out.push_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

bool all_digits(std::string_view word) {
  return !word.empty() && word.size() <= 6 &&
         word.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

tracker_list_result parse_tracker_list(std::string_view text) {
  tracker_list_result out;
  const auto fail = [&](int line, const std::string& why) {
    out.trackers.clear();
    out.pins.clear();
    out.schemes.clear();
    out.error = "line " + std::to_string(line) + ": " + why;
    return out;
  };
  int line_number = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto words = words_of(line);
    if (words.empty()) continue;
    std::string pin;
    if (words.size() >= 2 && words.back().starts_with("sha256=")) {
      const auto parsed_pin = parse_sha256_fingerprint(words.back());
      if (!parsed_pin) {
        return fail(line_number, "'" + std::string(words.back()) +
                                     "' is not a SHA-256 fingerprint (32 bytes of hex)");
      }
      pin = *parsed_pin;
      words.pop_back();
    }
    const int expected = static_cast<int>(out.trackers.size()) + 1;
    // A leading number, when the rest is still an address: "2 host:port" or "2 host port".
    if (words.size() >= 2 && all_digits(words[0]) &&
        (words.size() == 3 || words[1].find(':') != std::string_view::npos)) {
      if (std::stoi(std::string(words[0])) != expected) {
        return fail(line_number, "tracker number " + std::string(words[0]) +
                                     " is out of order (this is tracker " +
                                     std::to_string(expected) + ")");
      }
      words.erase(words.begin());
    }
    // A scheme before the address: "tls://host:port", "tcp://host port".
    tracker_scheme scheme = tracker_scheme::tls;
    std::string host_word;
    if (const auto sep = words[0].find("://"); sep != std::string_view::npos) {
      const auto name = words[0].substr(0, sep);
      if (name == "tcp") {
        scheme = tracker_scheme::plaintext;
      } else if (name != "tls") {
        return fail(line_number,
                    "unknown scheme '" + std::string(name) + "' (use tls:// or tcp://)");
      }
      host_word = std::string(words[0].substr(sep + 3));
      words[0] = host_word;
    }
    std::string address;
    if (words.size() == 1) {
      address = std::string(words[0]);
    } else if (words.size() == 2 && all_digits(words[1])) {
      const bool v6 = words[0].find(':') != std::string_view::npos;
      address = v6 ? "[" + std::string(words[0]) + "]:" + std::string(words[1])
                   : std::string(words[0]) + ":" + std::string(words[1]);
    } else {
      return fail(line_number, "expected HOST:PORT, HOST PORT, or a tracker number before either");
    }
    std::string why;
    auto parsed = parse_host_port(address, &why);
    if (!parsed) return fail(line_number, "'" + address + "': " + why);
    if (parsed->host.empty() || all_digits(parsed->host)) {
      return fail(line_number, "'" + address + "': a host is needed");
    }
    if (parsed->port == 0) return fail(line_number, "'" + address + "': port 0 is not a tracker");
    for (const auto& known : out.trackers) {
      if (known.host == parsed->host && known.port == parsed->port) {
        return fail(line_number, parsed->to_string() + " is listed twice");
      }
    }
    out.trackers.push_back(*parsed);
    out.pins.push_back(std::move(pin));
    out.schemes.push_back(scheme);
    if (end == text.size()) break;
  }
  if (out.trackers.empty()) out.error = "no tracker is listed";
  return out;
}

tracker_list_result read_tracker_list(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{}, path + ": cannot be read"};
  std::ostringstream text;
  text << in.rdbuf();
  auto out = parse_tracker_list(text.str());
  if (!out.error.empty()) out.error = path + ": " + out.error;
  return out;
}

}  // namespace swarmhub::net
