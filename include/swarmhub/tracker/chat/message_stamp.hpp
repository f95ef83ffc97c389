#pragma once
// Which stored message a line shows: its store id and the time the store took it. Room and
// direct messages are numbered apart. The IRC adapter shows them as the `msgid` and `time`
// tags (irc/connection.hpp), on what others receive and on the sender's own echo alike.

#include <cstdint>

namespace swarmhub::tracker {

struct message_stamp {
  std::int64_t id = 0;          // 0: no stored message
  std::int64_t sent_at_ms = 0;  // unix milliseconds; 0: unknown
  bool direct = false;
  std::uint32_t room_slot = 0;  // a room message's room in its session (chat_presence)
};

}  // namespace swarmhub::tracker
