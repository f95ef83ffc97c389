#pragma once
// Room fan-out spread over the I/O threads. The store thread commits a batch of room messages
// and makes one `room_batch` of it: each message's event line encoded once (and once more
// with its id first, for event_ids sessions), and each room's subscribers at commit time,
// split into one shard per I/O thread. Each shard is handed to its own strand on that thread,
// the thread of its sessions, which gives every session of the shard the whole batch there
// and then (session::deliver_batch); the session queues its messages as views into the batch
// (no copy, no allocation per delivery).
//
// Writes: a shard first queues the batch into all its sessions, then writes them one by one.
// When the next batch is committed while a shard is still writing (the senders of one moment
// seldom land in one commit), the shard stops after at least 32 writes and lets the next batch
// be queued first: the sessions not written yet that are in both get both in one write,
// instead of waiting for the end of the first fan-out and then a second write each (paced
// chat, N=1000: docs/benchmarks.md). The job that takes over writes every session left
// before it stops in turn, so a session waits for at most two batches to be queued.
//
// Order: batches leave the store thread in commit order, each shard's strand runs them in
// that order, and each queues its batch into its sessions as it runs; so every session sees
// a room's messages in id order, whichever thread delivers them. Durability: nothing is in a
// batch before its commit.
//
// The senders' replies wait for the fan-out: `then` runs once every shard has handed the
// batch to its sessions, so a sender that reads its `OK` and then leaves the room (say)
// cannot have its leaving overtake its message.
//
// Threading: publish() on the store thread only (like the commits it follows).

#include <atomic>
#include <cstdint>
#include <deque>
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
  // sender's, in order, and logs it; then runs `then` (may be empty), on some thread, once
  // every session has it in its output, which may be before it is written: whatever `then`
  // leads to is queued behind it in every session.
  void publish(tracker_core& core,
               const std::vector<std::pair<store::room_message, std::uint64_t>>& messages,
               std::function<void()> then = {});

  // For a session that has just queued a batch (on its thread): true when a shard is handing
  // that batch out on this thread and takes `s` to write it once the shard's other sessions
  // have theirs queued (session::write_for_fanout); false when the session writes it itself.
  static bool write_later(const std::shared_ptr<session>& s);

 private:
  struct countdown;
  // One per I/O thread. All but `waiting` is touched only in the strand's jobs (to_write also
  // by write_later, which the sessions call inside them).
  struct shard {
    explicit shard(asio::strand<asio::any_io_executor> s) : strand(std::move(s)) {}
    asio::strand<asio::any_io_executor> strand;
    std::atomic<std::size_t> waiting{0};            // batches posted to the strand and not begun
    std::deque<std::shared_ptr<session>> to_write;  // each session once
    bool took_over = false;                         // the last job stopped writing early
  };
  std::size_t shard_count() const { return shards_.empty() ? 1 : shards_.size(); }
  // Gives shard `shard` of `batch` to its sessions: each one the batch and its rooms' mask.
  static void deliver_shard(const std::shared_ptr<const room_batch>& batch, std::size_t shard);
  // The shard's job for one batch: queue it everywhere, then write what is queued.
  static void hand_out(shard& sh, const std::shared_ptr<const room_batch>& batch,
                       std::size_t index);
  // Writes the shard's sessions, but may stop for a batch waiting on the strand (see above).
  static void write_queued(shard& sh);

  std::vector<std::unique_ptr<shard>> shards_;
};

}  // namespace swarmhub::tracker
