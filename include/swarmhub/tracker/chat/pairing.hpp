#pragma once
// Pair chat (seed 002): the first to ask waits; the next one to ask is paired with them in a
// private room for two; a third waits for a fourth. Either one leaving ends the pair, and
// the one left behind is paired at once with whoever is waiting (seed 002). Keeps
// only ids and names (sessions are found by id), so it is testable on its own. Thread-safe.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace swarmhub::tracker {

struct pair_member {
  std::uint64_t session_id = 0;
  std::string user;
};

class pairing {
 public:
  enum class outcome { waiting, still_waiting, already_paired, paired };

  struct result {
    outcome what;
    pair_member partner;  // for paired and already_paired
  };

  result request(const pair_member& me);

  struct departure {
    pair_member left_behind;                 // the partner of the one who left
    std::optional<pair_member> new_partner;  // who was waiting, now paired with left_behind
  };

  // Ends `session_id`'s pair or takes it out of the queue. Returns the partner left behind
  // (none when it was only waiting) and, if someone was waiting, their new pair.
  std::optional<departure> leave(std::uint64_t session_id);

  std::optional<pair_member> partner_of(std::uint64_t session_id) const;
  bool waiting(std::uint64_t session_id) const;

 private:
  mutable std::mutex mutex_;
  std::optional<pair_member> waiting_;
  std::unordered_map<std::uint64_t, pair_member> partners_;  // both directions
};

}  // namespace swarmhub::tracker
