// The scripted console: commands from stdin (a pipe, a file or a terminal used as a plain
// stream), replies and events on stdout exactly as the protocol sends them, the client's own
// remarks on stderr.

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <deque>
#include <iostream>

#include "swarmhub/client/console.hpp"
#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

void print_reply_lines(const proto::reply& reply) {
  std::string out;
  for (const auto& line : reply.data) out += "- " + line + "\n";
  if (reply.ok) {
    out += reply.text.empty() ? "OK\n" : "OK " + reply.text + "\n";
  } else {
    out += "ERR " + reply.code + (reply.text.empty() ? "" : " " + reply.text) + "\n";
  }
  out = util::escaped_lines(out);  // tracker text never reaches the terminal raw
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

class script_console final : public console {
 public:
  explicit script_console(asio::any_io_executor executor) : input_(executor) {
    struct stat st {};
    // epoll cannot watch regular files; read those directly (they never block for long).
    regular_file_ = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    if (!regular_file_) input_.assign(::dup(STDIN_FILENO));
  }

  awaitable<std::optional<command_line>> read_command() override {
    for (;;) {
      if (auto frame = framer_.next()) {
        if (frame->what == proto::frame::kind::too_long) {
          std::cerr << "client: input line too long, skipped\n";
          continue;
        }
        if (auto command = read_command_line(frame->text)) co_return command;
        continue;
      }
      if (at_end_) co_return std::nullopt;
      std::array<char, 16 * 1024> buffer{};
      std::size_t n = 0;
      error_code ec;
      if (regular_file_) {
        const ssize_t got = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (got <= 0) ec = asio::error::eof;
        n = got > 0 ? static_cast<std::size_t>(got) : 0;
      } else {
        if (!input_.is_open()) co_return std::nullopt;
        n = co_await input_.async_read_some(asio::buffer(buffer),
                                            asio::redirect_error(use_awaitable, ec));
      }
      if (ec) {
        at_end_ = true;
        if (framer_.buffered() > 0 && ec == asio::error::eof) framer_.append("\n");
        continue;
      }
      framer_.append(std::string_view(buffer.data(), n));
    }
  }

  awaitable<std::optional<std::string>> read_secret(std::string_view /*prompt*/) override {
    co_return std::nullopt;
  }

  bool interactive() const override { return false; }

  void show_reply(const proto::reply& reply) override { print_reply_lines(reply); }

  void show_event(const proto::event& event) override {
    std::string line =
        event.name == unparsed ? event.text + '\n' : proto::format_event(event.name, event.text);
    line = util::escaped_lines(line);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

  void show_status(const std::vector<std::string>& lines) override {
    for (const auto& line : lines)
      show_event(proto::event{std::string(proto::events::progress), line});
  }

  void show_notice(std::string_view text) override {
    std::cerr << "client: " << util::escaped(text) << "\n";
  }

  void stop() override {
    at_end_ = true;
    error_code ec;
    input_.close(ec);
  }

 private:
  asio::posix::stream_descriptor input_;
  proto::line_framer framer_{1024 * 1024};
  bool regular_file_ = false;
  bool at_end_ = false;
};

}  // namespace

std::unique_ptr<console> make_script_console(asio::any_io_executor executor) {
  return std::make_unique<script_console>(executor);
}

}  // namespace swarmhub::client
