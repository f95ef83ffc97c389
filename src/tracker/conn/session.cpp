#include "swarmhub/tracker/conn/session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <array>
#include <utility>

#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/chat/chat.hpp"
#include "swarmhub/tracker/commands/dispatcher.hpp"
#include "swarmhub/tracker/swarms/http_service.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker {
namespace {

// A ROOM event with its message id first (the event_ids command; docs/protocol.md).
// ROOM and MSG events carry their message id first (the event_ids command).
session::bytes with_event_id(const session::bytes& event, std::int64_t id) {
  for (const auto name : {proto::events::room, proto::events::msg}) {
    const std::string prefix = fmt::format("* {} ", name);
    if (!event->starts_with(prefix)) continue;
    auto out = std::make_shared<std::string>(*event);
    out->insert(prefix.size(), fmt::format("#{} ", id));
    return out;
  }
  return event;
}

constexpr std::size_t read_chunk = 16 * 1024;
// Queued messages written with one call: at most this many, and this many bytes unless one
// message alone is longer.
constexpr std::size_t max_gather = 1024;
constexpr std::size_t max_write = 64 * 1024;
// The copy buffer a session with more to write keeps; a larger one (a burst's) is given back.
constexpr std::size_t keep_output = 4 * 1024;
// Room posts of one session under way at once; the next line waits beyond that.
constexpr unsigned max_deferred = 64;

// Printable ASCII and TAB only: valid UTF-8 without control characters, known without
// decoding (most request lines).
bool plain_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b >= 0x20 && b < 0x7F) || b == '\t';
  });
}

std::string describe_remote(const tcp::socket& socket) {
  error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  return net::host_port{ep.address().to_string(), ep.port()}.to_string();
}

asio::ip::address remote_ip_of(const tcp::socket& socket) {
  error_code ec;
  const auto ep = socket.remote_endpoint(ec);
  if (ec) return {};
  // An IPv4 peer on a dual-stack socket is reported as IPv4.
  const auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

}  // namespace

session::session(tcp::socket socket, tracker_core& core, std::uint64_t id)
    : socket_(std::move(socket)),
      core_(core),
      id_(id),
      remote_(describe_remote(socket_)),
      remote_address_(remote_ip_of(socket_)),
      framer_(core.options.max_line),
      chat_(core.options.chat_rate, core.options.chat_burst),
      drain_signal_(socket_.get_executor(), clock::time_point::max()),
      watchdog_timer_(socket_.get_executor()),
      last_input_(clock::now()) {}

void session::start(proto::session_state initial_state, bool turned_away) {
  identity_.set_state(initial_state);
  turned_away_ = turned_away;
  greet_at_ = clock::now() + core_.options.greeting_delay;
  auto self = shared_from_this();
  // On the session's own thread, not the accepting one (which has sessions of its own).
  asio::dispatch(socket_.get_executor(), [self] {
    error_code ec;
    self->socket_.set_option(tcp::no_delay(true), ec);
    self->socket_.set_option(asio::socket_base::keep_alive(true), ec);
    spdlog::info("connect {} id={}", self->remote_, self->id_);
    // Each coroutine's function object holds `self`, keeping the session alive while it runs.
    self->spawn([](session& s) { return s.reader(); });
    self->watch();
  });
}

void session::choose_line_protocol() {
  if (protocol_ != protocol::undecided) return;
  protocol_ = protocol::line;
  tracker_stats::add(core_.stats.line_connections_total);
  if (transport_ == transport::undecided) transport_ = transport::plain;  // greeted in clear
  if (refuse_unwelcome(protocol::line)) return;
  greet();
}

void session::greet() {
  const bool needs_password = identity_.state() == proto::session_state::awaiting_password;
  enqueue(std::make_shared<const std::string>(proto::format_event(
      "HELLO", fmt::format("swarmhub 1 auth={}", needs_password ? "required" : "none"))));
}

bool session::refuse_unwelcome(protocol kind) {
  // What the client is told: why, in the form the line protocol, HTTP and IRC each use.
  struct refusal {
    std::string_view code;  // the line protocol's `* CLOSING <code> <text>`
    std::string_view text;
    int http_status;
    std::string_view http_reason;
  };
  refusal why{};
  if (turned_away_) {
    why = {"full", "too many clients, try later", 503, "Service Unavailable"};
  } else if (transport_ == transport::tls ||
             plaintext_allowed(remote_address_, core_.options.plaintext)) {
    return false;
  } else {
    tracker_stats::add(core_.stats.cut_off_total);
    why = {"tls", plaintext_refusal, 403, "Forbidden"};
  }
  enqueue(std::make_shared<const std::string>(
      kind == protocol::http ? proto::http::response(why.http_status, why.http_reason, "text/plain",
                                                     fmt::format("{}\n", why.text), false)
      : kind == protocol::irc
          ? irc::connection::refusal(why.text)
          : proto::format_event("CLOSING", fmt::format("{} {}", why.code, why.text))));
  begin_close(turned_away_ ? "too many clients" : "plaintext refused");
  return true;
}

