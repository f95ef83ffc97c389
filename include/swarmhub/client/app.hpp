#pragma once
// The client program's logic: connect, then pass each line the user gives to the tracker
// and show its reply, while events are shown as they arrive. Knows when to leave.

#include <memory>
#include <string>
#include <vector>

#include "swarmhub/client/chat_mode.hpp"
#include "swarmhub/client/commands.hpp"
#include "swarmhub/client/console.hpp"
#include "swarmhub/client/file_sharing.hpp"
#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/client/tracker_target.hpp"

namespace swarmhub::client {

struct client_options {
  // The trackers to use, in order: the first that answers, then the next one when it fails.
  std::vector<tracker_target> trackers;
  std::chrono::seconds failover_time{30};  // how long to look for a tracker after losing one
  // A ping after this long without a request, and how long a request may wait for its
  // reply before the tracker is taken for dead (and left, as when it closes): together they
  // bound how long a hung tracker is kept (README).
  std::chrono::seconds keepalive{2};
  std::chrono::seconds request_timeout{7};
  std::string server_password;  // given to a tracker that asks for one ("": ask)
  // Where other members' clients connect for pieces; "": port 0 of the address this client
  // reaches its tracker from, so that a peer wire is not offered on every interface.
  std::string p2p_listen;
  std::string data_dir;                    // each user's list of shares and known_trackers
  std::string ca_file;                     // PEM CAs trusted instead of the system's ("")
  int download_limit = 0;                  // bytes per second, 0: unlimited
  int upload_limit = 0;                    // bytes per second, 0: unlimited
  std::chrono::seconds stall_timeout{60};  // a download without progress this long fails
  std::chrono::seconds progress{0};        // scripts: `* PROGRESS` lines this often (0: never)
  bool stay = false;  // at the end of input keep running (seeding, receiving) until signalled
};

// Exit statuses of the client program.
enum exit_status : int {
  exit_ok = 0,
  exit_command_failed = 1,  // some command got an ERR reply
  exit_connection = 2,      // could not connect (or a certificate was refused), or lost
};

class client_app {
 public:
  client_app(asio::any_io_executor executor, client_options options, std::unique_ptr<console> user);

  // Runs until the user leaves or the tracker goes away; returns the exit status.
  awaitable<int> run();

  // Leaves cleanly (Ctrl+C, SIGTERM): says quit to the tracker and ends run().
  void leave();

 private:
  awaitable<void> keepalive();
  // The status of running downloads, each second on a terminal, every options_.progress
  // in a script.
  awaitable<void> show_progress();
  awaitable<void> wait_for_hello();
  awaitable<void> give_server_password();
  void show_result(const proto::reply& reply);  // shown; a failure sets the exit status
  bool wants_server_password() const;           // the tracker's HELLO said auth=required
  // Asks for a missing password of login/create_user on a terminal; the command to send,
  // or nothing when the person gave up.
  awaitable<std::optional<command_line>> complete_secret(command_line command);
  // After the OK of a login or resume: waits for the `* LOGGED_IN <user>` that follows it
  // (on_event() takes the user from it); false when none came.
  awaitable<bool> wait_for_login(std::uint64_t logins_before);
  void on_event(const proto::event& event);
  void on_closed(const std::string& why);
  void finish();
  // Connects to the first tracker that answers, starting after `after` (the one just lost);
  // false when none does.
  awaitable<bool> connect_somewhere(std::size_t after, bool first_time);
  // libtorrent's listen_interfaces: the option, or port 0 of the tracker link's own address.
  std::string p2p_listen() const;
  // After losing the tracker: another one, the same user logged in again with the resume
  // token, back in the same room, shares announced; the user is told in one line.
  awaitable<void> fail_over(std::string why);
  // Follows what a tracker command did: after a login the user's shares and a resume token
  // (what a failover restores), which room plain lines go to. `logins_before` is
  // logins_seen_ when the command was sent.
  awaitable<void> follow(const command_line& command, const proto::reply& reply,
                         std::uint64_t logins_before);
  // Replaces the token kept for the next failover with a fresh one from the tracker.
  awaitable<void> renew_resume_token();

  asio::any_io_executor executor_;
  client_options options_;
  std::unique_ptr<console> user_;
  tracker_link link_;
  asio::steady_timer keepalive_timer_;
  asio::steady_timer progress_timer_;
  chat_mode chat_;
  asio::steady_timer hello_signal_;
  asio::steady_timer login_signal_;  // cancelled by each LOGGED_IN event
  asio::steady_timer stay_signal_;   // cancelled when a headless client is told to leave
  std::unique_ptr<file_sharing> files_;
  std::optional<std::string> hello_;  // text of the tracker's HELLO event
  std::chrono::steady_clock::time_point last_request_;
  bool any_failed_ = false;
  bool lost_ = false;
  std::size_t current_ = 0;  // index in options_.trackers
  bool failing_over_ = false;
  asio::steady_timer failover_done_;  // cancelled when a failover ends, either way
  std::string user_name_;             // from the last LOGGED_IN event, "" after logout
  std::uint64_t logins_seen_ = 0;     // LOGGED_IN events so far
  std::string resume_token_;
  std::string room_;  // the room plain lines go to, "" for the lobby
  bool leaving_ = false;
  bool finished_ = false;
};

}  // namespace swarmhub::client
