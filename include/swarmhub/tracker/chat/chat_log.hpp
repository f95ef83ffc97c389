#pragma once
// chat.log (C5): one plain-text line per room, pair (and, if asked, direct) message:
//   2026-11-21T15:42:07.123Z [rust] alice: hello
// Appended in the order it is given, on a thread of its own so that a slow disk never holds
// up a socket. Text reaching here was already refused if it held control characters.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "swarmhub/net/asio.hpp"

namespace swarmhub::tracker {

class chat_log {
 public:
  // An empty `path` logs nothing. Throws std::runtime_error when the file cannot be opened.
  explicit chat_log(const std::string& path);
  ~chat_log();
  chat_log(const chat_log&) = delete;
  chat_log& operator=(const chat_log&) = delete;

  // Any thread. Lines from one thread keep their order.
  void append(std::int64_t unix_ms, std::string_view room, std::string_view sender,
              std::string_view text);

  // Writes what is queued and stops. Idempotent.
  void close();

  static std::string format_line(std::int64_t unix_ms, std::string_view room,
                                 std::string_view sender, std::string_view text);

 private:
  std::FILE* file_ = nullptr;
  asio::thread_pool writer_{1};
};

}  // namespace swarmhub::tracker
