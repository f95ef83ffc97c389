#include "swarmhub/client/app.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "swarmhub/client/readable.hpp"
#include "swarmhub/client/replies.hpp"
#include "swarmhub/client/status_lines.hpp"
#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

namespace events = proto::events;

// A resume token as the tracker makes them: 64 hex digits. Anything else is not sent back
// in a request line (a tracker's text must not choose what the client says).
bool valid_token(const std::string& t) {
  return t.size() == 64 && std::all_of(t.begin(), t.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}
using proto::command_id;

// How long the tracker may take with an event it owes: HELLO, LOGGED_IN after a login's OK.
constexpr std::chrono::seconds event_wait{10};

tls_settings tls_settings_of(const client_options& options) {
  return {options.ca_file, options.data_dir.empty() ? "" : options.data_dir + "/known_trackers"};
}

}  // namespace

client_app::client_app(asio::any_io_executor executor, client_options options,
                       std::unique_ptr<console> user)
    : executor_(executor),
      options_(std::move(options)),
      user_(std::move(user)),
      link_(executor, tls_settings_of(options_)),
      keepalive_timer_(executor),
      progress_timer_(executor),
      hello_signal_(executor),
      login_signal_(executor),
      stay_signal_(executor, asio::steady_timer::time_point::max()),
      failover_done_(executor, asio::steady_timer::time_point::max()) {
  link_.set_request_timeout(options_.request_timeout);
}

std::string client_app::p2p_listen() const {
  if (!options_.p2p_listen.empty()) return options_.p2p_listen;
  const auto local = link_.local_address();
  if (local.is_unspecified()) return "127.0.0.1:0";
  return local.is_v6() ? "[" + local.to_string() + "]:0" : local.to_string() + ":0";
}

