#pragma once
// Who is on one connection: where it stands in the protocol (password given? logged in?),
// which user, and how many wrong server passwords it sent. A plain value the session holds
// beside its transport; read and changed on the session's thread only.

#include <string>
#include <utility>

#include "swarmhub/proto/commands.hpp"

namespace swarmhub::tracker {

class session_identity {
 public:
  proto::session_state state() const { return state_; }
  void set_state(proto::session_state s) { state_ = s; }

  // The logged-in user's canonical name, or "".
  const std::string& user() const { return user_; }
  void log_in(std::string user) {
    user_ = std::move(user);
    state_ = proto::session_state::logged_in;
  }
  void log_out() {
    user_.clear();
    state_ = proto::session_state::anonymous;
  }

  // Counts one wrong server password; returns how many so far.
  unsigned count_auth_failure() { return ++auth_failures_; }

 private:
  proto::session_state state_ = proto::session_state::anonymous;
  std::string user_;
  unsigned auth_failures_ = 0;
};

}  // namespace swarmhub::tracker
