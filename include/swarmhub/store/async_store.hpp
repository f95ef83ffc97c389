#pragma once
// The store as the tracker's coroutines use it: each call runs on a store thread with its
// own backend connection, and the caller resumes on its own executor when it is done.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "swarmhub/net/offload_pool.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

class async_store {
 public:
  // One thread per connection; every connection must reach the same database.
  explicit async_store(std::vector<std::unique_ptr<backend>> connections)
      : connections_(std::move(connections)), pool_(connections_.size()) {
    for (auto& c : connections_) free_.push_back(c.get());
  }

  // Runs `work(backend&)` on a store thread. Name the lambda before awaiting (see
  // offload_pool::run for the GCC 12 bug this avoids).
  template <class F>
  awaitable<std::invoke_result_t<std::decay_t<F>&, backend&>> run(F&& work) {
    auto job = [this, work = std::forward<F>(work), queued = clock::now()]() mutable {
      const timed t(*this, queued);
      lease held(*this);
      return work(*held.connection);
    };
    return pool_.run(std::move(job));
  }

  // Runs `work(backend&)` on the calling thread, blocking it: only at start-up, before any
  // I/O thread serves.
  template <class F>
  auto call_now(F&& work) {
    lease held(*this);
    return work(*held.connection);
  }

  // Runs `work(backend&)` on a store thread without waiting for it; failures are logged.
  template <class F>
  void post(F&& work) {
    pool_.post([this, work = std::forward<F>(work), queued = clock::now()]() mutable {
      const timed t(*this, queued);
      lease held(*this);
      work(*held.connection);
    });
  }

  void stop() { pool_.stop(); }

  std::size_t threads() const { return connections_.size(); }

  // Calls finished and the microseconds they took in all, queueing included (/metrics).
  struct latency {
    std::uint64_t calls = 0;
    std::uint64_t micros = 0;
  };
  latency total_latency() const {
    return {calls_.load(std::memory_order_relaxed), micros_.load(std::memory_order_relaxed)};
  }

 private:
  using clock = std::chrono::steady_clock;
  // Adds one call's time, from its queueing to its end, to the totals.
  struct timed {
    timed(async_store& s, clock::time_point queued) : owner(s), since(queued) {}
    ~timed() {
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - since);
      owner.calls_.fetch_add(1, std::memory_order_relaxed);
      owner.micros_.fetch_add(static_cast<std::uint64_t>(took.count()), std::memory_order_relaxed);
    }
    timed(const timed&) = delete;
    timed& operator=(const timed&) = delete;
    async_store& owner;
    clock::time_point since;
  };
  // A connection taken from the free list for one call. There are as many connections as
  // threads, so taking one never waits for long.
  struct lease {
    explicit lease(async_store& s) : owner(s) {
      std::unique_lock lock(owner.mutex_);
      owner.available_.wait(lock, [&] { return !owner.free_.empty(); });
      connection = owner.free_.back();
      owner.free_.pop_back();
    }
    ~lease() {
      {
        const std::lock_guard lock(owner.mutex_);
        owner.free_.push_back(connection);
      }
      owner.available_.notify_one();
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    async_store& owner;
    backend* connection = nullptr;
  };

  std::vector<std::unique_ptr<backend>> connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<backend*> free_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> micros_{0};
  net::offload_pool pool_;
};

}  // namespace swarmhub::store
