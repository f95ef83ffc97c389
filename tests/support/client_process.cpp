#include "client_process.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include <csignal>

#include "tracker_process.hpp"

namespace swarmhub::test {

client_process::client_process(const std::string& tracker_address,
                               std::vector<std::string> extra_args, std::string data_dir)
    : data_dir_(data_dir.empty() ? own_dir_.file("data") : std::move(data_dir)),
      log_path_(own_dir_.file("client.log")) {
  // No --p2p-listen: the peer wire listens where the client reaches its tracker (loopback).
  std::vector<std::string> argv{client_binary(), "--data-dir", data_dir_};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.push_back(tracker_address);
  proc_ = std::make_unique<process>(argv, log_path_);
}

client_process::~client_process() {
  std::optional<int> status = proc_->wait(0ms);
  if (!status) {
    proc_->close_stdin();  // end of input: the client says quit and exits
    status = proc_->wait(30s);
    if (!status) {
      proc_->signal(SIGKILL);
      ADD_FAILURE() << "the client did not exit at the end of its input\n" << log_tail();
    }
  }
  // Tests end clients with SIGKILL and SIGTERM themselves; any other signal, or a sanitizer
  // report, is a crash that must not go unseen.
  const bool crashed = status && *status > 128 && *status != 128 + SIGKILL &&
                       *status != 128 + SIGTERM && *status != 128 + SIGINT;
  if (crashed || read_file(log_path_).find("Sanitizer") != std::string::npos) {
    ADD_FAILURE() << "the client crashed (status " << *status << ")\n" << log_tail();
  }
}

std::string client_process::log_tail() const {
  std::string log = read_file(log_path_);
  return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
}

proto::reply client_process::request(const std::string& line, std::chrono::milliseconds timeout) {
  proc_->write(line + "\n");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto out = proc_->read_line(left.count() > 0 ? left : 1ms);
    if (!out) {
      const auto status = proc_->wait(0ms);
      ADD_FAILURE() << "no reply from the client to: " << line.substr(0, 80)
                    << (status ? " (it exited with status " + std::to_string(*status) + ")" : "")
                    << "\n"
                    << log_tail();
      return proto::reply{false, "NO_REPLY", "", {}};
    }
    auto parsed = parser_.feed(*out);
    if (auto* r = std::get_if<proto::reply>(&parsed)) return std::move(*r);
    if (auto* e = std::get_if<proto::event>(&parsed)) events_.push_back(std::move(*e));
  }
}

bool client_process::wait_for_event(std::string_view name, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto out = proc_->read_line(left);
    if (!out) return false;
    auto parsed = parser_.feed(*out);
    if (auto* e = std::get_if<proto::event>(&parsed)) {
      events_.push_back(std::move(*e));
      if (events_.back().name == name) return true;
    }
  }
}

void client_process::log_in(const std::string& name) {
  const auto created = request("create_user " + name + " " + name + "-password");
  if (!created.ok && created.code != "USER_EXISTS") ADD_FAILURE() << created.text;
  const auto logged = request("login " + name + " " + name + "-password");
  if (!logged.ok) ADD_FAILURE() << "login " << name << ": " << logged.text;
  // The client learns who it is from the tracker's event, which it shows like any other.
  const bool told = std::any_of(events_.begin(), events_.end(), [&](const proto::event& e) {
    return e.name == "LOGGED_IN" && e.text == name;
  });
  if (logged.ok && !told) ADD_FAILURE() << "no * LOGGED_IN " << name << " before the login's reply";
}

}  // namespace swarmhub::test
