#include "swarmhub/proto/line_framer.hpp"

namespace swarmhub::proto {

void line_framer::append(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void line_framer::compact() {
  if (start_ == 0) return;
  buffer_.erase(0, start_);
  start_ = 0;
}

void line_framer::release_if_empty() {
  if (buffered() > 0) return;
  std::string().swap(buffer_);
  start_ = scanned_ = 0;
}

std::optional<frame> line_framer::next() {
  for (;;) {
    const std::string_view pending = std::string_view(buffer_).substr(start_);
    const std::size_t lf = pending.find('\n', scanned_);
    if (lf == std::string_view::npos) {
      scanned_ = pending.size();
      // A trailing CR may still be the first half of a CRLF, so it does not count yet.
      const std::size_t content = pending.ends_with('\r') ? pending.size() - 1 : pending.size();
      if (discarding_ || content > max_line_) {
        buffer_.clear();
        start_ = scanned_ = 0;
        if (!discarding_) {
          discarding_ = true;
          return frame{frame::kind::too_long, {}};
        }
      }
      return std::nullopt;
    }
    std::string_view line = pending.substr(0, lf);
    start_ += lf + 1;
    scanned_ = 0;
    if (discarding_) {
      discarding_ = false;  // the overlong line ends here; it was already reported
      continue;
    }
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.size() > max_line_) return frame{frame::kind::too_long, {}};
    return frame{frame::kind::line, std::string(line)};
  }
}

}  // namespace swarmhub::proto
