#pragma once
// Replies the client makes itself (its own commands, a tracker that went away), in the
// protocol's shape and with codes from the one catalogue (proto::error_code).

#include <string>
#include <utility>
#include <vector>

#include "swarmhub/proto/error_code.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

inline proto::reply ok_reply(std::string text, std::vector<std::string> data = {}) {
  return proto::reply{true, {}, std::move(text), std::move(data)};
}

inline proto::reply error_reply(proto::error_code code, std::string text) {
  return proto::reply{false, std::string(proto::wire_name(code)), std::move(text), {}};
}

// For a request the tracker did not answer: whether it did it is unknown, so say so rather
// than guess.
inline proto::reply connection_lost_reply() {
  return error_reply(proto::error_code::connection_lost,
                     "the tracker went away before answering; send it again if it is still "
                     "needed");
}

}  // namespace swarmhub::client
