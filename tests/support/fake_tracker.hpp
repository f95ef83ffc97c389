#pragma once
// A tracker that says what a test tells it to: for checking how the client takes a hostile
// or broken tracker. Listens on 127.0.0.1 (port 0), greets each connection with HELLO, and
// answers each request line with the scripted reply for its verb ("OK" when none is set).
// A reply may hold several lines (data lines, events after it).

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace swarmhub::test {

class fake_tracker {
 public:
  fake_tracker();
  ~fake_tracker();
  fake_tracker(const fake_tracker&) = delete;
  fake_tracker& operator=(const fake_tracker&) = delete;

  // What to send (whole lines, each ending in LF) for a request whose verb is `verb`.
  void answer(const std::string& verb, const std::string& lines);
  // For a client: tcp://, the fake speaks plaintext (which clients allow to loopback).
  std::string address() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // Request lines received so far.
  std::vector<std::string> received() const;

 private:
  void serve(int fd);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::map<std::string, std::string> answers_;
  std::vector<std::string> received_;
  std::vector<int> connections_;
  std::thread acceptor_;
  std::vector<std::thread> servers_;
};

}  // namespace swarmhub::test