bool session::greets_on_delay() const {
  if (protocol_ != protocol::undecided) return false;
  switch (transport_) {
    case transport::handshaking:
      return false;  // a TLS client speaks first; it is greeted after the handshake
    case transport::undecided:
      // A peer refused plaintext is not greeted in clear: its first byte decides.
      return core_.tls == nullptr || plaintext_allowed(remote_address_, core_.options.plaintext);
    case transport::plain:
      return true;
    case transport::tls:
      // Whoever speaks TLS has a program that speaks first (a browser, an IRC client, the
      // swarmhub client, openssl s_client typed into); a browser may also open a connection
      // and use it only seconds later, which a greeting would spoil. It comes with the first
      // reply instead. One turned away is told at once, as the line protocol.
      return turned_away_;
  }
  return true;
}

bool session::peer_has_spoken() const {
  error_code ec;
  return framer_.buffered() > 0 || (socket_.available(ec) > 0 && !ec);
}

void session::log_in(std::string user) {
  identity_.log_in(std::move(user));
  tracker_stats::add(core_.stats.logins_total);
  spdlog::info("login {} id={} user={}", remote_, id_, identity_.user());
}

void session::log_out() {
  if (identity_.user().empty()) return;
  depart("logout", true);
  spdlog::info("logout {} id={} user={}", remote_, id_, identity_.user());
  identity_.log_out();
  chat_.reset();
  direct_page_due_ = false;
  live_direct_ = false;
  direct_read_to_ = 0;
}

void session::depart(std::string_view why, bool flushing) {
  const std::string& user = identity_.user();
  if (user.empty()) return;
  core_.online.release(user, id_);
  core_.store->post(
      [user, tracker = core_.tracker_id](store::backend& db) { db.release_login(user, tracker); });
  core_.rooms.unsubscribe_all(id_);
  if (auto gone = core_.pairs.leave(id_)) chat::end_pair(core_, *gone, user, why);
  chat::announce_everywhere(core_, room_registry::lobby, "LEFT",
                            fmt::format("{} {}", room_registry::lobby, user));
  core_.seen.store(user, chat_.seen(flushing));
}

void session::enter_pair(std::string partner) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), p = std::move(partner)] {
    if (self->stopped_ || self->identity_.user().empty()) return;
    self->chat_.set_room("pair");
    self->enqueue(std::make_shared<const std::string>(proto::format_event("PAIRED", p)));
  });
}

void session::leave_pair(std::string partner, std::string why) {
  asio::dispatch(socket_.get_executor(),
                 [self = shared_from_this(), p = std::move(partner), w = std::move(why)] {
                   if (self->stopped_) return;
                   if (self->chat_.room() == "pair") self->chat_.set_room("lobby");
                   self->enqueue(std::make_shared<const std::string>(
                       proto::format_event("PAIR_ENDED", fmt::format("{} {}", p, w))));
                 });
}

std::string session::remote_ip() const {
  const auto colon = remote_.rfind(':');
  std::string ip = remote_.substr(0, colon);
  if (ip.starts_with('[')) ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void session::deliver(bytes message, std::int64_t room_message_id, std::int64_t sent_at_ms,
                      std::string room) {
  asio::dispatch(socket_.get_executor(),
                 [self = shared_from_this(), m = std::move(message), room_message_id, sent_at_ms,
                  r = std::move(room)]() mutable {
                   self->enqueue(std::move(m), room_message_id, sent_at_ms, r);
                 });
}

void session::deliver_direct(bytes message, std::int64_t direct_message_id,
                             std::int64_t sent_at_ms) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), m = std::move(message),
                                          direct_message_id, sent_at_ms]() mutable {
    self->enqueue_direct(std::move(m), direct_message_id, sent_at_ms);
  });
}

void session::direct_page_queued(std::int64_t last) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), last] {
    self->direct_page_after_ = last;
    self->direct_page_due_ = true;
    self->fetch_direct_page();
  });
}

void session::fetch_direct_page() {
  if (!direct_page_due_ || stopped_ || identity_.user().empty() ||
      queued_bytes_ > core_.options.read_pause_threshold()) {
    return;
  }
  direct_page_due_ = false;
  core_.store->post([self = shared_from_this(), user = identity_.user(),
                     after = direct_page_after_](store::backend& db) {
    chat::deliver_direct_page(self->core_, db, self, user, after);
  });
}

void session::deliver_batch(std::shared_ptr<const room_batch> batch, std::uint64_t rooms) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), b = std::move(batch), rooms] {
    // Nothing new (its own messages only), stopped, or the fan-out writes it already.
    if (!self->queue_batch(b, rooms) || self->fanout_writes_) return;
    // Written by the fan-out once its shard has the batch queued everywhere, or now.
    if (room_fanout::write_later(self)) {
      self->fanout_writes_ = true;
    } else {
      self->write_more();
    }
  });
}

void session::write_for_fanout() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->fanout_writes_ = false;
    self->write_more();
  });
}

