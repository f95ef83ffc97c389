#pragma once
// Every live session, by id. Thread-safe. Sessions add themselves when accepted and remove
// themselves when they stop; the server walks the set to broadcast shutdown.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace swarmhub::tracker {

class session;

class session_registry {
 public:
  void add(std::uint64_t id, const std::shared_ptr<session>& s);
  void remove(std::uint64_t id);
  std::size_t size() const;
  std::shared_ptr<session> find(std::uint64_t id) const;

  // The sessions alive at the moment of the call; callers act on them outside the lock.
  std::vector<std::shared_ptr<session>> snapshot() const;

  // Called (from the thread that removed the last one) whenever the registry becomes empty.
  void on_empty(std::function<void()> callback);

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions_;
  std::function<void()> on_empty_;
};

}  // namespace swarmhub::tracker
