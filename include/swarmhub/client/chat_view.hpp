#pragma once
// How events read on a terminal, as irssi shows them: a [HH:MM] timestamp, a colour per room
// and per nick, `/me` lines as actions, and the user's own name highlighted, with a bell, in
// other people's lines. Pure, apart from clock_now() and colour_wanted().

#include <string>
#include <string_view>

#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

struct chat_look {
  bool colour = false;  // SGR colours (see colour_wanted)
  std::string me;       // the user logged in, "" before a login
};

struct shown_line {
  std::string text;   // one or more lines without the final LF, fit for a terminal: every
                      // piece of tracker text in it is escaped (util::escaped)
  bool bell = false;  // someone else's line names the user
};

// `clock` is the time shown, "HH:MM".
shown_line render_event(const proto::event& event, const chat_look& look, std::string_view clock);

// The local time as HH:MM.
std::string clock_now();

// True unless NO_COLOR is set to a non-empty value or stdout is not a terminal.
bool colour_wanted();

}  // namespace swarmhub::client
