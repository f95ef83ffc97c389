#include "swarmhub/tracker/chat/chat_log.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker {

chat_log::chat_log(const std::string& path) {
  if (path.empty()) return;
  file_ = std::fopen(path.c_str(), "ae");
  if (file_ == nullptr) {
    throw std::runtime_error("cannot open chat log " + path + ": " + std::strerror(errno));
  }
}

chat_log::~chat_log() {
  close();
}

void chat_log::close() {
  writer_.join();
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

std::string chat_log::format_line(std::int64_t unix_ms, std::string_view room,
                                  std::string_view sender, std::string_view text) {
  std::string line = util::iso_utc_ms(unix_ms);
  line += " [";
  line += room;
  line += "] ";
  line += sender;
  line += ": ";
  // Belt and braces: whatever slipped through is made harmless for a terminal `cat`.
  line += util::printable(text, text.size() + 1);
  line += '\n';
  return line;
}

void chat_log::append(std::int64_t unix_ms, std::string_view room, std::string_view sender,
                      std::string_view text) {
  if (file_ == nullptr) return;
  asio::post(writer_, [this, line = format_line(unix_ms, room, sender, text)] {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
  });
}

}  // namespace swarmhub::tracker
