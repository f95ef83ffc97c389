// The interactive console: GNU readline in callback mode, driven by the io_context, so that
// lines from the tracker can be printed above the prompt while the user is typing.

#include <poll.h>
#include <termios.h>

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <fmt/format.h>

#include "swarmhub/client/chat_view.hpp"
#include "swarmhub/client/commands.hpp"
#include "swarmhub/client/completions.hpp"
#include "swarmhub/client/console.hpp"
#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

constexpr const char* prompt_text = "swarmhub> ";
constexpr int history_limit = 1000;

// Candidate words for completing the first word of a line: every command name and alias.
std::vector<std::string> command_words() {
  std::vector<std::string> words;
  for (const auto& c : local_commands()) words.emplace_back(c.name);
  for (const auto& spec : proto::command_table()) {
    words.emplace_back(spec.name);
    for (auto alias : spec.aliases) {
      if (!alias.empty()) words.emplace_back(alias);
    }
  }
  return words;
}

// The words readline offers for the word being completed (set before each completion).
std::vector<std::string> offered;
bool slash_commands = false;  // the first word was typed with a '/'

char* next_offered(const char* text, int state) {
  static std::size_t index = 0;
  if (state == 0) index = 0;
  std::string_view typed(text);
  if (slash_commands) typed.remove_prefix(1);
  while (index < offered.size()) {
    const std::string& word = offered[index++];
    if (word.starts_with(typed)) return strdup(((slash_commands ? "/" : "") + word).c_str());
  }
  return nullptr;
}

// At most `columns` characters of `line` (UTF-8 aware), so that it never wraps.
std::string fit(const std::string& line, int columns) {
  int shown = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const bool lead = (static_cast<unsigned char>(line[i]) & 0xC0) != 0x80;
    if (lead && ++shown > columns) return line.substr(0, i);
  }
  return line;
}

class terminal_console;
terminal_console* active = nullptr;  // readline's callbacks are plain C functions

class terminal_console final : public console {
 public:
  terminal_console(asio::any_io_executor executor, std::string history_file)
      : input_(executor, ::dup(STDIN_FILENO)),
        line_ready_(executor, asio::steady_timer::time_point::max()),
        history_file_(std::move(history_file)) {
    active = this;
    look_.colour = colour_wanted();
    rl_catch_signals = 0;  // Ctrl+C reaches the client's own handler: a clean leave
    rl_catch_sigwinch = 1;
    rl_readline_name = "swarmhub";
    rl_attempted_completion_function = &terminal_console::complete;
    using_history();
    stifle_history(history_limit);
    if (!history_file_.empty()) read_history(history_file_.c_str());
    rl_callback_handler_install(prompt_text, &terminal_console::on_line);
    installed_ = true;
  }

  ~terminal_console() override {
    stop();
    active = nullptr;
  }

