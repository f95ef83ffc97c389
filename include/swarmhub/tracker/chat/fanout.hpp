#pragma once
// Room fan-out spread over the I/O threads. The store thread commits a batch of room messages
// and makes one `room_batch` of it: each message's event line encoded once (and once more
// with its id first, for event_ids sessions), and each room's subscribers at commit time,
// split into one shard per I/O thread. Each shard is handed to its own strand, which gives
// every session of the shard the whole batch with one hop onto the session's strand; the
// session then queues its messages as views into the batch (no copy, no allocation per
// delivery; session::deliver_batch).
//
// Order: batches leave the store thread in commit order, each shard's strand runs them in
// that order, and a session's strand runs its hops in the order they were posted; so every
// session sees a room's messages in id order, whichever thread delivers them. Durability:
// nothing is in a batch before its commit.
//
// The senders' replies wait for the fan-out: `then` runs once every shard has handed the
// batch to its sessions, so a sender that reads its `OK` and then leaves the room (say)
// cannot have its leaving overtake its message.
//
// Threading: publish() on the store thread only (like the commits it follows).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::tracker {

class session;
struct tracker_core;

// One committed batch, immutable once published; shared by every session that gets any of it.
struct room_batch {
  struct message {
    std::string line;          // `* ROOM <room> <sender> <text>`
    std::string line_with_id;  // `* ROOM #<id> <room> <sender> <text>` (event_ids)
    std::int64_t id = 0;
    std::int64_t sent_at_ms = 0;       // the store's time (IRC's server-time tag)
    std::uint64_t sender_session = 0;  // gets no copy of its own message
    unsigned room = 0;                 // index into rooms
  };
  struct room {
    std::string key;  // room_registry::key
    // The subscribers at commit time, shard by shard (session id modulo the shard count).
    std::vector<std::vector<std::shared_ptr<session>>> shards;
  };
  // A batch names at most this many rooms (one bit each in the mask a session is given);
  // a commit with more is published as several batches, in order.
  static constexpr unsigned max_rooms = 64;

  std::vector<message> messages;
  std::vector<room> rooms;
};

class room_fanout {
 public:
  // One shard per executor (one per I/O thread), a strand on it: shard k holds the sessions
  // whose home_thread (conn/io_contexts.hpp) is k, which the server puts on executor k. Until
  // start() is called (unit tests without a server), publish() delivers from the calling thread.
  void start(const std::vector<asio::any_io_executor>& shard_homes);
  // Lets the strands go, while their io_context still lives: after the I/O threads and the
  // store thread (the one caller of publish) have stopped.
  void stop();

  // Sends each stored message (with its sender's session id) to its room's sessions but its
  // sender's, in order, and logs it; then runs `then` (may be empty), on some thread.
  void publish(tracker_core& core,
               const std::vector<std::pair<store::room_message, std::uint64_t>>& messages,
               std::function<void()> then = {});

 private:
  struct countdown;
  std::size_t shard_count() const { return strands_.empty() ? 1 : strands_.size(); }
  // Gives shard `shard` of `batch` to its sessions: each one the batch and its rooms' mask.
  static void deliver_shard(const std::shared_ptr<const room_batch>& batch, std::size_t shard);

  std::vector<asio::strand<asio::any_io_executor>> strands_;
};

}  // namespace swarmhub::tracker
