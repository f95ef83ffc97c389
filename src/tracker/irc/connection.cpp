// The IRC adapter's core: framing checks, the command switch, requests through the one
// dispatcher, and the output helpers the other files of irc/ use.

#include "swarmhub/tracker/irc/connection.hpp"

#include <fmt/format.h>

#include <cctype>

#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/commands/dispatcher.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/irc/numerics.hpp"
#include "swarmhub/util/text.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker::irc {
namespace {

// IRC's formatting codes (bold, colour, reset, reverse, italics, strike, underline) and the
// CTCP delimiter: clients put them in text as a matter of course, the line protocol refuses
// control characters, so they are taken out of what IRC clients send.
bool is_formatting(char c) {
  switch (c) {
    case '\x01':
    case '\x02':
    case '\x03':
    case '\x0f':
    case '\x16':
    case '\x1d':
    case '\x1e':
    case '\x1f':
      return true;
    default:
      return false;
  }
}

std::string without_formatting(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x03') {  // colour: \x03[fg[,bg]] with one or two digits each
      std::size_t digits = 0;
      while (digits < 2 && i + 1 < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        ++i;
        ++digits;
      }
      if (digits > 0 && i + 2 < text.size() && text[i + 1] == ',' &&
          std::isdigit(static_cast<unsigned char>(text[i + 2]))) {
        i += 2;
        if (i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) ++i;
      }
      continue;
    }
    if (!is_formatting(text[i])) out += text[i];
  }
  return out;
}

}  // namespace

connection::connection(session& owner) : owner_(owner) {}

std::string connection::refusal(std::string_view why) {
  return format(message{{}, {}, "ERROR", {fmt::format("Closing link: {}", why)}});
}

awaitable<void> connection::handle(proto::frame frame) {
  std::optional<message> parsed_message;
  std::string_view problem;
  if (frame.what == proto::frame::kind::too_long) {
    problem = "too_long";
  } else if (!util::is_valid_utf8(frame.text)) {
    problem = "utf8";
  } else {
    auto p = parse(frame.text);
    if (p.msg) {
      parsed_message = std::move(p.msg);
    } else if (p.problem == parse_problem::too_long) {
      problem = "too_long";
    } else {
      co_return;  // an empty line is ignored, as IRC servers do
    }
  }
  if (parsed_message) {
    for (auto& param : parsed_message->params) {
      // CTCP ACTION (/me) keeps its words; other CTCP requests are not answered.
      if (param.starts_with("\x01"
                            "ACTION "))
        param = "* " + param.substr(8);
      param = without_formatting(param);
      if (util::has_control_chars(param)) problem = "control";
    }
  }
  if (!problem.empty()) {
    ++malformed_in_a_row_;
    if (problem == "too_long") {
      numeric(numeric::input_too_long, {"Input line was too long"});
    } else if (problem == "utf8") {
      send(message{{},
                   std::string(server_name),
                   "FAIL",
                   {"*", "INVALID_UTF8", "Message rejected: not UTF-8"}});
    } else {
      send(message{{},
                   std::string(server_name),
                   "FAIL",
                   {"*", "INVALID_TEXT", "Message rejected: it holds control characters"}});
    }
    if (malformed_in_a_row_ >= owner_.core().options.max_malformed) {
      tracker_stats::add(owner_.core().stats.cut_off_total);
      fail_error("too many malformed lines in a row");
    }
    co_return;
  }
  malformed_in_a_row_ = 0;
  tracker_stats::add(owner_.core().stats.requests_total);
  const message& m = *parsed_message;
  const auto is = [&](std::string_view name) { return util::iequals_ascii(m.command, name); };
  // Before registration only these; the rest waits for it (451).
  if (is("CAP")) co_return co_await on_cap(m);
  if (is("AUTHENTICATE")) co_return co_await on_authenticate(m);
  if (is("PASS")) co_return co_await on_pass(m);
  if (is("NICK")) co_return co_await on_nick(m);
  if (is("USER")) co_return co_await on_user(m);
  if (is("PING")) {
    if (m.params.empty())
      co_return numeric(numeric::need_more_params, {"PING", "Not enough parameters"});
    co_return send(
        message{{}, std::string(server_name), "PONG", {std::string(server_name), m.params[0]}});
  }
  if (is("PONG")) co_return;
  if (is("QUIT")) {
    const auto r = co_await run("quit");
    if (r.ok) send_line(refusal("quit"));
    co_return;
  }
  if (!registered_) co_return numeric(numeric::not_registered, {"You have not registered"});
  if (is("JOIN")) co_return co_await on_join(m);
  if (is("PART")) co_return co_await on_part(m);
  if (is("PRIVMSG")) co_return co_await on_privmsg(m, false);
  if (is("NOTICE")) co_return co_await on_privmsg(m, true);
  if (is("NAMES")) co_return co_await on_names(m);
  if (is("LIST")) co_return co_await on_list(m);
  if (is("WHO")) co_return co_await on_who(m);
  if (is("WHOIS")) co_return co_await on_whois(m);
  if (is("MODE")) co_return co_await on_mode(m);
  if (is("CHATHISTORY")) co_return co_await on_chathistory(m);
  if (is("TOPIC")) {
    if (m.params.empty())
      co_return numeric(numeric::need_more_params, {"TOPIC", "Not enough parameters"});
    co_return numeric(numeric::no_topic, {m.params[0], "No topic is set"});
  }
  if (is("AWAY")) co_return co_await on_away(m);
  if (is("MOTD") || is("LUSERS")) co_return numeric(numeric::no_motd, {"MOTD File is missing"});
  if (is("TAGMSG")) co_return;  // client-only tags are not relayed
  numeric(numeric::unknown_command, {util::printable(m.command, 32), "Unknown command"});
}

