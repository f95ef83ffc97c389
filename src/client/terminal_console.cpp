// The interactive console: GNU readline in callback mode, driven by the io_context, so that
// lines from the tracker can be printed above the prompt while the user is typing.

#include <poll.h>
#include <termios.h>

#include <readline/history.h>
#include <readline/readline.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "swarmhub/client/commands.hpp"
#include "swarmhub/client/console.hpp"
#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

constexpr const char* prompt_text = "swarmhub> ";

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

char* complete_command(const char* text, int state) {
  static std::vector<std::string> words;
  static std::size_t index = 0;
  if (state == 0) {
    words = command_words();
    index = 0;
  }
  std::string_view typed(text);
  const bool slash = typed.starts_with('/');
  if (slash) typed.remove_prefix(1);
  while (index < words.size()) {
    const std::string& word = words[index++];
    if (word.starts_with(typed)) return strdup(((slash ? "/" : "") + word).c_str());
  }
  return nullptr;
}

char** complete(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names for the command word
  if (start != 0) {
    rl_attempted_completion_over = 0;  // arguments: paths are the useful default
    return nullptr;
  }
  return rl_completion_matches(text, complete_command);
}

// Splits off the first `n` words of `text`; the rest is the last element.
std::vector<std::string> words(std::string_view text, std::size_t n) {
  std::vector<std::string> out;
  while (out.size() < n) {
    const auto space = text.find(' ');
    if (space == std::string_view::npos) break;
    out.emplace_back(text.substr(0, space));
    text.remove_prefix(space + 1);
  }
  out.emplace_back(text);
  return out;
}

// How an event reads on a terminal.
std::string describe_event(const proto::event& e) {
  const auto w2 = words(e.text, 2);
  const auto w1 = words(e.text, 1);
  namespace events = proto::events;
  if (e.name == unparsed) return e.text;
  if (e.name == events::room && w2.size() == 3) return "[" + w2[0] + "] " + w2[1] + ": " + w2[2];
  if (e.name == events::msg && w1.size() == 2) return "(direct) " + w1[0] + ": " + w1[1];
  if (e.name == events::pair && w1.size() == 2) return "(pair) " + w1[0] + ": " + w1[1];
  if (e.name == events::paired) return "-- paired with " + e.text + "; your lines go to them";
  if (e.name == events::pair_ended && w1.size() == 2)
    return "-- " + w1[0] + " ended the pair (" + w1[1] + ")";
  if (e.name == events::joined && w1.size() == 2) return "-- " + w1[1] + " joined " + w1[0];
  if (e.name == events::left && w1.size() == 2) return "-- " + w1[1] + " left " + w1[0];
  if (e.name == events::join_request && w1.size() == 2) {
    return "-- " + w1[1] + " asks to join " + w1[0] + " (accept_request " + w1[0] + " " + w1[1] +
           ")";
  }
  if (e.name == events::pending_requests && w1.size() == 2) {
    return "-- " + w1[1] + " waiting request(s) to join " + w1[0] + " (list_requests " + w1[0] +
           ")";
  }
  if (e.name == events::request_accepted) return "-- you are now a member of " + e.text;
  if (e.name == events::request_rejected)
    return "-- your request to join " + e.text + " was turned down";
  if (e.name == events::owner && w1.size() == 2) return "-- you now own " + w1[0];
  return "[" + e.name + "] " + e.text;
}

class terminal_console;
terminal_console* active = nullptr;  // readline's callbacks are plain C functions

class terminal_console final : public console {
 public:
  explicit terminal_console(asio::any_io_executor executor)
      : input_(executor, ::dup(STDIN_FILENO)),
        line_ready_(executor, asio::steady_timer::time_point::max()) {
    active = this;
    rl_catch_signals = 0;  // Ctrl+C reaches the client's own handler: a clean leave
    rl_catch_sigwinch = 1;
    rl_readline_name = "swarmhub";
    rl_attempted_completion_function = complete;
    using_history();
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
    print_above_prompt(describe_event(event) + "\n");
  }

  void show_notice(std::string_view text) override {
    print_above_prompt("-- " + std::string(text) + "\n");
  }

  void stop() override {
    if (at_end_ && !installed_) return;
    at_end_ = true;
    if (installed_) {
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
      if (auto command = read_command_line(raw)) {
        // Lines that carry a password never enter the history.
        if (!command->carries_secret()) add_history(raw);
        active->lines_.push_back(std::move(*command));
      }
      std::free(raw);
    }
  }

  // Prints whole lines without mangling what the user is typing: the prompt and the
  // partial line are taken away, the text printed, and both put back.
  // Tracker text is escaped here, the one way to the terminal (util::escaped).
  void print_above_prompt(const std::string& raw) {
    const std::string text = util::escaped_lines(raw);
    if (!installed_) {
      std::fputs(text.c_str(), stdout);
      std::fflush(stdout);
      return;
    }
    // Erase the prompt line, print, and let readline draw prompt and partial line anew.
    rl_clear_visible_line();
    std::fputs(text.c_str(), stdout);
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
};

}  // namespace

std::unique_ptr<console> make_terminal_console(asio::any_io_executor executor) {
  return std::make_unique<terminal_console>(executor);
}

}  // namespace swarmhub::client
