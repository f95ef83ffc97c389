#pragma once
// The tracker's I/O threads' io_contexts, one per thread (see server.hpp), and their safe
// end. A handler that one context never ran (a fan-out job posted after its thread stopped)
// may hold a session of another context, and so that context's socket. So every
// context drops what it holds before any of them frees its services: destroyed one by one,
// a later context's leftovers would reach into an earlier one's freed services.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker {

// The I/O thread (of `threads`) a session lives on, by its id: the server accepts it onto that
// thread's context, and the room fan-out's shard of that number delivers to it there.
constexpr std::size_t home_thread(std::uint64_t session_id, std::size_t threads) {
  return static_cast<std::size_t>(session_id % threads);
}

class io_contexts {
 public:
  // `count` contexts (at least one), each told that a single thread runs it.
  explicit io_contexts(std::size_t count);
  ~io_contexts();
  io_contexts(const io_contexts&) = delete;
  io_contexts& operator=(const io_contexts&) = delete;

  asio::io_context& operator[](std::size_t i) { return *contexts_[i]; }
  std::size_t size() const { return contexts_.size(); }

 private:
  // execution_context's shutdown() and destroy() are protected: the two passes need them.
  struct context : asio::io_context {
    context() : asio::io_context(1) {}
    using asio::io_context::destroy;
    using asio::io_context::shutdown;
  };
  std::vector<std::unique_ptr<context>> contexts_;
};

}  // namespace swarmhub::tracker
