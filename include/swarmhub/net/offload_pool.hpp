#pragma once
// Threads for blocking work (database calls, password hashing), so that the threads serving
// sockets never block. run() resumes the awaiting coroutine on its own executor.

#include <cstddef>
#include <exception>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::net {

class offload_pool {
 public:
  explicit offload_pool(std::size_t threads) : pool_(threads) {}
  ~offload_pool() { stop(); }
  offload_pool(const offload_pool&) = delete;
  offload_pool& operator=(const offload_pool&) = delete;

  // Runs `work()` on one of the pool's threads and returns its result (or rethrows what it
  // threw) to the awaiting coroutine, on that coroutine's executor. `work` must return a
  // default-constructible value.
  //
  // GCC 12 destroys some temporaries of a co_await expression twice, among them a capturing
  // lambda written inline in the call. So: this is a plain initiation (no coroutine lambda),
  // it takes `work` by reference, and callers name the lambda before awaiting:
  //   auto job = [=] { ... };
  //   auto value = co_await pool.run(std::move(job));
  template <class F>
  awaitable<std::invoke_result_t<std::decay_t<F>&>> run(F&& work) {
    using job_type = std::decay_t<F>;
    using result = std::invoke_result_t<job_type&>;
    return asio::async_initiate<decltype(use_awaitable), void(std::exception_ptr, result)>(
        [this](auto handler, job_type job) {
          asio::post(pool_, [handler = std::move(handler), job = std::move(job)]() mutable {
            std::exception_ptr failure;
            result value{};
            try {
              value = job();
            } catch (...) {
              failure = std::current_exception();
            }
            auto home = asio::get_associated_executor(handler);
            asio::dispatch(
                home, [handler = std::move(handler), failure, value = std::move(value)]() mutable {
                  std::move(handler)(failure, std::move(value));
                });
          });
        },
        use_awaitable, std::forward<F>(work));
  }

  // Runs `work()` on the pool without waiting for it. What it throws is logged and dropped.
  template <class F>
  void post(F&& work) {
    asio::post(pool_, [job = std::forward<F>(work)]() mutable {
      try {
        job();
      } catch (const std::exception& e) {
        spdlog::error("background work failed: {}", e.what());
      }
    });
  }

  // Waits for queued work to finish and joins the threads. Idempotent.
  void stop() { pool_.join(); }

 private:
  asio::thread_pool pool_;
};

}  // namespace swarmhub::net
