#pragma once
// The tracker process: one io_context per I/O thread, the listening socket, the signal
// handlers and an orderly shutdown. Sessions do the rest.
//
// A session lives its whole life on one I/O thread's io_context (its id modulo their count),
// which also runs the chat fan-out shard that delivers to it (chat/fanout.hpp). A thread
// waits in its own epoll and runs what it finds there: a request's readiness, reply and next
// wait never pass to another thread, and no thread is woken to share work that the one
// awake could do. One shared io_context run by every thread did that on each turn.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/store/data_dir.hpp"
#include "swarmhub/tracker/conn/io_contexts.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {

class server {
 public:
  // Takes the data directory and opens the store; throws store::store_failure when it cannot.
  explicit server(tracker_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds and listens. Throws std::system_error when the address cannot be used.
  tcp::endpoint bind();

  // Handles SIGINT, SIGTERM and SIGUSR1 (tell clients, close, exit), SIGUSR2 (print the
  // counters on stdout) and SIGHUP (reload the TLS certificate and key, dropping no one).
  void handle_signals();

  // Serves until shutdown() completes. Returns on the calling thread.
  void run();

  // Stops accepting, tells every client why, closes every connection (forcibly after the
  // grace period) and lets run() return. Any thread, any number of times.
  void shutdown(std::string reason);

  tracker_core& core() { return core_; }

 private:
  awaitable<void> accept_loop();
  void reload_tls();
  awaitable<void> drain_and_finish();
  // Keeps this tracker's logins alive in the store (see tracker_options::login_lease).
  awaitable<void> renew_logins();
  // 5-10 s after a run of TLS handshakes ends: gives the heap's free pages back to the system
  // (malloc_trim). A handshake's short-lived allocations fall between long-lived ones and
  // leave holes that stay resident otherwise: 2000 idle TLS connections held 20 KiB each
  // of RSS, 9.2 KiB of it live.
  awaitable<void> trim_memory();

  store::data_dir data_dir_;
  tracker_core core_;
  io_contexts io_;                                        // one per I/O thread
  asio::strand<asio::io_context::executor_type> strand_;  // on io_[0]: acceptor, signals, shutdown
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  asio::steady_timer shutdown_timer_;
  asio::steady_timer renew_timer_;
  asio::steady_timer trim_timer_;
  std::atomic<std::uint64_t> next_session_id_{1};
  bool shutting_down_ = false;  // strand only
  // The drain is over: the signal loop must not wait again (strand only). A signal already
  // taken when the wait is cancelled would otherwise start a new wait nobody cancels, and
  // io_[0]'s run() would never return.
  bool signals_done_ = false;
  std::string shutdown_reason_;
};

}  // namespace swarmhub::tracker
