#include "swarmhub/client/chat_view.hpp"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "swarmhub/client/tracker_link.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

namespace events = proto::events;

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

class painter {
 public:
  explicit painter(bool colour) : colour_(colour) {}

  // `name` escaped, in its own colour: the same name always in the same one.
  std::string named(std::string_view name) const {
    static constexpr std::array<int, 6> palette{31, 32, 33, 34, 35, 36};
    std::uint32_t h = 2166136261u;  // FNV-1a over the ASCII-folded name
    for (char c : name) h = (h ^ static_cast<unsigned char>(util::ascii_lower(c))) * 16777619u;
    return sgr(palette[h % palette.size()], util::escaped(name));
  }
  std::string dim(std::string_view safe) const { return sgr(2, safe); }
  std::string loud(std::string_view safe) const { return sgr(1, safe); }

 private:
  std::string sgr(int code, std::string_view safe) const {
    if (!colour_) return std::string(safe);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, safe);
  }
  bool colour_;
};

// True when `text` names `me` as a word of its own (ASCII case-insensitive).
bool mentions(std::string_view text, std::string_view me) {
  if (me.empty()) return false;
  const auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  };
  for (std::size_t i = 0; i + me.size() <= text.size(); ++i) {
    if (!util::iequals_ascii(text.substr(i, me.size()), me)) continue;
    const bool starts = i == 0 || !word_char(text[i - 1]);
    const bool ends = i + me.size() == text.size() || !word_char(text[i + me.size()]);
    if (starts && ends) return true;
  }
  return false;
}

// The arguments of a file event (its file name may be quoted), when there are `count`.
std::optional<std::vector<std::string>> file_event(std::string_view text, int count) {
  auto parsed = proto::split_arguments(text, count, false);
  if (!parsed.error.empty() || static_cast<int>(parsed.values.size()) != count) return {};
  return std::move(parsed.values);
}

// One line of chat: `where` (already painted, may be ""), the sender, the body.
shown_line chat(const painter& p, const chat_look& look, const std::string& where,
                std::string_view sender, std::string_view body) {
  shown_line out;
  const bool own = util::iequals_ascii(sender, look.me);
  out.bell = !own && mentions(body, look.me);
  std::string text = util::escaped(body);
  if (out.bell) text = p.loud(text);
  const std::string prefix = where.empty() ? "" : where + " ";
  if (body.starts_with("/me ")) {
    std::string action = util::escaped(body.substr(4));
    if (out.bell) action = p.loud(action);
    out.text = fmt::format("{}* {} {}", prefix, p.named(sender), action);
  } else {
    out.text = fmt::format("{}<{}> {}", prefix, p.named(sender), text);
  }
  return out;
}

}  // namespace

shown_line render_event(const proto::event& e, const chat_look& look, std::string_view clock) {
  const painter p(look.colour);
  const auto w2 = words(e.text, 2);
  const auto w1 = words(e.text, 1);
  const auto safe = [](std::string_view s) { return util::escaped(s); };
  shown_line out;
  if (e.name == unparsed) {
    out.text = safe(e.text);
    return out;
  }
  if (e.name == events::room && w2.size() == 3) {
    out = chat(p, look, "[" + p.named(w2[0]) + "]", w2[1], w2[2]);
  } else if (e.name == events::msg && w1.size() == 2) {
    out = chat(p, look, p.loud("(direct)"), w1[0], w1[1]);
    out.bell = !util::iequals_ascii(w1[0], look.me);  // a direct message is for the user
  } else if (e.name == events::pair && w1.size() == 2) {
    out = chat(p, look, p.loud("(pair)"), w1[0], w1[1]);
  } else if (e.name == events::paired) {
    out.text = "-- paired with " + p.named(e.text) + "; your lines go to them";
  } else if (e.name == events::pair_ended && w1.size() == 2) {
    out.text = "-- " + p.named(w1[0]) + " ended the pair (" + safe(w1[1]) + ")";
  } else if (e.name == events::joined && w1.size() == 2) {
    out.text = "-- " + p.named(w1[1]) + " joined " + p.named(w1[0]);
  } else if (e.name == events::left && w1.size() == 2) {
    out.text = "-- " + p.named(w1[1]) + " left " + p.named(w1[0]);
  } else if (e.name == events::away && w1.size() == 2) {
    out.text = "-- " + p.named(w1[0]) + " is away: " + safe(w1[1]);
  } else if (e.name == events::away && w1.size() == 1) {
    out.text = "-- " + p.named(w1[0]) + " is back";
  } else if (e.name == events::join_request && w1.size() == 2) {
    out.text = "-- " + p.named(w1[1]) + " asks to join " + p.named(w1[0]) + " (accept_request " +
               safe(w1[0]) + " " + safe(w1[1]) + ")";
  } else if (e.name == events::pending_requests && w1.size() == 2) {
    out.text = "-- " + safe(w1[1]) + " waiting request(s) to join " + p.named(w1[0]) +
               " (list_requests " + safe(w1[0]) + ")";
  } else if (e.name == events::request_accepted) {
    out.text = "-- you are now a member of " + p.named(e.text);
  } else if (e.name == events::request_rejected) {
    out.text = "-- your request to join " + p.named(e.text) + " was turned down";
  } else if (e.name == events::removed_from && w1.size() == 2) {
    out.text = "-- " + p.named(w1[1]) + " removed you from " + p.named(w1[0]) +
               "; this client stops sharing its files";
  } else if (e.name == events::owner && w1.size() == 2) {
    out.text = "-- you now own " + p.named(w1[0]);
  } else if (e.name == events::file_added && file_event(e.text, 4)) {
    const auto f = *file_event(e.text, 4);  // group, file, size, who shared it
    std::int64_t size = 0;
    const auto [ptr, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), size);
    const std::string shown_size = ec == std::errc() ? util::human_size(size) : safe(f[2]);
    out.text = "-- " + p.named(f[3]) + " shared " + p.loud(safe(f[1])) + " (" + shown_size +
               ") in " + p.named(f[0]);
  } else if (e.name == events::file_removed && file_event(e.text, 3)) {
    const auto f = *file_event(e.text, 3);  // group, file, who removed it
    out.text = "-- " + p.named(f[2]) + " removed " + p.loud(safe(f[1])) + " from " + p.named(f[0]) +
               "; this client stops sharing it (your copy stays)";
  } else {
    out.text = "[" + safe(e.name) + "] " + safe(e.text);
  }
  out.text = p.dim(fmt::format("[{}]", clock)) + " " + out.text;
  return out;
}

std::string clock_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:02}:{:02}", local.tm_hour, local.tm_min);
}

bool colour_wanted() {
  // no-color.org: set and not empty, whatever its value.
  const char* no_color = std::getenv("NO_COLOR");
  return (no_color == nullptr || *no_color == '\0') && ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace swarmhub::client
