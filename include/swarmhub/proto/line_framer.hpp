#pragma once
// Splits a byte stream into protocol lines (LF or CRLF), never holding more than the line
// limit plus one read's worth of bytes. Pure: no sockets, fed by whoever reads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace swarmhub::proto {

struct frame {
  enum class kind { line, too_long };
  kind what = kind::line;
  std::string text;  // the line without its terminator; empty for too_long
};

class line_framer {
 public:
  static constexpr std::size_t default_max_line = 64 * 1024;

  explicit line_framer(std::size_t max_line = default_max_line) : max_line_(max_line) {}

  // Adds bytes as they arrived from the peer. Call next() until it returns nothing before
  // appending again, so the buffer stays bounded.
  void append(std::string_view bytes);

  // The next complete frame, if any. A line longer than the limit yields one too_long frame
  // as soon as the limit is passed; the rest of that line, up to its terminator, is dropped.
  std::optional<frame> next();

  // Bytes of an unfinished line held right now (for tests and accounting).
  std::size_t buffered() const { return buffer_.size() - start_; }

  // Gives the buffer's memory back when it holds nothing (an idle connection keeps none).
  void release_if_empty();

 private:
  void compact();

  std::size_t max_line_;
  std::string buffer_;
  std::size_t start_ = 0;    // where the unconsumed bytes begin
  std::size_t scanned_ = 0;  // bytes after start_ already known to hold no LF
  bool discarding_ = false;  // inside an overlong line, waiting for its end
};

}  // namespace swarmhub::proto