  awaitable<std::optional<command_line>> read_command() override {
    while (lines_.empty() && !at_end_) {
      if (!reading_) {
        reading_ = true;
        input_.async_wait(asio::posix::stream_descriptor::wait_read, [this](error_code ec) {
          reading_ = false;
          if (ec || at_end_) return;
          rl_callback_read_char();  // may call on_line()
          line_ready_.cancel();
        });
      }
      error_code ec;
      line_ready_.expires_at(asio::steady_timer::time_point::max());
      co_await line_ready_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (lines_.empty()) co_return std::nullopt;
    command_line command = std::move(lines_.front());
    lines_.pop_front();
    co_return command;
  }

  awaitable<std::optional<std::string>> read_secret(std::string_view prompt) override {
    // A short blocking read while the person types; the tracker's lines wait meanwhile.
    if (installed_) rl_callback_handler_remove();
    termios saved{};
    const bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ICANON;
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    std::fflush(stdout);
    std::string secret;
    bool ended = false;
    for (;;) {
      char c = 0;
      const ssize_t n = ::read(STDIN_FILENO, &c, 1);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        // Asio made stdin non-blocking; wait for the next key instead.
        pollfd p{STDIN_FILENO, POLLIN, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      if (n <= 0) {
        ended = true;
        break;
      }
      if (c == '\n') break;
      secret += c;
    }
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stdout);
    if (installed_) rl_callback_handler_install(prompt_text, &terminal_console::on_line);
    if (ended) co_return std::nullopt;
    co_return secret;
  }

  bool interactive() const override { return true; }

  void show_reply(const proto::reply& reply) override {
    std::string out;
    for (const auto& line : reply.data) out += "  " + line + "\n";
    if (reply.ok) {
      if (!reply.text.empty()) out += reply.text + "\n";
    } else {
      out += "error: " + reply.text + " [" + reply.code + "]\n";
    }
    print_above_prompt(out);
  }

  void show_event(const proto::event& event) override {
    // The app reports the connection itself, and a login's reply says who logged in.
    if (event.name == proto::events::hello || event.name == proto::events::logged_in) return;
    const auto shown = render_event(event, look_, clock_now());
    redraw(shown.text + "\n" + (shown.bell ? "\a" : ""));
  }

  void show_notice(std::string_view text) override {
    print_above_prompt("-- " + std::string(text) + "\n");
  }

  void show_status(const std::vector<std::string>& lines) override {
    status_.clear();
    for (const auto& line : lines) status_.push_back(util::escaped(line));
    redraw("");
  }

  void learn(const command_line& command, const proto::reply& reply) override {
    names_.learn(command, reply);
  }

  void set_user(std::string_view user) override { look_.me = std::string(user); }

  void stop() override {
    if (at_end_ && !installed_) return;
    at_end_ = true;
    if (installed_) {
      status_.clear();
      redraw("");
      rl_callback_handler_remove();
      installed_ = false;
      std::fputs("\n", stdout);
      std::fflush(stdout);
    }
    error_code ec;
    input_.close(ec);
    line_ready_.cancel();
  }

 private:
  static void on_line(char* raw) {
    if (active == nullptr) return;
    if (raw == nullptr) {  // Ctrl+D on an empty line
      active->at_end_ = true;
    } else {
      active->drop_status_above(raw);
      if (auto command = read_command_line(raw)) {
        // Lines that carry a password never enter the history.
        if (!command->carries_secret()) active->remember(raw);
        active->lines_.push_back(std::move(*command));
      }
      std::free(raw);
    }
  }

  static char** complete(const char* text, int start, int /*end*/) {
    rl_attempted_completion_over = 1;  // never fall back to file names unless a path is wanted
    slash_commands = false;
    if (active == nullptr) return nullptr;
    if (start == 0) {
      offered = command_words();
      slash_commands = text[0] == '/';
    } else {
      auto names = active->names_.candidates(std::string_view(rl_line_buffer, start));
      if (!names) {
        rl_attempted_completion_over = 0;  // a path: readline's file names
        return nullptr;
      }
      offered = std::move(*names);
    }
    return rl_completion_matches(text, next_offered);
  }

  // Keeps `line` in the history, and in the history file (0600, the last history_limit).
  void remember(const char* line) {
    add_history(line);
    if (history_file_.empty()) return;
    const int fd = ::open(history_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0) return;  // history is a comfort: no history file is no error
    ::fchmod(fd, 0600);
    ::close(fd);
    append_history(1, history_file_.c_str());
    history_truncate_file(history_file_.c_str(), history_limit);
  }

  // Readline has just moved below the line the user entered, under the status lines: those
  // are taken out (the line moves up over them) so that no stale status stays on screen.
  void drop_status_above(const char* line) {
    if (status_rows_ == 0) return;
    int rows = 0;
    int columns = 0;
    rl_get_screen_size(&rows, &columns);
    const auto width = std::strlen(prompt_text) + std::strlen(line);
    const int input_rows = columns > 0 ? static_cast<int>(width) / columns + 1 : 1;
    const std::string out = fmt::format("\x1b[{}A\r\x1b[{}M\x1b[{}B", status_rows_ + input_rows,
                                        status_rows_, input_rows);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    status_rows_ = 0;
  }

  // Prints whole lines without mangling what the user is typing.
  // Tracker text is escaped here, the one way to the terminal (util::escaped).
  void print_above_prompt(const std::string& raw) { redraw(util::escaped_lines(raw)); }

  // `safe` (lines fit for the terminal, or "") printed above the status lines and the prompt:
  // the prompt with the partial line and the old status lines are taken away, the text and
  // the status printed, and readline draws prompt and partial line anew.
  void redraw(const std::string& safe) {
    if (!installed_) {
      std::fputs(safe.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    rl_clear_visible_line();  // the cursor is now at the start of the prompt's first row
    std::string out;
    for (int i = 0; i < status_rows_; ++i) out += "\x1b[1A\x1b[2K";
    out += "\r";
    out += safe;
    int rows = 0;
    int columns = 0;
    rl_get_screen_size(&rows, &columns);
    for (const auto& line : status_) out += fit(line, columns > 1 ? columns - 1 : 79) + "\n";
    status_rows_ = static_cast<int>(status_.size());
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    rl_on_new_line();
    rl_redisplay();
  }

  asio::posix::stream_descriptor input_;
  asio::steady_timer line_ready_;
  std::deque<command_line> lines_;
  bool reading_ = false;
  bool at_end_ = false;
  bool installed_ = false;
  std::string history_file_;
  chat_look look_;
  completions names_;
  std::vector<std::string> status_;  // escaped
  int status_rows_ = 0;              // status lines on screen above the prompt
};

}  // namespace

std::unique_ptr<console> make_terminal_console(asio::any_io_executor executor,
                                               std::string history_file) {
  return std::make_unique<terminal_console>(executor, std::move(history_file));
}

}  // namespace swarmhub::client
