#pragma once
// Read marks (how far each user was shown each group room) are stored in batches: the marks
// given while the store thread is busy gather into one job, one transaction and so one
// durable commit for all of them. Stored one by one, 1000 clients of a paced chat each
// stored a mark every 200 ms: 5000 disk flushes a second on the store thread, and the room
// posts queued behind them waited hundreds of ms (issue 20).
//
// Order: a mark is stored before any store job posted after it was given (a drain that has
// not yet taken the pending marks is always queued ahead), so a user's next login reads it.
// Thread-safe.

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "swarmhub/store/store.hpp"

namespace swarmhub::tracker {

struct tracker_core;

class seen_marks {
 public:
  explicit seen_marks(tracker_core& core) : core_(core) {}

  // Stores `user`'s marks (chat_presence::take_marks, each never moving back) in the next
  // batch.
  void store(const std::string& user, std::vector<store::room_mark> marks);

 private:
  void drain(store::backend& db);  // on the store thread

  tracker_core& core_;
  std::mutex mutex_;
  std::unordered_map<std::string, store::room_mark> pending_;  // by user and room, folded
  bool scheduled_ = false;                                     // a drain is queued
};

}  // namespace swarmhub::tracker
