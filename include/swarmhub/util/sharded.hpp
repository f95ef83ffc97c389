#pragma once
// One structure split into independently locked parts, each key in the part its hash picks:
// threads that touch different keys do not wait for each other. What spans every key (a
// sweep, a total, forgetting a user everywhere) visits the parts one after the other.
//
//   util::sharded<state> parts;
//   auto& part = parts.of(key);
//   const std::lock_guard lock(part.mutex);
//   part.state...

#include <array>
#include <cstddef>
#include <mutex>
#include <string_view>

#include "swarmhub/util/string_hash.hpp"

namespace swarmhub::util {

template <class State, std::size_t Count = 16>
class sharded {
 public:
  // A cache line each: one part's lock and state do not share a line with its neighbour's.
  struct alignas(64) part {
    std::mutex mutex;
    State state;
  };

  part& of(std::string_view key) { return parts_[string_hash{}(key) % Count]; }
  std::array<part, Count>& all() { return parts_; }
  const std::array<part, Count>& all() const { return parts_; }

 private:
  std::array<part, Count> parts_;
};

}  // namespace swarmhub::util
