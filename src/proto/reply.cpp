#include "swarmhub/proto/reply.hpp"

namespace swarmhub::proto {
namespace {

// Appends `text`, with any line break turned into a space, so that no text can end a line
// early and forge a reply or an event.
void append_one_line(std::string& out, std::string_view text) {
  for (char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
}

void append_line(std::string& out, std::string_view head, std::string_view text) {
  out += head;
  if (!text.empty()) {
    out += ' ';
    append_one_line(out, text);
  }
  out += '\n';
}

}  // namespace

void reply_builder::data(std::string_view line) {
  buffer_ += "- ";
  append_one_line(buffer_, line);
  buffer_ += '\n';
}

void reply_builder::ok(std::string_view text) {
  append_line(buffer_, "OK", text);
  finished_ = true;
}

void reply_builder::error(error_code code, std::string_view text) {
  std::string head = "ERR ";
  head += wire_name(code);
  append_line(buffer_, head, text);
  finished_ = true;
}

std::string format_event(std::string_view name, std::string_view text) {
  std::string out;
  std::string head = "* ";
  head += name;
  append_line(out, head, text);
  return out;
}

parsed_line reply_parser::feed(std::string_view line) {
  const auto after = [&](std::size_t n) {
    return line.size() > n ? std::string(line.substr(n + 1)) : std::string();
  };
  if (line.starts_with("- ") || line == "-") {
    pending_.data.emplace_back(line.size() > 2 ? line.substr(2) : std::string_view());
    return std::monostate{};
  }
  if (line == "OK" || line.starts_with("OK ")) {
    reply done = std::move(pending_);
    pending_ = {};
    done.ok = true;
    done.text = after(2);
    return done;
  }
  if (line.starts_with("ERR ")) {
    reply done = std::move(pending_);
    pending_ = {};
    std::string_view rest = line.substr(4);
    const auto space = rest.find(' ');
    done.code = std::string(rest.substr(0, space));
    done.text =
        space == std::string_view::npos ? std::string() : std::string(rest.substr(space + 1));
    return done;
  }
  if (line.starts_with("* ")) {
    std::string_view rest = line.substr(2);
    const auto space = rest.find(' ');
    return event{std::string(rest.substr(0, space)), space == std::string_view::npos
                                                         ? std::string()
                                                         : std::string(rest.substr(space + 1))};
  }
  return protocol_violation{std::string(line)};
}

}  // namespace swarmhub::proto
