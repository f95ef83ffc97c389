#pragma once
// How the client reads chat lines as irssi does: `/me`, `/join`, `/part`, `/query`, plain
// lines that go to a queried user, and a first word that is a command mistyped ("lsit_files
// team") answered with a question instead of being posted. Pure: the app sends what it says.

#include <optional>
#include <string>
#include <string_view>

#include "swarmhub/client/commands.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

// Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions),
// ASCII case-insensitive.
int edit_distance(std::string_view a, std::string_view b);

// The command `word` is most likely a typo of, if any: at least 3 letters and at most 2
// edits away, and at most one edit per 3 letters (so that "hello" is not "help").
std::optional<std::string> near_command(std::string_view word);

class chat_mode {
 public:
  struct outcome {
    std::optional<proto::reply> answer;  // answered here; nothing goes to the tracker
    std::optional<command_line> send;    // what goes to the tracker instead of the line
    std::string join_if_refused;         // /join: ask to join this group if not a member
  };

  // The reading of `line`; an outcome with neither answer nor send leaves it as it is.
  outcome read(const command_line& line);

  // The user queried, "" when none.
  const std::string& query() const { return query_; }
  // After a logout, a failover that lost the login, or /part.
  void end_query() { query_.clear(); }

 private:
  std::string query_;
};

}  // namespace swarmhub::client
