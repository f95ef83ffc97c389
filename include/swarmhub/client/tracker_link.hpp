#pragma once
// The client's connection to a tracker: sends request lines, matches each reply to its
// request (replies come in request order), and hands events to a callback as they arrive.
// Single-threaded: all of it runs on one executor.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/host_port.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

// The name of the event under which a line that is neither a reply nor an event reaches the
// event handler, to be shown as it came: no event of the protocol is named so.
inline constexpr std::string_view unparsed = "?";

class tracker_link {
 public:
  using event_handler = std::function<void(const proto::event&)>;
  using closed_handler = std::function<void(const std::string& why)>;

  explicit tracker_link(asio::any_io_executor executor);

  // Connects (again, after the connection ended: a fresh socket); throws
  // boost::system::system_error when nothing answers within `timeout`.
  awaitable<void> connect(const net::host_port& where,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Starts reading. `on_closed` runs once, when the connection ends for any reason other
  // than close().
  void start(event_handler on_event, closed_handler on_closed);

  // Sends one request line and waits for its reply; nothing when the connection ended first.
  awaitable<std::optional<proto::reply>> request(std::string line);

  void close();
  bool is_open() const { return open_; }
  // The address this end of the connection has: the one the tracker sees, reachable from it.
  asio::ip::address local_address() const;

 private:
  struct pending {
    explicit pending(asio::any_io_executor ex) : done(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;
    std::optional<proto::reply> reply;
  };

  // Each connection's reader and writer end when a newer connection starts.
  awaitable<void> reader(std::uint64_t generation);
  awaitable<void> writer(std::uint64_t generation);
  void fail_all(const std::string& why);

  tcp::socket socket_;
  proto::line_framer framer_{1024 * 1024};
  proto::reply_parser parser_;
  std::deque<std::shared_ptr<pending>> waiting_;
  std::deque<std::string> outgoing_;
  asio::steady_timer write_signal_;
  event_handler on_event_;
  closed_handler on_closed_;
  bool open_ = false;
  std::uint64_t generation_ = 0;
};

}  // namespace swarmhub::client
