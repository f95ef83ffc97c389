#pragma once
// Where one connection is in the chat: its current room, its flood gate, how far it was
// shown each group room (one mark per room, stored in batches as it advances and when the
// user goes offline), and which direct messages it was given lately. A value the
// session holds beside its transport; read and changed on the session's thread only.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/store/store.hpp"
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

  // Which of the user's rooms a room message belongs to, for note_queued and note_written:
  // 0 for the lobby (nobody's backlog, so it keeps no mark), else a slot of this room's own
  // mark (names compared without case). Cheapest when asked for the same room again.
  std::uint32_t room_slot(std::string_view room);

  // Room message `id` (of the room in `slot`) is about to be queued for the user. With
  // `shared` (a store several trackers write) a message met in the login backlog can come
  // again live: false for such a repeat, which is not to be queued.
  bool note_queued(std::int64_t id, bool shared, std::uint32_t slot = 0);
  // Direct message `id` is about to be queued for the user: false for a repeat (the login
  // backlog and the live path may both bring one), which is not to be queued.
  bool note_direct_queued(std::int64_t id);
  // Room message `id` of the room in `slot` was written to the socket.
  void note_written(std::uint32_t slot, std::int64_t id);
  // The marks to store now (each room whose mark moved; their user left empty), or none: once
  // `batch` room messages were written since marks were last taken, or with `now` whatever was
  // written.
  std::vector<store::room_mark> take_marks(bool now, unsigned batch);
  // Something written is not in a mark taken yet.
  bool mark_pending() const { return unstored_ > 0; }
  // Each room's mark: how far the user has been shown it; with `flushing`, what is queued
  // counts too (it will still be written).
  std::vector<store::room_mark> seen(bool flushing) const;

  // The user logged out: back to the lobby, nothing seen. The flood gate stays.
  void reset();

 private:
  // Room messages queued lately, with a shared store only (made at the first one).
  using recent_ids = util::recent_ids<2048>;

  std::string room_{"lobby"};
  flood_gate gate_;
  unsigned refused_in_a_row_ = 0;
  // One group room's mark: the highest message id written to the socket, queued for it,
  // and last taken to be stored.
  struct room_seen {
    std::string name;
    std::int64_t written = 0;
    std::int64_t queued = 0;
    std::int64_t taken = 0;
  };
  std::vector<room_seen> rooms_;  // a user is in a few rooms: a search beats a map
  std::uint32_t last_slot_ = 0;   // the room asked for last
  unsigned unstored_ = 0;         // room messages written since marks were taken
  std::unique_ptr<recent_ids> recent_;
  std::unique_ptr<recent_ids> recent_direct_;  // made at the first direct message
};

}  // namespace swarmhub::tracker