bool session::queue_batch(const std::shared_ptr<const room_batch>& b, std::uint64_t rooms) {
  if (stopped_) return false;
  // The line protocol's lines are queued as borrowed pointers into the batch (a shared_ptr
  // with no owner: copying it touches no reference count, which every I/O thread would
  // otherwise increment and decrement on the same cache line, once per delivery); the last
  // of them then owns the batch. The queue is written and emptied in order, so the batch
  // outlives every line borrowed from it. IRC (which translates the line) and the WebSocket
  // (whose writer keeps its own copies) own a reference per line, as before.
  const bool borrow = !irc_ && !ws_;
  const bool shared_store = core_.feed != nullptr;
  const std::size_t start = queue_.size();
  // Each room's slot once per batch, not once per message.
  std::array<std::uint32_t, room_batch::max_rooms> slots{};
  for (unsigned r = 0; r < b->rooms.size(); ++r) {
    if (((rooms >> r) & 1) != 0) slots[r] = chat_.room_slot(b->rooms[r].key);
  }
  delivering_batch_ = true;
  for (const auto& m : b->messages) {
    if (((rooms >> m.room) & 1) == 0 || m.sender_session == id_) continue;
    const std::uint32_t slot = slots[m.room];
    // With a shared store, a message met in the login backlog can come again live.
    if (!chat_.note_queued(m.id, shared_store, slot)) continue;
    const std::string* line = event_ids_ ? &m.line_with_id : &m.line;
    bytes out = borrow ? bytes(bytes(), line) : bytes(b, line);  // aliasing: no allocation
    if (irc_ && !(out = irc_->translate(out, {m.id, m.sent_at_ms, false, slot}))) continue;
    if (!push_output(outgoing{std::move(out), m.id, 0, 0, slot})) break;  // cut off: stopped
  }
  delivering_batch_ = false;
  if (stopped_ || queue_.size() == start) return false;
  if (borrow) {
    auto& last = queue_[queue_.size() - 1];
    last.data = bytes(b, last.data.get());
  }
  return true;
}

void session::close_with_notice(std::string code, std::string text) {
  asio::dispatch(socket_.get_executor(),
                 [self = shared_from_this(), code = std::move(code), text = std::move(text)] {
                   if (self->stopped_ || self->closing_) return;
                   self->enqueue(std::make_shared<const std::string>(
                       proto::format_event("CLOSING", fmt::format("{} {}", code, text))));
                   self->begin_close(code);
                 });
}

void session::abort(std::string reason) {
  asio::dispatch(
      socket_.get_executor(),
      [self = shared_from_this(), r = std::move(reason)]() mutable { self->stop(std::move(r)); });
}

void session::enqueue(bytes message, std::int64_t room_message_id, std::int64_t sent_at_ms,
                      std::string_view room) {
  if (event_ids_ && room_message_id > 0) message = with_event_id(message, room_message_id);
  enqueue_formatted(std::move(message), room_message_id, sent_at_ms, room);
}

void session::enqueue_formatted(bytes message, std::int64_t room_message_id,
                                std::int64_t sent_at_ms, std::string_view room) {
  if (stopped_) return;
  const std::uint32_t slot = room_message_id > 0 ? chat_.room_slot(room) : 0;
  // With a shared store, a message met in the login backlog can come again live (another
  // tracker committed it while the backlog was read): one copy is enough.
  if (!chat_.note_queued(room_message_id, core_.feed != nullptr, slot)) return;
  if (irc_ && !(message = irc_->translate(message, {room_message_id, sent_at_ms, false, slot}))) {
    return;
  }
  push_output(outgoing{std::move(message), room_message_id, 0, 0, slot});
}

void session::enqueue_direct(bytes message, std::int64_t direct_message_id,
                             std::int64_t sent_at_ms) {
  if (stopped_) return;
  // The login backlog and the live path (or the event feed) may both bring it.
  if (!chat_.note_direct_queued(direct_message_id)) return;
  if (event_ids_) message = with_event_id(message, direct_message_id);
  if (irc_ && !(message = irc_->translate(message, {direct_message_id, sent_at_ms, true}))) return;
  push_output(outgoing{std::move(message), 0, 0, direct_message_id});
}

void session::queue_output(bytes message, std::int64_t room_message_id, std::uint32_t room_slot) {
  if (stopped_) return;
  push_output(outgoing{std::move(message), room_message_id, 0, 0, room_slot});
}

void session::queue_reply(std::string text) {
  if (stopped_) return;
  if (protocol_ != protocol::line) {  // over a WebSocket, each is a message of its own
    enqueue(std::make_shared<const std::string>(std::move(text)));
    return;
  }
  append_reply(text);
}

void session::append_reply(std::string_view text) {
  if (stopped_) return;
  if (queued_bytes_ + text.size() > core_.options.max_output) {
    tracker_stats::add(core_.stats.cut_off_total);
    stop(fmt::format("output queue over {} bytes (client not reading)", core_.options.max_output));
    return;
  }
  queued_bytes_ += text.size();
  // A read's short replies in one allocation, not one per doubling of the buffer.
  constexpr std::size_t replies_block = 512;
  if (replies_.size() + text.size() > replies_.capacity() && replies_.capacity() < replies_block) {
    replies_.reserve(std::max(replies_block, replies_.size() + text.size()));
  }
  replies_ += text;
}

void session::flush_replies() {
  if (requests_unpublished_ > 0) {
    tracker_stats::add(core_.stats.requests_total, requests_unpublished_);
    requests_unpublished_ = 0;
  }
  if (errors_unpublished_ > 0) {
    tracker_stats::add(core_.stats.errors_total, errors_unpublished_);
    errors_unpublished_ = 0;
  }
  if (replies_.empty()) return;
  if (stopped_) {
    replies_.clear();
    return;
  }
  // Counted in queued_bytes_ already (append_reply).
  queue_.push_back(outgoing{std::make_shared<const std::string>(std::move(replies_))});
  replies_.clear();
}

void session::send_replies() {
  flush_replies();
  write_more();
}

