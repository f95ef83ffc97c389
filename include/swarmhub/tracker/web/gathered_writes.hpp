#pragma once
// The stream a WebSocket writes through, below Beast: the channel queues a batch's text
// frames here itself, whole, and flushes them with one write. A batch of chat lines, one
// message each, then costs one write, without an operation of Beast's, a handler or an
// allocation per line (and over TLS one run of records instead of two a line: Beast writes a
// frame's head and body as two buffers).
//
// Beast's own writes (its handshake answer, pongs, close frames) still come through
// async_write_some: written straight through, whole (so that Beast never continues a frame
// after something else), when no flush is under way; queued behind the flush, and done at
// once, while one is. A flush waits for a write of Beast's that is under way. So two writes
// never reach `Next` at once, and frames never interleave.
//
// Lifetimes: a flush's `then` must keep the owner of this stream alive (the session does);
// what a write of Beast's leaves behind when it ends touches only the shared state, since the
// stream may be gone by then (Beast's operations do not keep it alive).

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker::web {

// A WebSocket text message of one frame from a server (RFC 6455, 5.2: FIN, opcode 1, no
// mask), appended to `out`.
void append_text_frame(std::string& out, std::string_view payload);

template <class Next>
class gathered_writes {
 public:
  using next_layer_type = std::remove_reference_t<Next>;
  using executor_type = typename next_layer_type::executor_type;
  using flushed = std::function<void(const error_code&)>;

  explicit gathered_writes(Next next) : next_(next), state_(std::make_shared<state>()) {
    state_->self = this;
  }
  ~gathered_writes() { state_->self = nullptr; }
  gathered_writes(const gathered_writes&) = delete;
  gathered_writes& operator=(const gathered_writes&) = delete;

  executor_type get_executor() { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }

  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return next_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          const auto size = asio::buffer_size(b);
          if (!state_->writing && state_->waiting.empty()) {
            ++state_->beast_writes;
            asio::async_write(
                next_, b,
                [st = state_, h = std::move(handler)](error_code ec, std::size_t n) mutable {
                  --st->beast_writes;
                  // A flush waits: its `then` keeps this stream alive.
                  if (st->beast_writes == 0 && !st->waiting.empty() && st->self) {
                    st->self->write_queued();
                  }
                  std::move(h)(ec, n);
                });
            return;
          }
          auto& queued = state_->queued;
          const auto at = queued.size();
          queued.resize(at + size);
          asio::buffer_copy(asio::buffer(queued.data() + at, size), b);
          asio::post(next_.get_executor(), [h = std::move(handler), size]() mutable {
            std::move(h)(error_code{}, size);
          });
        },
        token, buffers);
  }

  // Where a batch's frames are appended, whole, before flush().
  std::string& queue() { return state_->queued; }

  // Writes what is queued; `then` once it is written (with the first error, if any), never
  // from inside this call. `then` must keep this stream's owner alive.
  void flush(flushed then) {
    auto& st = *state_;
    if (!st.writing && st.queued.empty() && st.waiting.empty()) {
      asio::post(next_.get_executor(), [then = std::move(then)] { then({}); });
      return;
    }
    st.waiting.push_back(std::move(then));
    if (!st.writing && st.beast_writes == 0) write_queued();
  }

 private:
  struct state {
    gathered_writes* self = nullptr;  // null once the stream is gone
    std::size_t beast_writes = 0;     // Beast's, written straight through, under way
    bool writing = false;             // a write of the queue is under way
    std::string queued;               // not yet written
    std::string sending;              // being written
    std::vector<flushed> waiting;     // flushes, done when the queue is written
  };

  // One write of all that is queued; then the next, until nothing is left.
  void write_queued() {
    auto& st = *state_;
    if (st.queued.empty()) return finish({});
    st.writing = true;
    st.sending.swap(st.queued);
    asio::async_write(next_, asio::buffer(st.sending), [this](error_code ec, std::size_t) {
      auto& s = *state_;
      s.sending.clear();
      s.writing = false;
      if (ec) s.queued.clear();
      if (ec || s.queued.empty()) return finish(ec);
      write_queued();
    });
  }

  void finish(const error_code& ec) {
    auto& st = *state_;
    // A burst's room goes back once written: an idle connection keeps little.
    constexpr std::size_t kept = 4096;
    if (st.queued.capacity() > kept) std::string().swap(st.queued);
    if (st.sending.capacity() > kept) std::string().swap(st.sending);
    auto done = std::move(st.waiting);
    st.waiting.clear();
    for (auto& then : done) then(ec);  // the last may end the owner, and this stream
  }

  Next next_;
  std::shared_ptr<state> state_;
};

// Beast's closing of the WebSocket: the layer below's.
template <class Next>
void teardown(boost::beast::role_type role, gathered_writes<Next>& stream, error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, gathered_writes<Next>& stream,
                    Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<Handler>(handler));
}

}  // namespace swarmhub::tracker::web
