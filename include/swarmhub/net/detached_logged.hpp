#pragma once
// A co_spawn completion token for coroutines nobody waits for: like asio::detached, but an
// escaping exception is logged instead of vanishing.

#include <exception>
#include <string_view>

#include <spdlog/spdlog.h>

namespace swarmhub::net {

struct detached_logged {
  std::string_view what;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("{} failed: {}", what, ex.what());
    } catch (...) {
      spdlog::error("{} failed with an unknown exception", what);
    }
  }
};

}  // namespace swarmhub::net
