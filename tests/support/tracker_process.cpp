#include "tracker_process.hpp"

#include <algorithm>
#include <cstdlib>

#include <gtest/gtest.h>
#include <csignal>

#include <stdexcept>

#include "swarmhub/net/tls_certificate.hpp"

namespace swarmhub::test {

// SWARMHUB_TEST_TRACKER_BIN and SWARMHUB_TEST_CLIENT_BIN run the tests against other builds
// of the programs: how figures before and after a change are measured with one harness.
std::string tracker_binary() {
  const char* other = std::getenv("SWARMHUB_TEST_TRACKER_BIN");
  return other != nullptr && *other != '\0' ? other : SWARMHUB_TRACKER_BIN;
}
std::string client_binary() {
  const char* other = std::getenv("SWARMHUB_TEST_CLIENT_BIN");
  return other != nullptr && *other != '\0' ? other : SWARMHUB_CLIENT_BIN;
}

tracker_process::tracker_process(std::vector<std::string> extra_args, std::string data_dir,
                                 std::string listen)
    : data_dir_(data_dir.empty() ? dir_.file("data") : std::move(data_dir)),
      log_path_(dir_.file("tracker.log")) {
  std::vector<std::string> argv{tracker_binary(),       "--listen", listen, "--data-dir", data_dir_,
                                "--password-hash-cost", "minimal"};
  const auto given = [&](std::string_view flag) {
    return std::find(extra_args.begin(), extra_args.end(), flag) != extra_args.end();
  };
  // Two I/O threads, so that the tests meet the races of several; a test may ask for one.
  if (!given("--threads")) argv.insert(argv.end(), {"--threads", "2"});
  // Tests create many accounts from 127.0.0.1; a test of that limit sets it itself.
  if (!given("--new-users-per-address")) {
    argv.insert(argv.end(), {"--new-users-per-address", "1000000"});
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  tls_cert_path_ = data_dir_ + "/tls/cert.pem";
  for (std::size_t i = 0; i + 1 < extra_args.size(); ++i) {
    if (extra_args[i] == "--tls-cert") tls_cert_path_ = extra_args[i + 1];
  }
  proc_ = std::make_unique<process>(argv, log_path_);
  const auto line = proc_->read_line(30s);
  const std::string prefix = "swarmhub tracker listening on ";
  const auto colon = line ? line->rfind(':') : std::string::npos;
  if (!line || !line->starts_with(prefix) || colon == std::string::npos) {
    throw std::runtime_error("tracker did not start: " + line.value_or("(nothing)") + "\n" + log());
  }
  host_ = line->substr(prefix.size(), colon - prefix.size());
  if (host_.starts_with('[')) host_ = host_.substr(1, host_.size() - 2);
  port_ = static_cast<std::uint16_t>(std::stoi(line->substr(colon + 1)));
}

tracker_process::~tracker_process() {
  if (proc_->wait(0ms)) return;  // the test ended it and checked it itself
  proc_->signal(SIGTERM);
  const auto status = proc_->wait(60s);
  if (status != 0) {
    std::string tail = log();
    if (tail.size() > 4000) tail = tail.substr(tail.size() - 4000);
    ADD_FAILURE() << "tracker exit status " << (status ? std::to_string(*status) : "none (hung)")
                  << "\n"
                  << tail;
  }
}

std::string tracker_process::tls_fingerprint() const {
  return net::fingerprint_sha256_of_file(tls_cert_path_);
}

line_client tracker_process::log_in(line_client c, const std::string& name) {
  const auto created = c.request("create_user " + name + " " + name + "-password");
  if (!created.ok && created.code != "USER_EXISTS")
    ADD_FAILURE() << "create_user: " << created.text;
  const auto logged = c.request("login " + name + " " + name + "-password");
  if (!logged.ok) ADD_FAILURE() << "login " << name << ": " << logged.code << " " << logged.text;
  // The line right after a login's OK names the user (docs/protocol.md, Events).
  const auto said = c.read_line();
  if (said != "* LOGGED_IN " + name)
    ADD_FAILURE() << "after login " << name << ": " << said.value_or("nothing");
  return c;
}

std::string tracker_process::stats() {
  proc_->signal(SIGUSR2);
  return proc_->read_line().value_or("");
}

long tracker_process::counter(const std::string& stats_line, const std::string& name) {
  const std::string key = " " + name + "=";
  const auto at = stats_line.find(key);
  if (at == std::string::npos) return -1;
  return std::stol(stats_line.substr(at + key.size()));
}

}  // namespace swarmhub::test