awaitable<connection::reply> connection::run(std::string line) {
  proto::reply_builder builder;
  auto outcome = co_await dispatch(owner_, line, builder);
  reply r;
  if (std::exchange(owner_.reply_deferred_, false)) {
    r.deferred_slot = owner_.last_slot_;
  } else {
    const std::string text = builder.take();
    if (text.starts_with("ERR ")) tracker_stats::add(owner_.core().stats.errors_total);
    proto::reply_parser parser;
    std::string_view rest = text;
    while (!rest.empty()) {
      const auto end = rest.find('\n');
      auto parsed = parser.feed(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (auto* done = std::get_if<proto::reply>(&parsed)) {
        r.ok = done->ok;
        r.code = std::move(done->code);
        r.text = std::move(done->text);
        r.data = std::move(done->data);
      }
    }
  }
  r.stored = outcome.stored;
  for (auto& event : outcome.follow_ups)
    owner_.enqueue(std::make_shared<const std::string>(std::move(event)));
  if (outcome.close_after_reply)
    owner_.begin_close(outcome.close_reason.empty() ? "quit" : outcome.close_reason);
  co_return r;
}

void connection::send(message m) {
  send_line(format(m));
}

void connection::send_line(std::string line, std::int64_t room_message_id) {
  if (translating_) {
    translated_ += line;
    return;
  }
  owner_.queue_output(std::make_shared<const std::string>(std::move(line)), room_message_id);
}

std::string connection::me() const {
  return registered_ ? nick_ : (nick_.empty() ? "*" : nick_);
}

void connection::numeric(std::string_view code, std::vector<std::string> params) {
  params.insert(params.begin(), me());
  send(message{{}, std::string(server_name), std::string(code), std::move(params)});
}

void connection::notice_from_service(std::string_view text) {
  send(message{{}, prefix_of(service_nick), "NOTICE", {me(), std::string(text)}});
}

void connection::fail_error(std::string_view text) {
  send_line(refusal(text));
  owner_.begin_close(std::string(text));
}

std::string connection::prefix_of(std::string_view nick) const {
  return fmt::format("{}!{}@{}", nick, nick, server_name);
}

bool connection::has_cap(std::string_view cap) const {
  return caps_.contains(std::string(cap));
}

std::string msgid_of(const stamp& s) {
  return s.direct ? fmt::format("d{}", s.id) : std::to_string(s.id);
}

std::vector<std::pair<std::string, std::string>> connection::tags_for(std::string_view sender,
                                                                      const stamp& stored) const {
  std::vector<std::pair<std::string, std::string>> tags;
  if (has_cap("server-time")) {
    tags.emplace_back(
        "time", util::iso_utc_ms(stored.sent_at_ms > 0 ? stored.sent_at_ms : util::unix_ms_now()));
  }
  if (has_cap("message-tags") && stored.id > 0) tags.emplace_back("msgid", msgid_of(stored));
  if (has_cap("account-tag") && !sender.empty() && sender != service_nick)
    tags.emplace_back("account", std::string(sender));
  return tags;
}

}  // namespace swarmhub::tracker::irc