bool session::push_output(outgoing out, bool schedule) {
  flush_replies();  // the replies gathered so far come first
  if (queued_bytes_ + out.data->size() > core_.options.max_output) {
    tracker_stats::add(core_.stats.cut_off_total);
    stop(fmt::format("output queue over {} bytes (client not reading)", core_.options.max_output));
    return false;
  }
  queued_bytes_ += out.data->size();
  queue_.push_back(std::move(out));
  if (schedule) schedule_write();
  return true;
}

std::uint64_t session::defer_reply() {
  flush_replies();  // the replies before it come before its place
  reply_deferred_ = true;
  ++deferred_in_flight_;
  queue_.push_back(outgoing{nullptr, 0, ++last_slot_});
  return last_slot_;
}

void session::fill_reply(std::uint64_t slot, std::string text, const message_stamp& stored) {
  if (stopped_) return;
  --deferred_in_flight_;
  wake(drain_signal_);
  if (text.starts_with("ERR ")) tracker_stats::add(core_.stats.errors_total);
  const auto place = std::find_if(queue_.begin(), queue_.end(),
                                  [slot](const outgoing& o) { return o.slot == slot; });
  if (place == queue_.end()) return;
  if (irc_) text = irc_->deferred_reply(slot, text, stored);
  queued_bytes_ += text.size();
  place->data = std::make_shared<const std::string>(std::move(text));
  place->slot = 0;
  schedule_write();
}

