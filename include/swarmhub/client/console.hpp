#pragma once
// Where the client's user is: a terminal (line editing, history, completion, messages
// printed above the prompt) or a script (one command per line on stdin, raw protocol lines
// on stdout). The app talks to both through this interface.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/client/commands.hpp"
#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

class console {
 public:
  virtual ~console() = default;

  // The next command the user gave, read once (blank lines and comments passed over), or
  // nothing at end of input (Ctrl+D, end of the script) or after stop().
  virtual awaitable<std::optional<command_line>> read_command() = 0;

  // Asks for a password without echoing it; nothing when there is no terminal to ask on.
  virtual awaitable<std::optional<std::string>> read_secret(std::string_view prompt) = 0;

  // True when a person is typing (a terminal), false for scripts.
  virtual bool interactive() const = 0;

  virtual void show_reply(const proto::reply& reply) = 0;
  // Events of the tracker and of the client itself; one named `unparsed` (tracker_link.hpp)
  // is a line that was neither a reply nor an event, shown as it came.
  virtual void show_event(const proto::event& event) = 0;
  // The client's own remarks ("connected to ...", "connection lost").
  virtual void show_notice(std::string_view text) = 0;

  // The live status of running downloads (status_lines.hpp), replacing the last one; none
  // when nothing downloads. A terminal keeps it below the chat, redrawn in place; a script
  // prints each line as `* PROGRESS <line>` (the app calls this only with --progress).
  virtual void show_status(const std::vector<std::string>& lines) = 0;
  // A reply to a listing, whose names Tab then offers (completions.hpp).
  virtual void learn(const command_line& /*command*/, const proto::reply& /*reply*/) {}
  // The user now logged in ("" after a logout): their name is highlighted in others' lines.
  virtual void set_user(std::string_view /*user*/) {}

  // Ends a pending read_line() and gives the terminal back as it was. Idempotent.
  virtual void stop() = 0;
};

// Reads stdin as a stream of commands; prints replies and events as protocol lines.
std::unique_ptr<console> make_script_console(asio::any_io_executor executor);

// A readline prompt on the terminal; `history_file` ("" for none) keeps the lines typed
// between runs (0600, the last 1000).
std::unique_ptr<console> make_terminal_console(asio::any_io_executor executor,
                                               std::string history_file);

}  // namespace swarmhub::client
