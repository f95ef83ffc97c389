#pragma once
// Where one connection is in the chat: its current room, its flood gate, and which room
// messages it was shown (the seen mark, stored in batches as it advances and when the user
// goes offline), and which direct messages it was given lately. A value the
// session holds beside its transport; read and changed on the session's strand only.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

#include "swarmhub/tracker/chat/flood_gate.hpp"
#include "swarmhub/util/recent_ids.hpp"

namespace swarmhub::tracker {

class chat_presence {
 public:
  chat_presence(double rate_per_second, double burst) : gate_(rate_per_second, burst) {}

  const std::string& room() const { return room_; }
  void set_room(std::string room) { room_ = std::move(room); }

  // False when the user sends messages faster than the flood gate allows.
  bool allow_message();
  // Counts a refused message; true once `limit` were refused in a row.
  bool flooding(unsigned limit) { return ++refused_in_a_row_ >= limit; }

  // Room message `id` is about to be queued for the user. With `shared` (a store several
  // trackers write) a message met in the login backlog can come again live: false for such
  // a repeat, which is not to be queued.
  bool note_queued(std::int64_t id, bool shared);
  // Direct message `id` is about to be queued for the user: false for a repeat (the login
  // backlog and the live path may both bring one), which is not to be queued.
  bool note_direct_queued(std::int64_t id);
  // Room message `id` was written to the socket.
  void note_written(std::int64_t id) {
    if (id <= 0) return;
    seen_ = std::max(seen_, id);
    ++unstored_;
  }
  // The seen mark to store now, or 0: once `batch` room messages were written since the
  // last one was taken, or with `now` whatever was written since.
  std::int64_t take_mark(bool now, unsigned batch);
  // Something written is not in a mark taken yet.
  bool mark_pending() const { return seen_ > taken_; }
  // The highest room message id the user has been shown; with `flushing`, what is queued
  // counts too (it will still be written).
  std::int64_t seen(bool flushing) const {
    return flushing ? std::max(seen_, seen_queued_) : seen_;
  }

  // The user logged out: back to the lobby, nothing seen. The flood gate stays.
  void reset();

 private:
  // Room messages queued lately, with a shared store only (made at the first one).
  using recent_ids = util::recent_ids<2048>;

  std::string room_{"lobby"};
  flood_gate gate_;
  unsigned refused_in_a_row_ = 0;
  std::int64_t seen_ = 0;         // highest room message id written to the socket
  std::int64_t seen_queued_ = 0;  // highest room message id queued for it
  std::int64_t taken_ = 0;        // the last mark taken to be stored
  unsigned unstored_ = 0;         // room messages written since
  std::unique_ptr<recent_ids> recent_;
  std::unique_ptr<recent_ids> recent_direct_;  // made at the first direct message
};

}  // namespace swarmhub::tracker
