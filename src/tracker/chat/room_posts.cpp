#include "swarmhub/tracker/chat/room_posts.hpp"

#include <stdexcept>

#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {
namespace {

// Enough to make a burst cheap; small enough that one batch never holds the store thread
// (and the logins and lookups queued behind it) for long.
constexpr std::size_t max_batch = 256;

}  // namespace

room_posts::room_posts(tracker_core& core) : core_(core) {
  if (!core_.store || core_.store->threads() != 1) {
    throw std::logic_error("room messages need a store with exactly one thread (fan-out order)");
  }
}

void room_posts::enqueue(entry e) {
  bool schedule = false;
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(e));
    schedule = !scheduled_;
    scheduled_ = true;
  }
  if (schedule) core_.store->post([this](store::backend& db) { drain(db); });
}

void room_posts::drain(store::backend& db) {
  std::vector<entry> batch;
  bool more = false;
  {
    const std::lock_guard lock(mutex_);
    const auto take = std::min(queue_.size(), max_batch);
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    more = !queue_.empty();
    scheduled_ = more;
  }
  // Whatever came meanwhile goes behind the jobs already queued, not ahead of them.
  if (more) core_.store->post([this](store::backend& d) { drain(d); });
  if (batch.empty()) return;
  std::vector<store::backend::room_post> posts;
  posts.reserve(batch.size());
  for (const auto& e : batch) posts.push_back(e.post);
  std::vector<store::post_result> results;
  std::exception_ptr failure;
  try {
    results = db.post_room_messages(posts);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    for (auto& e : batch) e.done->complete(failure, {});
    return;
  }
  // A shared store's feed brings each message back to every tracker, this one too, in
  // commit order; alone, this tracker publishes the batch now, each session's share at once,
  // and the posters get their replies once it is handed out (room_fanout).
  const bool shared = relay::shared(core_);
  std::vector<std::pair<store::room_message, std::uint64_t>> stored;
  for (std::size_t i = 0; i < batch.size() && !shared; ++i) {
    if (results[i].result == store::status::ok)
      stored.emplace_back(results[i].message, batch[i].sender_session);
  }
  auto complete = [results = std::make_shared<std::vector<store::post_result>>(std::move(results)),
                   batch = std::make_shared<std::vector<entry>>(std::move(batch))] {
    for (std::size_t i = 0; i < batch->size(); ++i) {
      (*batch)[i].done->complete(nullptr, std::move((*results)[i]));
    }
  };
  if (shared) {
    complete();
  } else {
    core_.fanout.publish(core_, stored, std::move(complete));
  }
}

}  // namespace swarmhub::tracker
