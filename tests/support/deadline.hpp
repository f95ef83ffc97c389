#pragma once
// Milliseconds left until a deadline, for poll(): never negative.

#include <chrono>

namespace swarmhub::test {

inline int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace swarmhub::test
