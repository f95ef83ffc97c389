#include "swarmhub/tracker/conn/session_registry.hpp"

namespace swarmhub::tracker {

void session_registry::add(std::uint64_t id, const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  sessions_.emplace(id, s);
}

void session_registry::remove(std::uint64_t id) {
  std::function<void()> notify;
  {
    const std::lock_guard lock(mutex_);
    if (sessions_.erase(id) == 0 || !sessions_.empty()) return;
    notify = on_empty_;
  }
  if (notify) notify();
}

std::size_t session_registry::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::shared_ptr<session> session_registry::find(std::uint64_t id) const {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.lock();
}

std::vector<std::shared_ptr<session>> session_registry::snapshot() const {
  std::vector<std::shared_ptr<session>> out;
  const std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (const auto& [id, weak] : sessions_) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

void session_registry::on_empty(std::function<void()> callback) {
  const std::lock_guard lock(mutex_);
  on_empty_ = std::move(callback);
}

}  // namespace swarmhub::tracker