awaitable<int> client_app::run() {
  if (!co_await connect_somewhere(options_.trackers.size() - 1, true)) {
    user_->stop();
    co_return exit_connection;
  }
  try {
    files_ = std::make_unique<file_sharing>(
        executor_, link_, *user_, options_.trackers, options_.data_dir,
        p2p::engine_options{p2p_listen(), options_.download_limit, options_.upload_limit,
                            options_.stall_timeout});
  } catch (const std::exception& e) {
    user_->show_notice(fmt::format("cannot start file sharing: {}", e.what()));
    user_->stop();
    co_return exit_connection;
  }
  link_.start([this](const proto::event& e) { on_event(e); },
              [this](const std::string& why) { on_closed(why); });
  last_request_ = std::chrono::steady_clock::now();
  asio::co_spawn(executor_, keepalive(), net::detached_logged{"keepalive"});
  asio::co_spawn(executor_, show_progress(), net::detached_logged{"progress"});
  // The client speaks first: the tracker greets right before its first reply (over TLS it
  // waits for the client to speak).
  co_await link_.request("event_ids");  // before a login, whose backlog has ids then
  co_await wait_for_hello();
  if (wants_server_password()) co_await give_server_password();

  while (!finished_) {
    auto command = co_await user_->read_command();
    if (finished_) break;
    if (!command) {  // end of input: leave as if the user had typed quit
      if (options_.stay && !leaving_) {
        error_code ec;  // headless: share and receive until signalled
        co_await stay_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
        break;
      }
      if (leaving_) break;
      leaving_ = true;
      if (auto reply = co_await link_.request("quit")) user_->show_reply(*reply);
      break;
    }
    last_request_ = std::chrono::steady_clock::now();
    command = co_await complete_secret(std::move(*command));
    if (!command) continue;  // the person gave up at the password prompt
    if (auto help = local_help(*command)) {
      show_result(*help);
      continue;
    }
    auto chat = chat_.read(*command);  // /me, /join, /part, /query, typos of commands
    if (chat.answer) {
      show_result(*chat.answer);
      continue;
    }
    if (chat.send) command = std::move(*chat.send);
    if (auto local = co_await files_->handle(*command)) {
      show_result(*local);
      continue;
    }
    if (failing_over_) {
      error_code ec;  // a request waits for the next tracker rather than fail at once
      co_await failover_done_.async_wait(asio::redirect_error(use_awaitable, ec));
      if (finished_) break;
    }
    const std::uint64_t logins_before = logins_seen_;
    auto reply = co_await link_.request(command->text);
    if (!reply && failing_over_) {
      error_code ec;  // wait for the next tracker (or for giving up)
      co_await failover_done_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
    if (!reply && !finished_) reply = connection_lost_reply();
    if (!reply) break;  // connection lost for good; on_closed() said so
    if (!reply->ok && !chat.join_if_refused.empty() &&
        reply->code == proto::wire_name(proto::error_code::not_member)) {
      // /join of a group the user is not in: ask to join it instead.
      auto ask =
          co_await link_.request("join_group " + proto::quote_argument(chat.join_if_refused));
      reply = ask ? std::move(ask) : connection_lost_reply();
    }
    files_->after_reply(*command, *reply);
    user_->learn(*command, *reply);
    co_await follow(*command, *reply, logins_before);
    if (reply->ok && command->is(command_id::list_files)) {
      for (auto& line : reply->data) line = readable_file_line(line);
    }
    show_result(*reply);
    if (reply->ok && command->is(command_id::quit)) break;
  }
  finish();
  files_.reset();  // stops the torrents and tells the tracker
  if (lost_) co_return exit_connection;
  co_return any_failed_ ? exit_command_failed : exit_ok;
}

awaitable<void> client_app::wait_for_hello() {
  if (hello_) co_return;
  hello_signal_.expires_after(event_wait);
  error_code ec;
  co_await hello_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
  if (!hello_ && !finished_) user_->show_notice("the tracker sent no greeting; carrying on");
}

awaitable<void> client_app::give_server_password() {
  if (!options_.server_password.empty()) {
    auto reply = co_await link_.request("auth " + options_.server_password);
    if (!reply) co_return;
    show_result(*reply);
    co_return;
  }
  if (!user_->interactive()) {
    user_->show_notice("the tracker wants a server password: send 'auth <password>' first");
    co_return;
  }
  while (!finished_) {
    auto secret = co_await user_->read_secret("server password: ");
    if (!secret || finished_) co_return;
    auto reply = co_await link_.request("auth " + *secret);
    if (!reply) co_return;
    user_->show_reply(*reply);
    if (reply->ok) co_return;
  }
}

awaitable<std::optional<command_line>> client_app::complete_secret(command_line command) {
  if (!user_->interactive()) co_return command;
  const bool creating = command.is(command_id::create_user);
  if (!creating && !command.is(command_id::login)) co_return command;
  if (!command.args.error.empty() || command.args.values.size() != 1) co_return command;
  auto secret = co_await user_->read_secret("password: ");
  if (!secret) co_return std::nullopt;
  if (creating) {
    auto again = co_await user_->read_secret("password again: ");
    if (!again || *again != *secret) {
      user_->show_notice("the two passwords differ; nothing was sent");
      co_return std::nullopt;
    }
  }
  command.text += " " + proto::quote_argument(*secret);
  command.args.values.push_back(std::move(*secret));
  co_return command;
}

void client_app::leave() {
  if (leaving_ || finished_) return;
  stay_signal_.cancel();
  leaving_ = true;
  if (!link_.is_open()) {
    finish();
    return;
  }
  asio::co_spawn(
      executor_,
      [this]() -> awaitable<void> {
        auto reply = co_await link_.request("quit");
        if (reply && !finished_) user_->show_reply(*reply);
        finish();
      },
      net::detached_logged{"leave"});
}

awaitable<void> client_app::keepalive() {
  while (!finished_) {
    keepalive_timer_.expires_at(last_request_ + options_.keepalive);
    error_code ec;
    co_await keepalive_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (finished_ || leaving_) co_return;
    if (std::chrono::steady_clock::now() < last_request_ + options_.keepalive) continue;
    last_request_ = std::chrono::steady_clock::now();
    co_await link_.request("ping");  // the reply only proves the tracker is there
  }
}

awaitable<void> client_app::show_progress() {
  // A terminal always shows it (in place); a script only with --progress.
  const auto every = user_->interactive() ? std::chrono::seconds(1) : options_.progress;
  if (every.count() <= 0) co_return;
  bool shown = false;
  while (!finished_) {
    progress_timer_.expires_after(every);
    error_code ec;
    co_await progress_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (finished_ || !files_) co_return;
    const auto lines = status_lines(files_->transfers());
    if (lines.empty() && !shown) continue;
    user_->show_status(lines);
    shown = !lines.empty();
  }
}

void client_app::show_result(const proto::reply& reply) {
  user_->show_reply(reply);
  if (!reply.ok) any_failed_ = true;
}

bool client_app::wants_server_password() const {
  return !finished_ && hello_ && hello_->ends_with("auth=required");
}

awaitable<bool> client_app::wait_for_login(std::uint64_t logins_before) {
  if (logins_seen_ == logins_before && !finished_) {
    login_signal_.expires_after(event_wait);
    error_code ec;
    co_await login_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  if (logins_seen_ != logins_before) co_return true;
  if (!finished_) user_->show_notice("the tracker did not say who logged in");
  co_return false;
}

void client_app::on_event(const proto::event& event) {
  if (finished_) return;
  if (event.name == events::hello && !hello_) {
    hello_ = event.text;
    hello_signal_.cancel();
  } else if (event.name == events::logged_in && !util::is_path_component(event.text)) {
    // The name becomes a folder under --data-dir: the tracker's text must not choose a path.
    user_->show_notice("the tracker named an impossible user; ignored");
    return;
  } else if (event.name == events::logged_in) {
    user_name_ = event.text;
    user_->set_user(user_name_);
    ++logins_seen_;
    login_signal_.cancel();
  }
  user_->show_event(event);
  if (event.name == events::file_removed && files_) files_->file_removed(event.text);
  if (event.name == events::removed_from && files_) files_->removed_from(event.text);
  if (event.name == events::closing) {
    user_->show_notice(fmt::format("the tracker is closing the connection: {}", event.text));
  }
}

void client_app::on_closed(const std::string& why) {
  login_signal_.cancel();  // no LOGGED_IN comes on a closed connection
  if (finished_ || leaving_) {
    finish();
    return;
  }
  if (options_.trackers.size() > 1) {  // a list: move on to the next tracker
    failing_over_ = true;
    asio::co_spawn(executor_, fail_over(why), net::detached_logged{"failover"});
    return;
  }
  lost_ = true;
  user_->show_notice(why);
  finish();
}

awaitable<bool> client_app::connect_somewhere(std::size_t after, bool first_time) {
  const auto& list = options_.trackers;
  const auto give_up = std::chrono::steady_clock::now() + options_.failover_time;
  std::string last_error;
  bool last_error_shown = false;
  // Once through the list when starting; after a loss, around it until failover_time passes
  // (the lost tracker too: it may come back).
  for (std::size_t attempt = 0;; ++attempt) {
    const std::size_t i = (after + 1 + attempt) % list.size();
    try {
      co_await link_.connect(list[i], std::chrono::seconds(2));
      current_ = i;
      if (first_time) user_->show_notice(fmt::format("connected to {}", list[i].to_string()));
      if (!link_.first_use_note().empty()) user_->show_notice(link_.first_use_note());
      co_return true;
    } catch (const connect_error& e) {
      last_error = e.what();
      // A refused certificate is said at once and loudly, even when another tracker answers.
      if (e.refused_certificate()) user_->show_notice(last_error);
      last_error_shown = e.refused_certificate();
    }
    if (finished_) co_return false;
    if (first_time && attempt + 1 == list.size()) break;
    if (!first_time && std::chrono::steady_clock::now() >= give_up) break;
    if (!first_time && (attempt + 1) % list.size() == 0) {
      asio::steady_timer pause(executor_, std::chrono::milliseconds(500));  // all are down
      error_code ec;
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
  if (!last_error_shown) user_->show_notice(last_error);
  co_return false;
}

awaitable<void> client_app::fail_over(std::string why) {
  const std::string lost = options_.trackers[current_].to_string();
  const bool moved = co_await connect_somewhere(current_, false);
  if (!moved || finished_) {
    lost_ = true;
    failing_over_ = false;
    failover_done_.cancel();
    user_->show_notice(why);
    finish();
    co_return;
  }
  hello_.reset();
  link_.start([this](const proto::event& e) { on_event(e); },
              [this](const std::string& w) { on_closed(w); });
  co_await link_.request("event_ids");  // before the resume, whose backlog has ids then
  co_await wait_for_hello();
  if (wants_server_password()) co_await give_server_password();
  const std::string now_on = options_.trackers[current_].to_string();
  std::string outcome = "not logged in";
  if (!user_name_.empty() && !resume_token_.empty()) {
    const std::uint64_t logins_before = logins_seen_;
    auto resumed = co_await link_.request("resume " + user_name_ + " " + resume_token_);
    // A token is used once: the reply's data line is the one for the next failover.
    if (resumed && resumed->ok) {
      resume_token_ = resumed->data.size() == 1 && valid_token(resumed->data[0]) ? resumed->data[0]
                                                                                 : std::string();
    }
    if (resumed && resumed->ok && co_await wait_for_login(logins_before)) {
      if (resume_token_.empty()) {
        auto token = co_await link_.request("resume_token");
        if (token && token->ok && valid_token(token->text)) resume_token_ = token->text;
      }
      outcome = "logged in again as " + user_name_;
      co_await files_->logged_in(user_name_, true);
      if (!room_.empty()) {
        auto back = co_await link_.request("room " + room_);
        if (back && back->ok) outcome += ", back in " + room_;
      }
    } else {
      outcome = "could not log in again as " + user_name_ + " (" +
                (resumed ? resumed->text : std::string("no answer")) + "); log in again";
      user_name_.clear();
      resume_token_.clear();
      room_.clear();
    }
  }
  failing_over_ = false;
  failover_done_.cancel();
  user_->show_event(proto::event{std::string(events::notice),
                                 fmt::format("lost {}; now on {}, {}", lost, now_on, outcome)});
}

awaitable<void> client_app::follow(const command_line& command, const proto::reply& reply,
                                   std::uint64_t logins_before) {
  if (!reply.ok) co_return;
  const auto& args = command.args.values;
  if (command.is(command_id::login) || command.is(command_id::resume)) {
    if (!co_await wait_for_login(logins_before)) co_return;
    const bool resumed = command.is(command_id::resume);
    co_await files_->logged_in(user_name_, resumed);
    room_.clear();
    // The next token a resume printed is the user's; this client asks for its own.
    co_await renew_resume_token();
  } else if (command.is(command_id::change_password)) {
    co_await renew_resume_token();  // the old one was revoked with every other
  } else if (command.is(command_id::logout)) {
    user_->set_user("");
    chat_.end_query();
    user_name_.clear();
    resume_token_.clear();
    room_.clear();
  } else if (command.is(command_id::room) && args.size() == 1) {
    room_ = args[0] == "lobby" ? "" : args[0];
  }
}

awaitable<void> client_app::renew_resume_token() {
  resume_token_.clear();
  auto token = co_await link_.request("resume_token");
  if (token && token->ok && valid_token(token->text)) resume_token_ = token->text;
}

void client_app::finish() {
  if (finished_) return;
  finished_ = true;
  failover_done_.cancel();
  keepalive_timer_.cancel();
  progress_timer_.cancel();
  hello_signal_.cancel();
  login_signal_.cancel();
  stay_signal_.cancel();
  link_.close();
  user_->stop();
}

}  // namespace swarmhub::client
