// Registration: CAP negotiation, SASL PLAIN, PASS, NICK, USER and the welcome. A client is
// registered once it gave NICK and USER, ended CAP negotiation and is logged in to its
// swarmhub account (by SASL, or by PASS user:password at the end).

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/error_code.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/tracker/irc/numerics.hpp"
#include "swarmhub/util/base64.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker::irc {
namespace {

// The capabilities offered, in CAP LS order. `value` is shown from CAP LS 302 on.
struct capability {
  std::string_view name;
  std::string_view value;
};
constexpr std::array capabilities{
    capability{"account-tag", ""},
    capability{"away-notify", ""},
    capability{"batch", ""},
    capability{"cap-notify", ""},
    capability{"draft/chathistory", ""},
    capability{"echo-message", ""},
    capability{"message-tags", ""},
    capability{"sasl", "PLAIN"},
    capability{"server-time", ""},
};

bool offered(std::string_view name) {
  for (const auto& c : capabilities) {
    if (c.name == name) return true;
  }
  return false;
}

std::string cap_list(bool with_values) {
  std::string out;
  for (const auto& c : capabilities) {
    if (!out.empty()) out += ' ';
    out += c.name;
    if (with_values && !c.value.empty()) {
      out += '=';
      out += c.value;
    }
  }
  return out;
}

constexpr std::size_t sasl_chunk = 400;
// The capability list's share of a CAP LS line, which must stay within 512 bytes.
constexpr std::size_t cap_ls_line_bytes = 400;

}  // namespace

awaitable<void> connection::on_cap(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"CAP", "Not enough parameters"});
  const std::string sub = util::ascii_lower(m.params[0]);
  const auto cap_reply = [&](std::string_view what, std::string text) {
    send(message{{}, std::string(server_name), "CAP", {me(), std::string(what), std::move(text)}});
  };
  if (sub == "ls") {
    if (!registered_) negotiating_ = true;
    // The version is a number: 302 and any later one get values and a list in several lines.
    unsigned version = 0;
    if (m.params.size() > 1) {
      const auto& v = m.params[1];
      const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
      if (ec != std::errc() || ptr != v.data() + v.size()) version = 0;
    }
    const bool v302 = version >= 302;
    if (v302) caps_.insert("cap-notify");  // implied by 302
    const auto lines = split_words(cap_list(v302), cap_ls_line_bytes);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (v302 && i + 1 < lines.size()) {
        send(message{{}, std::string(server_name), "CAP", {me(), "LS", "*", lines[i]}});
      } else {
        cap_reply("LS", lines[i]);
      }
    }
  } else if (sub == "list") {
    std::string enabled;
    for (const auto& c : caps_) enabled += (enabled.empty() ? "" : " ") + c;
    cap_reply("LIST", enabled);
  } else if (sub == "req") {
    if (m.params.size() < 2)
      co_return numeric(numeric::need_more_params, {"CAP", "Not enough parameters"});
    if (!registered_) negotiating_ = true;
    std::vector<std::pair<std::string, bool>> asked;  // name, on
    bool all_known = true;
    std::string_view rest = m.params[1];
    while (!rest.empty()) {
      const auto space = rest.find(' ');
      std::string_view word = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      if (word.empty()) continue;
      const bool off = word.starts_with('-');
      if (off) word.remove_prefix(1);
      if (!offered(word)) all_known = false;
      asked.emplace_back(std::string(word), !off);
    }
    if (!all_known || asked.empty()) co_return cap_reply("NAK", m.params[1]);
    for (const auto& [name, on] : asked) {
      if (on)
        caps_.insert(name);
      else
        caps_.erase(name);
    }
    cap_reply("ACK", m.params[1]);
  } else if (sub == "end") {
    if (registered_ || !negotiating_) co_return;
    negotiating_ = false;
    co_await try_register();
  } else {
    numeric(numeric::invalid_cap_cmd, {util::printable(m.params[0], 32), "Invalid CAP command"});
  }
}

awaitable<void> connection::on_authenticate(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"AUTHENTICATE", "Not enough parameters"});
  if (!owner_.identity().user().empty()) {
    co_return numeric(numeric::sasl_already, {"You have already authenticated using SASL"});
  }
  const std::string& arg = m.params[0];
  if (arg == "*") {
    sasl_plain_ = false;
    sasl_buffer_.clear();
    co_return numeric(numeric::sasl_aborted, {"SASL authentication aborted"});
  }
  if (!sasl_plain_) {
    if (!util::iequals_ascii(arg, "PLAIN")) {
      numeric(numeric::sasl_mechs, {"PLAIN", "are available SASL mechanisms"});
      co_return numeric(numeric::sasl_fail, {"SASL authentication failed"});
    }
    sasl_plain_ = true;
    co_return send(message{{}, {}, "AUTHENTICATE", {"+"}});
  }
  // The payload, in chunks of 400 bytes; a shorter one (or "+") ends it.
  if (arg != "+") sasl_buffer_ += arg;
  if (sasl_buffer_.size() > 4 * sasl_chunk) {
    sasl_plain_ = false;
    sasl_buffer_.clear();
    co_return numeric(numeric::sasl_too_long, {"SASL message too long"});
  }
  if (arg.size() == sasl_chunk) co_return;
  sasl_plain_ = false;
  const auto decoded = util::from_base64(std::exchange(sasl_buffer_, {}));
  // authzid NUL authcid NUL password
  std::vector<std::string> parts;
  if (decoded) {
    std::string_view rest = *decoded;
    for (;;) {
      const auto nul = rest.find('\0');
      parts.emplace_back(rest.substr(0, nul));
      if (nul == std::string_view::npos) break;
      rest = rest.substr(nul + 1);
    }
  }
  if (parts.size() != 3 || (!parts[0].empty() && !util::iequals_ascii(parts[0], parts[1]))) {
    co_return numeric(numeric::sasl_fail, {"SASL authentication failed"});
  }
  co_await log_in(parts[1], parts[2], true);
}

