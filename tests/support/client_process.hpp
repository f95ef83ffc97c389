#pragma once
// A real `client` binary in scripted mode, driven line by line: each request's reply is read
// back as it comes, and the events in between are kept.

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::test {

class client_process {
 public:
  // `data_dir` "" gives the client a fresh data directory of its own.
  client_process(const std::string& tracker_address, std::vector<std::string> extra_args = {},
                 std::string data_dir = {});
  ~client_process();

  proto::reply request(const std::string& line, std::chrono::milliseconds timeout = 60s);
  // Creates the user if needed and logs in (password: name + "-password").
  void log_in(const std::string& name);
  // How many transfers show_downloads lists.
  std::size_t show_count() { return request("show_downloads").data.size(); }

  // Reads what the client prints, without a request, until an event named `name` comes (kept
  // in events() like the others); false when none came in time.
  bool wait_for_event(std::string_view name, std::chrono::milliseconds timeout = 30s);

  std::vector<proto::event>& events() { return events_; }
  const std::string& data_dir() const { return data_dir_; }
  process& proc() { return *proc_; }
  // The end of what the client wrote to stderr.
  std::string log_tail() const;

 private:
  temp_dir own_dir_;
  std::string data_dir_;
  std::string log_path_;
  std::unique_ptr<process> proc_;
  proto::reply_parser parser_;
  std::vector<proto::event> events_;
};

}  // namespace swarmhub::test