awaitable<void> session::settle_deferred() {
  while (!stopped_ && deferred_in_flight_ > 0) {
    drain_signal_.expires_at(clock::time_point::max());
    error_code ec;
    co_await drain_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

void session::wake(asio::steady_timer& timer) {
  timer.cancel();
}

awaitable<bool> session::choose_transport() {
  if (!core_.tls) {
    transport_ = transport::plain;
    co_return true;
  }
  unsigned char first = 0;
  error_code ec;
  co_await socket_.async_receive(asio::buffer(&first, 1), tcp::socket::message_peek,
                                 asio::redirect_error(use_awaitable, ec));
  if (stopped_) co_return false;
  // Greeted in clear meanwhile, or not a TLS record (an error is met again by the reader).
  if (transport_ != transport::undecided || ec || first != 0x16) {
    transport_ = transport::plain;
    co_return true;
  }
  transport_ = transport::handshaking;
  handshake_deadline_ = clock::now() + core_.options.tls_handshake_timeout;
  wake(watchdog_timer_);
  tls_ = std::make_unique<net::tls_socket>(socket_, core_.tls->current());
  co_await tls_->async_handshake(asio::redirect_error(use_awaitable, ec));
  if (stopped_) co_return false;
  if (ec) {
    tracker_stats::add(core_.stats.cut_off_total);
    stop(fmt::format("TLS handshake failed: {}", ec.message()));
    co_return false;
  }
  transport_ = transport::tls;
  tracker_stats::add(core_.stats.tls_connections_total);
  last_input_ = clock::now();
  greet_at_ = last_input_ + core_.options.greeting_delay;
  wake(watchdog_timer_);
  schedule_write();  // anything queued during the handshake
  co_return true;
}

awaitable<void> session::reader() {
  if (!co_await choose_transport()) co_return;
  // Waiting for input needs no buffer: an idle connection holds none, and what arrives is
  // read (and decrypted, over TLS) into one buffer per thread and copied into the framer at
  // once (no suspension in between). 100k idle clients would otherwise keep 100k buffers.
  error_code mode_ec;
  socket_.non_blocking(true, mode_ec);
  await_input();
}

void session::await_input() {
  if (stopped_) return;
  // What an idle connection does not need is given back: its last lines' bytes, its queue.
  framer_.release_if_empty();
  if (queue_.empty()) queue_.release();
  if (reads_into_own_buffer()) {
    if (!own_buffer_) own_buffer_ = std::make_unique<own_read_buffer>();
    socket_.async_read_some(
        asio::buffer(*own_buffer_),
        [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    return;
  }
  auto ready = [self = shared_from_this()](const error_code& ec) { self->on_input(ec); };
  const auto wait = tls_ ? tls_->readable_wait() : tcp::socket::wait_read;
  if (!wait) {
    // OpenSSL holds decrypted bytes already: they are read on the thread's next turn.
    asio::post(socket_.get_executor(), [ready = std::move(ready)] { ready({}); });
    return;
  }
  socket_.async_wait(*wait, std::move(ready));
}

bool session::reads_into_own_buffer() const {
  return !tls_ && protocol_ == protocol::http;
}

void session::on_input(error_code ec) {
  if (stopped_) return;
  bool truncated = false;
  try {
    if (!ec) read_input(ec, truncated);
  } catch (...) {
    end_on_exception(std::current_exception());
    return;
  }
  answer_input(ec, truncated);
}

void session::on_read(error_code ec, std::size_t n) {
  if (stopped_) return;
  try {
    if (!ec) take_input(std::string_view(own_buffer_->data(), n));
  } catch (...) {
    end_on_exception(std::current_exception());
    return;
  }
  answer_input(ec, false);
}

void session::answer_input(error_code ec, bool truncated) {
  try {
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      await_input();
      return;
    }
    if (ec) {
      spawn([ec, truncated](session& s) { return s.end_of_input(ec, truncated); });
      return;
    }
    unanswered rest;
    if (!answer_now(rest)) {
      spawn([rest = std::move(rest)](session& s) mutable { return s.read_on(std::move(rest)); });
      return;
    }
    // The read's replies are whole: written now, in one piece (pipelined requests).
    send_replies();
    await_input();
  } catch (...) {
    end_on_exception(std::current_exception());
  }
}

void session::read_input(error_code& ec, bool& truncated) {
  static thread_local std::array<char, read_chunk> buffer;
  const std::size_t n = tls_ ? tls_->read_some(asio::buffer(buffer), ec)
                             : socket_.read_some(asio::buffer(buffer), ec);
  // A peer that closes without TLS's close_notify has still closed; but its unterminated
  // last line may be a longer line cut at a record's end by someone on the path: dropped.
  if (ec == asio::ssl::error::stream_truncated) {
    ec = asio::error::eof;
    truncated = true;
  }
  if (!ec) take_input(std::string_view(buffer.data(), n));
}

void session::take_input(std::string_view input) {
  last_input_ = clock::now();
  tracker_stats::add(core_.stats.bytes_in, input.size());
  // Closing: what comes is drained, unread, until the peer closes or the linger time ends.
  if (!closing_) framer_.append(input);
}

bool session::answer_now(unanswered& rest) {
  for (;;) {
    if (stopped_ || closing_) return true;
    auto frame = framer_.next();
    if (!frame) return true;
    // Chosen here, on the read's turn of the thread: the watchdog's greeting on delay must
    // not take a first line that is already read for another protocol.
    if (!choose_protocol(*frame)) continue;
    if (protocol_ == protocol::http && !must_wait_for_output_room() && http_frame_now(*frame)) {
      continue;
    }
    if (protocol_ != protocol::line || must_wait_for_output_room()) {
      rest.frame = std::move(frame);
      return false;
    }
    // A request that needs no waiting (ping, a refusal, ...) is answered here without a
    // coroutine frame, its reply appended to the read's others (replies_).
    checked_request request;
    if (!line_request_now(*frame, request)) {
      rest.request = std::move(request);
      return false;
    }
  }
}

template <class Coroutine>
void session::spawn(Coroutine coroutine) {
  asio::co_spawn(
      socket_.get_executor(),
      [self = shared_from_this(), coroutine = std::move(coroutine)]() mutable {
        return coroutine(*self);
      },
      [self = shared_from_this()](std::exception_ptr e) {
        if (e) self->end_on_exception(e);
      });
}

void session::end_on_exception(std::exception_ptr e) {
  net::detached_logged{"session reader"}(e);
  stop("internal error");
}

awaitable<void> session::read_on(unanswered rest) {
  for (;;) {
    // The coroutine starts a turn of the thread after the read: the session may have stopped
    // or begun closing meanwhile, and then no more requests are handled.
    if (stopped_) co_return;
    if (closing_) break;
    if (rest.frame && must_wait_for_output_room()) {
      // Backpressure: a client that sends requests faster than it reads replies waits here.
      send_replies();
      co_await wait_for_output_room();
      continue;
    }
    if (rest.request) {
      co_await line_request_later(std::move(*rest.request));
    } else if (rest.frame) {
      co_await handle_frame(std::move(*rest.frame));
      if (ws_) co_return co_await websocket_reader();
    }
    rest = {};
    if (answer_now(rest)) break;
  }
  send_replies();
  await_input();
}

awaitable<void> session::end_of_input(error_code ec, bool truncated) {
  if (ec != asio::error::eof) {
    stop(closing_ ? close_reason_ : fmt::format("read failed: {}", ec.message()));
    co_return;
  }
  if (!closing_ && framer_.buffered() > 0) {
    // The peer is done sending; what it sent still deserves replies, including an
    // unterminated last line if the end was TLS's orderly one (or TCP's, in clear).
    framer_.append(truncated ? std::string_view() : "\n");
    while (auto frame = framer_.next()) co_await handle_frame(std::move(*frame));
    send_replies();
  }
  peer_done_ = true;
  begin_close("peer closed");
  if (writer_done_) stop(close_reason_);
}

bool session::must_wait_for_output_room() const {
  return !stopped_ && (queued_bytes_ > core_.options.read_pause_threshold() ||
                       deferred_in_flight_ >= max_deferred);
}

awaitable<void> session::wait_for_output_room() {
  while (must_wait_for_output_room()) {
    drain_signal_.expires_at(clock::time_point::max());
    error_code ec;
    co_await drain_signal_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

bool session::choose_protocol(const proto::frame& frame) {
  if (protocol_ != protocol::undecided) return true;
  if (frame.what == proto::frame::kind::line && proto::http::is_request_line(frame.text)) {
    protocol_ = protocol::http;
    tracker_stats::add(core_.stats.http_connections_total);
    return !refuse_unwelcome(protocol::http);
  }
  if (frame.what == proto::frame::kind::line && irc::starts_irc(frame.text)) {
    protocol_ = protocol::irc;
    if (refuse_unwelcome(protocol::irc)) return false;
    irc_ = std::make_unique<irc::connection>(*this);
    return true;
  }
  choose_line_protocol();
  return !closing_;  // plaintext refused
}

awaitable<void> session::handle_frame(proto::frame frame) {
  if (!choose_protocol(frame)) co_return;
  if (protocol_ == protocol::http) {
    co_await handle_http_frame(std::move(frame));
    co_return;
  }
  if (protocol_ == protocol::irc) {
    co_await irc_->handle(std::move(frame));
    co_return;
  }
  checked_request request;
  if (!line_request_now(frame, request)) co_await line_request_later(std::move(request));
}

bool session::line_request_now(const proto::frame& frame, checked_request& request) {
  proto::reply_builder reply;
  dispatch_outcome outcome;
  bool malformed = true;
  const bool plain = frame.what == proto::frame::kind::line && plain_ascii(frame.text);
  if (frame.what == proto::frame::kind::too_long) {
    reply.error(proto::error_code::line_too_long,
                fmt::format("line longer than {} bytes; it was dropped", core_.options.max_line));
  } else if (!plain && !util::is_valid_utf8(frame.text)) {
    reply.error(proto::error_code::bad_encoding, "line is not valid UTF-8; it was dropped");
  } else if (!plain && util::has_control_chars(frame.text)) {
    reply.error(
        proto::error_code::bad_encoding,
        "line holds control characters (NUL, escape, C1, bidi overrides, ...); it was dropped");
  } else {
    malformed = false;
    if (!dispatch_now(*this, frame.text, reply, outcome, request)) return false;
  }
  finish_request(reply, outcome, malformed);
  return true;
}

awaitable<void> session::line_request_later(checked_request request) {
  send_replies();  // the replies before it do not wait for it
  // That write may have failed and stopped the session: no handler runs for a client gone
  // (a post by a user already announced as left, say).
  if (stopped_) co_return;
  proto::reply_builder reply;
  dispatch_outcome outcome = co_await dispatch_rest(*this, std::move(request), reply);
  finish_request(reply, outcome, false);
}

void session::finish_request(proto::reply_builder& reply, dispatch_outcome& outcome,
                             bool malformed) {
  if (stopped_) return;
  // The line protocol's counts are published with its replies (flush_replies): one update of
  // the shared counters per read, not per request.
  const bool batched = protocol_ == protocol::line;
  if (batched) {
    ++requests_unpublished_;
  } else {
    tracker_stats::add(core_.stats.requests_total);
  }
  std::string text = reply.take();
  if (!std::exchange(reply_deferred_, false)) {
    if (text.starts_with("ERR ")) {
      if (batched) {
        ++errors_unpublished_;
      } else {
        tracker_stats::add(core_.stats.errors_total);
      }
    }
    queue_reply(std::move(text));
  }
  for (auto& event : outcome.follow_ups) queue_reply(std::move(event));
  malformed_in_a_row_ = malformed ? malformed_in_a_row_ + 1 : 0;
  if (outcome.close_after_reply) {
    begin_close(outcome.close_reason.empty() ? "quit" : outcome.close_reason);
  } else if (malformed_in_a_row_ >= core_.options.max_malformed) {
    tracker_stats::add(core_.stats.cut_off_total);
    queue_reply(proto::format_event(
        "CLOSING", fmt::format("malformed {} malformed lines in a row", malformed_in_a_row_)));
    begin_close("too many malformed lines");
  }
}

bool session::take_http_line(const proto::frame& frame) {
  const auto fail = [&](int status, std::string_view reason) {
    enqueue(std::make_shared<const std::string>(
        proto::http::response(status, reason, "text/plain", reason, false)));
    begin_close("bad http request");
    return true;
  };
  if (frame.what == proto::frame::kind::too_long)
    return fail(431, "Request Header Fields Too Large");
  if (!http_request_) {
    auto request_line = proto::http::parse_request_line(frame.text);
    if (!request_line) return fail(400, "Bad Request");
    http_request_ = std::make_unique<proto::http::request>(std::move(*request_line));
    return true;
  }
  if (!frame.text.empty()) {
    proto::http::add_header(*http_request_, frame.text);
    return true;
  }
  return false;  // the blank line: the request is complete
}

bool session::http_frame_now(const proto::frame& frame) {
  if (take_http_line(frame)) return true;
  const proto::http::request& request = *http_request_;
  if (web::is_websocket_upgrade(request)) return false;
  // Reused from one response to the next: appended to replies_ at once.
  static thread_local std::string response;
  response.clear();
  if (!serve_http_now(*this, request, response)) return false;
  if (request.method == "HEAD") proto::http::keep_headers_only(response);
  ++requests_unpublished_;  // published with the replies (flush_replies)
  append_reply(response);
  if (!request.keep_alive) begin_close("http done");
  http_request_.reset();
  return true;
}

awaitable<void> session::handle_http_frame(proto::frame frame) {
  if (take_http_line(frame)) co_return;
  proto::http::request request = std::move(*http_request_);
  http_request_.reset();
  tracker_stats::add(core_.stats.requests_total);
  if (web::is_websocket_upgrade(request)) {
    co_await upgrade_to_websocket(request);
    co_return;
  }
  send_replies();  // the responses before it do not wait for it
  if (stopped_) co_return;
  std::string response = co_await serve_http(*this, request);
  if (stopped_) co_return;
  if (request.method == "HEAD") proto::http::keep_headers_only(response);
  auto message = std::make_shared<const std::string>(std::move(response));
  if (framer_.buffered() == 0) {
    // The read's last request (the usual case): the reader writes its replies as soon as this
    // returns (send_replies). A write posted as well would find nothing left to write, but
    // would cost a trip through the scheduler, once per request.
    push_output(outgoing{std::move(message)}, false);
  } else {
    enqueue(std::move(message));
  }
  if (!request.keep_alive) begin_close("http done");
}

void session::schedule_write() {
  if (writing_ || write_scheduled_ || writer_done_ || stopped_ || delivering_batch_) return;
  write_scheduled_ = true;
  auto write = [self = shared_from_this()] {
    self->write_scheduled_ = false;
    self->write_more();
  };
  // Posted, not called: whatever else this turn of the thread queues goes in the same write.
  // A room message waits one turn more, so that the fan-out's batches already queued behind
  // it on the thread (each comes as a handler of its own) go in the same write too: fewer
  // system calls, and over TLS fewer records for the client to decrypt (fan-out over TLS,
  // 100 clients: 58k -> 681k deliveries/s, docs/benchmarks.md). A reply does not wait: a
  // client waiting for it would see the extra turn (ping, 50 clients: 10% fewer per second).
  // The fan-out's batches do not come here: they are written as soon as their shard has
  // queued them everywhere (deliver_batch; issue 20).
  if (!queue_.empty() && queue_[queue_.size() - 1].room_message_id > 0) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), write = std::move(write)] {
      asio::post(self->socket_.get_executor(), write);
    });
    return;
  }
  asio::post(socket_.get_executor(), std::move(write));
}

void session::write_more() {
  // Over plain TCP the first write is tried at once (the socket is non-blocking): written
  // whole, as a reply to a read's requests usually is, it is done without a completion
  // handler's trip through the scheduler (pipelined requests, issue 20).
  // What follows it, or what did not fit, is written asynchronously as before.
  bool try_now = !tls_ && !ws_ && socket_.non_blocking();
  for (;;) {
    if (stopped_) return;
    flush_replies();
    if (writing_ || writer_done_ || transport_ == transport::handshaking) return;
    if (queue_.empty()) {
      if (closing_) finish_writing();
      return;
    }
    // Up to the first deferred reply still unknown: what follows it waits for fill_reply.
    std::size_t count = 0;
    std::size_t total = 0;
    while (count < std::min(queue_.size(), max_gather) && queue_[count].data &&
           (count == 0 || total + queue_[count].data->size() <= max_write)) {
      total += queue_[count].data->size();
      ++count;
    }
    if (count == 0) return;
    const auto written = [this, count, total] {
      return [self = shared_from_this(), count, total](const error_code& ec, std::size_t) {
        self->on_written(ec, count, total);
      };
    };
    if (ws_) {
      start_write_watch();
      std::vector<bytes> batch;
      batch.reserve(count);
      for (std::size_t i = 0; i < count; ++i) batch.push_back(queue_[i].data);
      ws_->send(std::move(batch), written());
      return;
    }
    // A reply alone, the usual case, is written from where it is. Several are copied into one
    // buffer and written with one call. Lines are short (a reply, a chat event); a gather
    // write would take at most 64 of them per system call (asio's limit) and over TLS would
    // make one record each, where the copy costs less than either.
    std::string_view out;
    if (count == 1) {
      out = *queue_[0].data;
    } else {
      output_.clear();
      output_.reserve(total);
      for (std::size_t i = 0; i < count; ++i) output_ += *queue_[i].data;
      out = output_;
    }
    if (try_now) {
      try_now = false;
      error_code ec;
      const std::size_t n = socket_.write_some(asio::buffer(out.data(), out.size()), ec);
      if (!ec && n == total) {
        note_written(count, total);
        continue;
      }
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
        on_written(ec, count, total);
        return;
      }
      if (!ec) out.remove_prefix(n);
    }
    start_write_watch();
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(out.data(), out.size()), written());
    } else {
      asio::async_write(socket_, asio::buffer(out.data(), out.size()), written());
    }
    return;
  }
}