awaitable<bool> connection::log_in(const std::string& user, const std::string& password,
                                   bool sasl) {
  const auto r = co_await run(
      fmt::format("login {} {}", proto::quote_argument(user), proto::quote_argument(password)));
  if (r.ok) {
    const std::string& account = owner_.identity().user();
    if (sasl) {
      numeric(numeric::logged_in,
              {prefix_of(account), account, fmt::format("You are now logged in as {}", account)});
      numeric(numeric::sasl_success, {"SASL authentication successful"});
    }
    co_return true;
  }
  const std::string why = fmt::format("{} ({})", r.text, r.code);
  if (r.code == proto::wire_name(proto::error_code::already_online)) {
    numeric(numeric::nickname_in_use, {user, why});
  } else if (sasl) {
    numeric(numeric::sasl_fail, {fmt::format("SASL authentication failed: {}", why)});
  } else {
    numeric(numeric::password_mismatch, {fmt::format("Password incorrect: {}", why)});
  }
  co_return false;
}

awaitable<void> connection::on_pass(const message& m) {
  if (m.params.empty())
    co_return numeric(numeric::need_more_params, {"PASS", "Not enough parameters"});
  if (registered_) co_return numeric(numeric::already_registered, {"You may not reregister"});
  if (owner_.identity().state() == proto::session_state::awaiting_password) {
    // The tracker's server password (auth); the account then comes by SASL or a second PASS.
    const auto r = co_await run(fmt::format("auth {}", m.params[0]));
    if (!r.ok) numeric(numeric::password_mismatch, {fmt::format("Password incorrect: {}", r.text)});
    co_return;
  }
  pass_ = m.params[0];
}

awaitable<void> connection::on_nick(const message& m) {
  if (m.params.empty() || m.params[0].empty())
    co_return numeric(numeric::no_nickname_given, {"No nickname given"});
  const std::string& wanted = m.params[0];
  if (registered_) {
    if (!util::iequals_ascii(wanted, nick_)) {
      numeric(
          numeric::erroneous_nickname,
          {util::printable(wanted, 32), fmt::format("Your nick is your account name, {}", nick_)});
    }
    co_return;
  }
  if (!valid_name(wanted)) {
    co_return numeric(
        numeric::erroneous_nickname,
        {util::printable(wanted, 32),
         "Erroneous nickname: 1-32 of A-Z a-z 0-9 _ . - starting with a letter or digit"});
  }
  nick_ = wanted;
  co_await try_register();
}

awaitable<void> connection::on_user(const message& m) {
  if (registered_) co_return numeric(numeric::already_registered, {"You may not reregister"});
  if (m.params.size() < 4)
    co_return numeric(numeric::need_more_params, {"USER", "Not enough parameters"});
  user_given_ = true;
  co_await try_register();
}

awaitable<void> connection::try_register() {
  if (registered_ || negotiating_ || nick_.empty() || !user_given_ || owner_.closing_) co_return;
  if (owner_.identity().state() == proto::session_state::awaiting_password) {
    numeric(numeric::password_mismatch,
            {"This tracker needs its server password: PASS <password>"});
    co_return fail_error("server password required");
  }
  if (owner_.identity().user().empty()) {
    if (pass_.empty()) {
      numeric(numeric::password_mismatch,
              {"Log in with SASL PLAIN or PASS <user>:<password> (your swarmhub account)"});
      co_return fail_error("not logged in");
    }
    const auto colon = pass_.find(':');
    const std::string user = colon == std::string::npos ? nick_ : pass_.substr(0, colon);
    const std::string password = colon == std::string::npos ? pass_ : pass_.substr(colon + 1);
    pass_.clear();
    if (!co_await log_in(user, password, false)) co_return fail_error("login failed");
  }
  if (owner_.stopped() || owner_.closing_) co_return;
  co_await welcome();
}

awaitable<void> connection::welcome() {
  registered_ = true;
  nick_ = owner_.identity().user();  // the account's own spelling
  numeric(numeric::welcome, {fmt::format("Welcome to swarmhub, {}", nick_)});
  numeric(numeric::your_host, {fmt::format("Your host is {}, a swarmhub tracker", server_name)});
  numeric(numeric::created, {"This server speaks the swarmhub line protocol and IRC"});
  numeric(numeric::my_info, {std::string(server_name), "swarmhub", "i", "nt"});
  numeric(
      numeric::isupport,
      {"CASEMAPPING=ascii", "CHANTYPES=#", fmt::format("NICKLEN={}", max_name_length),
       fmt::format("CHANNELLEN={}", max_name_length + 1), "NETWORK=swarmhub", "CHATHISTORY=500",
       "MSGREFTYPES=msgid,timestamp", "AWAYLEN=200", "UTF8ONLY", "are supported by this server"});
  numeric(numeric::no_motd, {"MOTD File is missing"});
  co_await sync_channels();
  // What arrived while registering (offline messages, unseen room messages), now shown.
  // A direct message keeps its id, so that it is marked delivered once written.
  for (auto& [event, stored] : std::exchange(held_, {})) {
    auto lines = translate(event, stored);
    if (!lines || owner_.stopped()) continue;
    if (stored.direct)
      owner_.push_output(session::outgoing{std::move(lines), 0, 0, stored.id});
    else
      owner_.queue_output(std::move(lines), stored.id, stored.room_slot);
  }
}

}  // namespace swarmhub::tracker::irc
