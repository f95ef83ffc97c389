#pragma once
// The stream a WebSocket writes through, below Beast: the channel queues a batch's text
// frames here itself, whole, and flushes them with one write. A batch of chat lines, one
// message each, then costs one write, without an operation of Beast's, a handler or an
// allocation per line (and over TLS one run of records instead of two a line: Beast writes a
// frame's head and body as two buffers).
//
// Beast's own writes (its handshake answer, pongs, close frames) still come through
// async_write_some. Every write, Beast's or a flush of the queue, and Beast's teardown, is a
// step: one runs at a time (a TLS stream takes one write at a time, and a close_notify must
// not go out beside a write), in the order they were asked for, and each of Beast's is done
// only once it is written (whole: Beast never continues a frame after something else). So
// while a batch is stuck behind a client that does not read, Beast's pong waits too, holding
// Beast's write lock, and its reader, which needs the lock for the next pong, stops reading:
// a client that pings without reading makes the tracker queue nothing more (the write
// timeout then ends it). A batch is never queued once Beast has begun to close (ws_channel
// checks is_open()), so no data frame follows a close frame.
//
// Lifetimes: a flush's `then` must keep the owner of this stream alive (the session does);
// what a write ends with touches only the shared state, since the stream may be gone by then
// (Beast's operations do not keep it alive).

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <deque>
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
          // Beast keeps `b` alive until its handler runs, however long it waits here.
          run_or_defer([b, h = std::move(handler)](gathered_writes& self) mutable {
            self.write_through(b, std::move(h));
          });
        },
        token, buffers);
  }

  // Where a batch's frames are appended, whole, before flush().
  std::string& queue() { return state_->queued; }

  // Writes what is queued; `then` once it is written (with the first error, if any), never
  // from inside this call. `then` must keep this stream's owner alive. What is queued and
  // flushed while a write is under way goes in the next write.
  void flush(flushed then) {
    auto& st = *state_;
    if (!busy() && st.queued.empty() && st.waiting.empty()) {
      asio::post(next_.get_executor(), [then = std::move(then)] { then({}); });
      return;
    }
    st.flushes.push_back(std::move(then));
    // One write for every flush asked for before it starts.
    if (!std::exchange(st.write_waiting, true)) {
      run_or_defer([](gathered_writes& self) { self.write_queued(); });
    }
  }

  // Runs `step` (which starts a write or the teardown) now if nothing is being written, or
  // once what is being written and what waits before it are done: in the order asked.
  template <class Step>
  void run_or_defer(Step step) {
    if (!busy() && state_->waiting.empty()) {
      step(*this);
      return;
    }
    state_->waiting.push_back(std::make_unique<deferred_step<Step>>(std::move(step)));
  }

 private:
  // A write of Beast's, a write of the queue or the teardown, waiting for the steps before it.
  struct deferred {
    virtual ~deferred() = default;
    virtual void run(gathered_writes& self) = 0;
  };
  template <class Step>
  struct deferred_step final : deferred {
    explicit deferred_step(Step s) : step(std::move(s)) {}
    void run(gathered_writes& self) override { step(self); }
    Step step;
  };

  struct state {
    gathered_writes* self = nullptr;                // null once the stream is gone
    bool writing = false;                           // a write of the queue is under way
    bool beast_writing = false;                     // one of Beast's, or the teardown, is under way
    std::string queued;                             // not yet written
    std::string sending;                            // being written
    std::vector<flushed> flushes;                   // done when the next write of the queue is
    std::vector<flushed> sending_flushes;           // done when `sending` is written
    bool write_waiting = false;                     // a write of the queue is among `waiting`
    error_code failed;                              // the first write of the queue that failed
    std::deque<std::unique_ptr<deferred>> waiting;  // Beast's writes and the teardown, in order
  };

  bool busy() const { return state_->writing || state_->beast_writing; }

  template <class Buffers, class Handler>
  void write_through(const Buffers& b, Handler handler) {
    asio::async_write(next_, b, beast_step_done(std::move(handler)));
  }

 public:
  // Beast's teardown, the next step once nothing is being written (async_teardown below).
  template <class Handler>
  void teardown_through(boost::beast::role_type role, Handler handler) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, next_, beast_step_done(std::move(handler)));
  }

 private:
  // Marks a step of Beast's under way; its handler ends it, starts what waits, then runs
  // Beast's handler (on the executor Beast's handler asks for).
  template <class Handler>
  auto beast_step_done(Handler handler) {
    state_->beast_writing = true;
    const auto where = asio::get_associated_executor(handler, next_.get_executor());
    return asio::bind_executor(where,
                               [st = state_, h = std::move(handler)](auto... results) mutable {
                                 st->beast_writing = false;
                                 if (st->self) st->self->next_step();
                                 std::move(h)(results...);
                               });
  }

  // Once nothing is being written: the step that waited longest.
  void next_step() {
    auto& st = *state_;
    if (busy() || st.waiting.empty()) return;
    auto step = std::move(st.waiting.front());
    st.waiting.pop_front();
    step->run(*this);
  }

  // One write of all that is queued, then the flushes asked for so far are done.
  void write_queued() {
    auto& st = *state_;
    st.write_waiting = false;
    if (st.failed || st.queued.empty()) {
      // Nothing to write (or nothing can be: a write failed, and what was queued after it
      // went): done in turn, with that write's error, after the `then`s before them.
      st.queued.clear();
      asio::post(next_.get_executor(), [done = std::move(st.flushes), ec = st.failed]() mutable {
        for (auto& then : done) then(ec);
      });
      st.flushes.clear();
      return next_step();
    }
    st.sending_flushes = std::move(st.flushes);
    st.flushes.clear();
    st.writing = true;
    st.sending.swap(st.queued);
    asio::async_write(next_, asio::buffer(st.sending), [st = state_](error_code ec, std::size_t) {
      st->sending.clear();
      st->writing = false;
      if (ec) {
        st->failed = ec;
        st->queued.clear();
      }
      if (st->self) st->self->finish(ec);
    });
  }

  void finish(const error_code& ec) {
    auto& st = *state_;
    // A burst's room goes back once written: an idle connection keeps little.
    constexpr std::size_t kept = 4096;
    if (st.queued.empty() && st.queued.capacity() > kept) std::string().swap(st.queued);
    if (st.sending.capacity() > kept) std::string().swap(st.sending);
    auto done = std::move(st.sending_flushes);
    st.sending_flushes.clear();
    // A write of Beast's that waited starts before the owner hears of this flush and queues
    // its next batch behind it: a pong is not held back by a steady stream of batches.
    const auto keep = state_;
    next_step();
    for (auto& then : done) then(ec);  // the last may end the owner, and this stream
  }

  Next next_;
  std::shared_ptr<state> state_;
};

// Beast's closing of the WebSocket: the layer below's, once nothing is being written.
template <class Next>
void teardown(boost::beast::role_type role, gathered_writes<Next>& stream, error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <class Next, class Handler>
void async_teardown(boost::beast::role_type role, gathered_writes<Next>& stream,
                    Handler&& handler) {
  stream.run_or_defer([role, h = std::forward<Handler>(handler)](auto& self) mutable {
    self.teardown_through(role, std::move(h));
  });
}

}  // namespace swarmhub::tracker::web
