#include "swarmhub/client/chat_mode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "swarmhub/client/replies.hpp"
#include "swarmhub/proto/request.hpp"

namespace swarmhub::client {
namespace {

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

command_line must_read(const std::string& text) {
  return *read_command_line(text);  // never blank: each caller builds a command
}

}  // namespace

int edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

std::optional<std::string> near_command(std::string_view word) {
  if (word.starts_with('/')) word.remove_prefix(1);
  if (word.size() < 3) return std::nullopt;
  const int most = std::min<int>(2, static_cast<int>(word.size()) / 3);
  std::optional<std::string> best;
  int best_distance = most + 1;
  const auto consider = [&](std::string_view name) {
    if (name.empty()) return;
    const int d = edit_distance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(name);
    }
  };
  for (const auto& c : local_commands()) consider(c.name);
  for (const auto& spec : proto::command_table()) {
    consider(spec.name);
    for (auto alias : spec.aliases) consider(alias);
  }
  return best;
}

chat_mode::outcome chat_mode::read(const command_line& line) {
  outcome out;
  const auto& a = line.args.values;
  if (line.local != nullptr) {
    const auto count = static_cast<int>(a.size());
    const bool fits =
        line.args.error.empty() && count >= line.local->min_args && count <= line.local->max_args;
    // Not a switch: the file commands (file_sharing) are not this class's business.
    const auto id = line.local->id;
    using enum local_command_id;
    if (id == me) {
      if (fits) out.send = must_read("say /me " + a[0]);
    } else if (id == join) {
      if (fits) {
        out.send = must_read("room " + proto::quote_argument(a[0]));
        out.join_if_refused = a[0];
      }
    } else if (id == part) {
      query_.clear();
      out.send = must_read("room lobby");
    } else if (id == query) {
      if (fits && a.empty()) {
        out.answer = ok_reply(query_.empty() ? "no query to end"
                                             : fmt::format("query with {} ended", query_));
        query_.clear();
      } else if (fits) {
        query_ = a[0];
        out.answer = ok_reply(fmt::format(
            "plain lines now go to {} as direct messages (/query alone to stop)", query_));
      }
    } else {
      return out;
    }
    if (!fits) {
      out.answer = error_reply(proto::error_code::bad_arguments,
                               fmt::format("usage: {}", line.local->usage));
    }
    return out;
  }
  if (line.tracker != nullptr) return out;
  // A plain line: chat, unless its first word looks like a mistyped command.
  const auto verb = proto::split_verb(line.text).verb;
  if (auto near = near_command(verb)) {
    out.answer = error_reply(proto::error_code::unknown_command,
                             fmt::format("did you mean {}? (use say to post it)", *near));
    return out;
  }
  if (!query_.empty() && !verb.starts_with('/')) {
    out.send = must_read("msg " + query_ + " " + line.text);
  }
  return out;
}

}  // namespace swarmhub::client
