#pragma once
// Room messages are stored in batches: while the store thread commits one batch, the posts
// that arrive meanwhile gather into the next, which then costs one durable commit (group
// commit). A lone post is stored at once, as before; a burst no longer pays one disk flush
// per message. The fan-out follows each commit on the store thread, in id order.
//
// That order holds only while the store has exactly one thread: with two, two batches (or a
// batch and a feed event) could be fanned out at once, in either order. The constructor
// refuses any other store.

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::tracker {

struct tracker_core;

class room_posts {
 public:
  // Throws std::logic_error unless core.store (constructed already) runs one thread.
  explicit room_posts(tracker_core& core);

  // Stores `post` (in a batch) and, without a shared store's feed, publishes it to the room
  // except `sender_session`; then completes `token` with (exception_ptr, post_result) on the
  // token's executor. Name the argument before awaiting (GCC 12, see offload_pool::run).
  template <class Token>
  auto post(store::backend::room_post post, std::uint64_t sender_session, Token&& token);

 private:
  // A waiting poster's completion, whatever its handler's type.
  struct waiter {
    virtual ~waiter() = default;
    virtual void complete(std::exception_ptr failure, store::post_result result) = 0;
  };
  template <class Handler>
  struct waiter_for;
  struct entry {
    store::backend::room_post post;
    std::uint64_t sender_session = 0;
    std::unique_ptr<waiter> done;
  };

  void enqueue(entry e);
  void drain(store::backend& db);  // on the store thread

  tracker_core& core_;
  std::mutex mutex_;
  std::vector<entry> queue_;
  bool scheduled_ = false;  // a drain is queued on the store thread
};

template <class Handler>
struct room_posts::waiter_for final : room_posts::waiter {
  explicit waiter_for(Handler h) : handler(std::move(h)) {}
  void complete(std::exception_ptr failure, store::post_result result) override {
    auto home = asio::get_associated_executor(handler);
    asio::dispatch(home, [h = std::move(handler), failure, r = std::move(result)]() mutable {
      std::move(h)(failure, std::move(r));
    });
  }
  Handler handler;
};

template <class Token>
auto room_posts::post(store::backend::room_post post, std::uint64_t sender_session, Token&& token) {
  return asio::async_initiate<Token, void(std::exception_ptr, store::post_result)>(
      [this, sender_session](auto handler, store::backend::room_post p) {
        using handler_type = decltype(handler);
        enqueue(entry{std::move(p), sender_session,
                      std::make_unique<waiter_for<handler_type>>(std::move(handler))});
      },
      token, std::move(post));
}

}  // namespace swarmhub::tracker
