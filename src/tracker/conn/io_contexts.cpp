#include "swarmhub/tracker/conn/io_contexts.hpp"

#include <algorithm>

namespace swarmhub::tracker {

io_contexts::io_contexts(std::size_t count) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, count); ++i) {
    contexts_.push_back(std::make_unique<context>());
  }
}

io_contexts::~io_contexts() {
  for (auto& c : contexts_) c->shutdown();  // every leftover handler goes, services stay
  for (auto& c : contexts_) c->destroy();   // then the services
}

}  // namespace swarmhub::tracker