void session::start_write_watch() {
  writing_ = true;
  write_started_ = clock::now();
  if (watchdog_timer_.expiry() > write_started_ + core_.options.write_timeout) {
    wake(watchdog_timer_);
  }
}

void session::on_written(const error_code& ec, std::size_t count, std::size_t total) {
  writing_ = false;
  if (stopped_) return;
  if (ec) {
    stop(fmt::format("write failed: {}", ec.message()));
    return;
  }
  note_written(count, total);
  write_more();
}

void session::note_written(std::size_t count, std::size_t total) {
  tracker_stats::add(core_.stats.bytes_out, total);
  std::vector<std::int64_t> directs;
  std::uint64_t deliveries = 0;
  for (std::size_t i = 0; i < count; ++i) {
    chat_.note_written(queue_[i].room_slot, queue_[i].room_message_id);
    if (queue_[i].room_message_id > 0) ++deliveries;
    if (queue_[i].direct_message_id > 0) directs.push_back(queue_[i].direct_message_id);
  }
  // One shared counter, one update per write (not per line) from every I/O thread.
  if (deliveries > 0) tracker_stats::add(core_.stats.deliveries_total, deliveries);
  store_seen_mark(false);
  if (!directs.empty()) {
    core_.store->post([ids = std::move(directs)](store::backend& db) { db.mark_delivered(ids); });
  }
  queue_.pop_front(count);
  queued_bytes_ -= total;
  // An idle session holds no copy buffer; a busy one keeps a small one from write to write.
  if (queue_.empty() || output_.capacity() > keep_output) std::string().swap(output_);
  if (queued_bytes_ <= core_.options.read_pause_threshold()) {
    wake(drain_signal_);
    fetch_direct_page();
  }
}

