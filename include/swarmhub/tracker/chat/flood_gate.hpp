#pragma once
// A token bucket: `burst` messages at once, then `rate` per second. Pure; one per session.

#include <chrono>

namespace swarmhub::tracker {

class flood_gate {
 public:
  using clock = std::chrono::steady_clock;

  flood_gate(double rate_per_second, double burst)
      : rate_(rate_per_second), burst_(burst), tokens_(burst) {}

  // Takes one token if there is one; false means "too fast".
  bool allow(clock::time_point now = clock::now()) {
    if (last_ != clock::time_point{}) {
      const std::chrono::duration<double> elapsed = now - last_;
      tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  clock::time_point last_{};
};

}  // namespace swarmhub::tracker