void session::store_seen_mark(bool now) {
  // A burst stores a mark every this many room messages, a trickle this long after one.
  constexpr unsigned batch = 64;
  constexpr auto delay = std::chrono::milliseconds(200);
  const std::string& user = identity_.user();
  if (user.empty() || stopped_) {
    mark_due_ = {};
    return;
  }
  core_.seen.store(user, chat_.take_marks(now, batch));
  if (!chat_.mark_pending()) {
    mark_due_ = {};
  } else if (mark_due_ == clock::time_point{}) {
    mark_due_ = clock::now() + delay;
    if (watchdog_timer_.expiry() > mark_due_) wake(watchdog_timer_);
  }
}

void session::finish_writing() {
  // Everything is written. Half-close so the peer reads all of it before seeing the end;
  // closing at once could reset the connection and lose the last lines.
  writer_done_ = true;
  if (ws_ && protocol_ == protocol::websocket) {
    // The WebSocket closing handshake, then the end (the watchdog's linger bounds the wait).
    ws_->close([self = shared_from_this()](const error_code&) { self->stop(self->close_reason_); });
    return;
  }
  if (tls_ && transport_ == transport::tls) {
    // TLS's own end first (close_notify), so that the peer knows nothing was cut off.
    tls_->async_shutdown([self = shared_from_this()](const error_code&, std::size_t) {
      if (!self->stopped_) self->shut_send_side();
    });
    return;
  }
  shut_send_side();
}

void session::shut_send_side() {
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (peer_done_ || ec) stop(close_reason_);
}

void session::watch() {
  if (stopped_) return;
  const auto& opts = core_.options;
  const auto now = clock::now();
  // One turned away waits for nothing but its notice: a silent one is not kept long.
  const std::chrono::milliseconds idle_limit =
      turned_away_ ? std::min(opts.idle_timeout, opts.tls_handshake_timeout) : opts.idle_timeout;
  if (transport_ == transport::handshaking) {
    if (now >= handshake_deadline_) {
      tracker_stats::add(core_.stats.cut_off_total);
      stop("TLS handshake timed out");
      return;
    }
  } else if (closing_) {
    if (now >= closing_since_ + opts.linger) {
      stop(close_reason_);
      return;
    }
  } else if (writing_ && now >= write_started_ + opts.write_timeout) {
    tracker_stats::add(core_.stats.cut_off_total);
    stop("write timed out (client not reading)");
    return;
  } else if (now >= last_input_ + idle_limit) {
    tracker_stats::add(core_.stats.cut_off_total);
    enqueue(std::make_shared<const std::string>(proto::format_event(
        "CLOSING", fmt::format("idle no request for {} ms", idle_limit.count()))));
    begin_close("idle timeout");
  }
  // A peer whose first bytes are here but not yet read (a loaded tracker's reader can be
  // later than the delay) is not greeted: those bytes choose (an IRC client's NICK, a TLS
  // ClientHello), and the reader is about to take them.
  bool greeting_pending = greets_on_delay() && !peer_has_spoken();
  if (greeting_pending && now >= greet_at_) {
    choose_line_protocol();
    greeting_pending = false;
  }
  if (mark_due_ != clock::time_point{} && now >= mark_due_) store_seen_mark(true);
  auto deadline = closing_ ? closing_since_ + opts.linger : last_input_ + idle_limit;
  if (writing_) deadline = std::min(deadline, write_started_ + opts.write_timeout);
  if (greeting_pending) deadline = std::min(deadline, greet_at_);
  if (transport_ == transport::handshaking) deadline = std::min(deadline, handshake_deadline_);
  if (mark_due_ != clock::time_point{}) deadline = std::min(deadline, mark_due_);
  // A wake (cancel) or the deadline: either way, look again.
  watchdog_timer_.expires_at(deadline);
  watchdog_timer_.async_wait([self = shared_from_this()](const error_code&) { self->watch(); });
}

void session::begin_close(std::string reason) {
  flush_replies();  // what was answered is written before the end
  if (closing_ || stopped_) return;
  closing_ = true;
  // No request is handled after this point, so the user is free to log in elsewhere now.
  depart(reason, true);
  closing_since_ = clock::now();
  close_reason_ = std::move(reason);
  schedule_write();
  wake(drain_signal_);
  wake(watchdog_timer_);
}

void session::stop(std::string reason) {
  if (stopped_) return;
  stopped_ = true;
  // Logged before the socket closes, so that a peer that sees the close finds the reason.
  // Over TLS, whether the peer ended it in order (its close_notify came).
  const char* tls_end = "";
  if (transport_ == transport::tls) {
    tls_end = tls_->peer_sent_close_notify() ? " peer_close_notify=yes" : " peer_close_notify=no";
  }
  spdlog::info("disconnect {} id={} reason=\"{}\"{}{}", remote_, id_, reason,
               identity_.user().empty() ? "" : " user=" + identity_.user(), tls_end);
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  drain_signal_.cancel();
  watchdog_timer_.cancel();
  queue_.clear();
  replies_.clear();
  queued_bytes_ = 0;
  flush_replies();  // the counts only
  if (!closing_) depart(reason, false);
  core_.stats.clients_now.fetch_sub(1, std::memory_order_relaxed);
  core_.sessions.remove(id_);
}

}  // namespace swarmhub::tracker
