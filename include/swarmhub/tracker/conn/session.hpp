#pragma once
// One client connection: its socket, its line framing, its bounded output queue and its
// timeouts. That is all the session itself is (the transport); who is on it
// (session_identity) and where it is in the chat (chat_presence) are values it holds beside
// and hands to the command handlers. Input is waited for by a callback: what arrives is read
// and the requests that need no waiting are answered there, in order. A reader coroutine
// exists only while a request waits for something (the store, a password check, room in the
// output) or the protocol needs one (the TLS handshake, HTTP, IRC), and ends when the
// connection waits for input again. Writes are a chain of callbacks that exists only while
// there is output; a watchdog timer enforces the idle, write and linger timeouts. An idle
// connection holds the session and two pending waits, nothing more (a plaintext HTTP one
// also a 2 KiB read buffer: see reads_into_own_buffer).
//
// Transport: the first byte decides, before any framing. 0x16 (a TLS record) starts a
// handshake under a time limit, and the same recognition (HTTP or the line protocol) then runs
// on what TLS decrypts (net::tls_socket: an idle one holds no record buffer). Anything
// else is plaintext, subject to the --plaintext rule (conn/plaintext_rule.hpp).
//
// Threading: everything runs on the session's I/O thread, on its io_context, which that one
// thread alone runs (conn/server.hpp): the handlers of a session never run at the same time,
// with no strand (and its lock per handler) to make sure. deliver() and close_with_notice()
// may be called from any thread. They dispatch: from another thread they are posted onto the
// session's; from a handler on the session's thread (another session's, a fan-out shard's)
// they run at once, ahead of what is already queued there. Nothing relies on an order
// between those: what must stay in order (a room's messages, a user's direct messages, a
// login's backlog before live messages) comes from one thread, the store's, in order. The
// reader and every pending handler hold a shared_ptr to the session, so it lives until the
// last of them ends.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/tls_server_context.hpp"
#include "swarmhub/net/tls_socket.hpp"
#include "swarmhub/proto/commands.hpp"
#include "swarmhub/proto/http.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/tracker/accounts/session_identity.hpp"
#include "swarmhub/tracker/chat/chat_presence.hpp"
#include "swarmhub/tracker/commands/dispatcher.hpp"
#include "swarmhub/tracker/core.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/tracker/web/ws_channel.hpp"
#include "swarmhub/util/compact_fifo.hpp"

namespace swarmhub::tracker {

class session : public std::enable_shared_from_this<session> {
 public:
  using clock = std::chrono::steady_clock;
  using bytes = std::shared_ptr<const std::string>;

  session(tcp::socket socket, tracker_core& core, std::uint64_t id);

  // Starts the coroutines. Call once, right after construction. `turned_away`: the tracker is
  // full; the client is told so in its own protocol (line, HTTP 503 or IRC ERROR, over TLS
  // if it speaks TLS) once that is known, then closed.
  void start(proto::session_state initial_state, bool turned_away = false);

  // Queues whole lines (one reply or one event) for the client. Any thread. A room message
  // carries its id and its room, so the session knows how far the user has been shown each
  // room, and its stored time (unix ms), which IRC clients are shown (server-time).
  void deliver(bytes message, std::int64_t room_message_id = 0, std::int64_t sent_at_ms = 0,
               std::string room = {});
  // A direct message's MSG event: once it is written, the message is marked delivered in the
  // store (until then the next login gives it again). Any thread.
  void deliver_direct(bytes message, std::int64_t direct_message_id, std::int64_t sent_at_ms = 0);
  // More direct messages wait in the store after `last`, the highest id of the page just
  // queued: the next page is fetched once the output has drained (chat::deliver_direct_page).
  // Any thread; call after that page's deliver_direct calls.
  void direct_page_queued(std::int64_t last);
  // Whether a direct message committed now goes straight to the output: not until the
  // login's backlog of waiting ones is all queued (chat::deliver_direct_page), so that they
  // come in the order they were sent. Set and read on the store thread.
  void take_live_direct(bool yes) { live_direct_.store(yes, std::memory_order_relaxed); }
  bool takes_live_direct() const { return live_direct_.load(std::memory_order_relaxed); }
  // How far the pages of the backlog being handed out have read: the next page reads above
  // it. A message offered meanwhile at or below it (on PostgreSQL, one that committed after
  // the page passing its id was read) is in no later page, so chat::offer_direct queues it
  // at once. 0 before the first page. Store thread.
  void direct_pages_read_to(std::int64_t id) {
    direct_read_to_.store(id, std::memory_order_relaxed);
  }
  std::int64_t direct_pages_read_to() const {
    return direct_read_to_.load(std::memory_order_relaxed);
  }
  // Where the event feed may have missed direct messages (relay::refill_direct) while the
  // session was paging: the backlog's last page reads again from the lowest such id. Set and
  // taken on the store thread; 0 is none.
  void note_missed_direct(std::int64_t id) {
    const auto now = missed_direct_.load(std::memory_order_relaxed);
    if (now == 0 || id < now) missed_direct_.store(id, std::memory_order_relaxed);
  }
  std::int64_t take_missed_direct() {
    return missed_direct_.exchange(0, std::memory_order_relaxed);
  }
  // The messages of a committed batch (chat/fanout.hpp) in the rooms of `rooms` (bit i: the
  // batch's room i), but this session's own, in order: one hop to the session's thread for
  // all, and each queued as a view into the batch (no copy). Any thread.
  // Written at once, or, when a fan-out shard hands the batch out on this thread, once the
  // shard has it queued everywhere (room_fanout::write_later; then write_for_fanout).
  void deliver_batch(std::shared_ptr<const room_batch> batch, std::uint64_t rooms);
  // Writes what deliver_batch queued for the fan-out to write. For the fan-out's shard only
  // (room_fanout::write_later took this session).
  void write_for_fanout();

  // Sends `* CLOSING <code> <text>` and closes once it is written. Any thread.
  void close_with_notice(std::string code, std::string text);

  // Closes at once, without flushing. Any thread.
  void abort(std::string reason);

  std::uint64_t id() const { return id_; }
  bool stopped() const { return stopped_; }
  // The remote IP, without the port (for throttling per address).
  std::string remote_ip() const;

  // --- who is on it, and where in the chat (its thread only) ---
  session_identity& identity() { return identity_; }
  const session_identity& identity() const { return identity_; }
  chat_presence& chat() { return chat_; }
  // ROOM events carry their message id from now on (the event_ids command).
  void send_event_ids() { event_ids_ = true; }
  // A user logged in on this connection.
  void log_in(std::string user);
  // The user goes offline and the connection stays (rooms, pair, presence, seen mark).
  void log_out();
  // Becomes half of a pair (any thread): the room switches to the pair and the user is told.
  void enter_pair(std::string partner);
  // The partner left (any thread): back to the lobby if in the pair room, and told why.
  void leave_pair(std::string partner, std::string why);
  // --- replies known later (its thread only) ---
  // Keeps the place of the current request's reply in the output; fill_reply(slot) gives
  // it, and nothing queued behind it is written before. A room post uses this so that the
  // session reads its next line while the post's commit is under way: posts in a row share
  // commits, and their replies still come in order.
  std::uint64_t defer_reply();
  // `stored`: the message the request stored, if it did (the IRC adapter's echo shows it).
  void fill_reply(std::uint64_t slot, std::string text, const message_stamp& stored = {});
  // Waits until every deferred reply is filled: any request but a room post sees the effect
  // of the posts before it (a `room` or `leave_group` after a post, say).
  awaitable<void> settle_deferred();
  // Whether a deferred reply is still unknown (settle_deferred would wait).
  bool deferred_pending() const { return deferred_in_flight_ > 0; }
  asio::any_io_executor executor() { return socket_.get_executor(); }

  const std::string& remote() const { return remote_; }
  const asio::ip::address& remote_address() const { return remote_address_; }
  bool over_tls() const { return transport_ == transport::tls; }
  tracker_core& core() { return core_; }

 private:
  enum class transport { undecided, plain, handshaking, tls };
  enum class protocol { undecided, line, http, websocket, irc };
  friend class irc::connection;  // the IRC adapter: requests, replies and output (irc/)

  // The connection's first coroutine: the transport, then the first wait for input.
  awaitable<void> reader();
  // Waits for the first byte without taking it; on 0x16, makes the TLS handshake. False when
  // the session ended meanwhile.
  awaitable<bool> choose_transport();
  // What the input callback could not answer without waiting: a line-protocol request that
  // waits, or a frame of another protocol, or a frame that must wait for room in the output.
  struct unanswered {
    std::optional<checked_request> request;
    std::optional<proto::frame> frame;
  };
  // Waits for input with a callback (on_input), not a coroutine: an idle connection holds no
  // frame and no buffer. A plaintext HTTP connection reads instead (on_read), into its own
  // buffer: see reads_into_own_buffer.
  void await_input();
  // Input is ready (or `ec`): read it, then answer_input.
  void on_input(error_code ec);
  // `n` bytes were read into own_buffer_ (or `ec`): then answer_input.
  void on_read(error_code ec, std::size_t n);
  // After a read: answers what needs no waiting, then waits again, or hands the rest to
  // read_on, or ends the input on `ec`.
  void answer_input(error_code ec, bool truncated);
  // Reads one chunk (decrypted, over TLS) into the framer. `ec`: would_block when there was
  // nothing after all, eof when the peer is done (`truncated`: over TLS, without
  // close_notify).
  void read_input(error_code& ec, bool& truncated);
  // Bytes read: into the framer, unless closing.
  void take_input(std::string_view input);
  // Whether the next wait is a read into own_buffer_. Asio's wait for readiness re-arms the
  // socket in epoll (one epoll_ctl per wait); a read lets the reactor skip that when the last
  // read emptied the socket. An HTTP connection asks and waits for the answer, request after
  // request (announces), so it reads; a line-protocol or IRC connection may be one of 100k
  // idle ones and holds no buffer.
  bool reads_into_own_buffer() const;
  // Answers the framer's lines, in order, while each needs no waiting. True when nothing is
  // left to answer (or closing); false with `rest` for read_on.
  bool answer_now(unanswered& rest);
  // The reader coroutine: answers `rest` and whatever follows it, then waits for input again
  // (await_input) and ends.
  awaitable<void> read_on(unanswered rest);
  // Starts `coroutine(*this)` on the session's thread, holding the session. An exception that
  // escapes it, or the input callback, ends the connection (end_on_exception) rather than leaving
  // it unread.
  template <class Coroutine>
  void spawn(Coroutine coroutine);
  void end_on_exception(std::exception_ptr e);
  // The peer is done sending (eof), or reading failed.
  awaitable<void> end_of_input(error_code ec, bool truncated);
  // The tracker is full (turned away), or plaintext from this peer is not served (it is told
  // how to connect with TLS): the client is told in the protocol `kind`, and closed.
  bool refuse_unwelcome(protocol kind);
  // Whether the line protocol's greeting is due once greet_at_ passes.
  bool greets_on_delay() const;
  // Bytes of the peer's wait unread in the socket or the framer: its first words choose the
  // protocol, so the greeting on delay must not.
  bool peer_has_spoken() const;
  // The writer: a chain of writes while there is something to write, nothing in between.
  void schedule_write();
  void write_more();
  void on_written(const error_code& ec, std::size_t count, std::size_t total);
  // The first `count` queued messages (`total` bytes) are written: out of the queue.
  void note_written(std::size_t count, std::size_t total);
  // A write is under way: the watchdog times it.
  void start_write_watch();
  void finish_writing();
  // Shuts the TCP send side; stops if the peer is done too.
  void shut_send_side();
  // The watchdog: a timer that looks at the timeouts whenever it fires or is woken.
  void watch();
  // The first line chooses the protocol (HTTP, IRC, or else the line protocol). False when
  // the frame is not to be handled: the client is refused (closing).
  bool choose_protocol(const proto::frame& frame);
  awaitable<void> handle_frame(proto::frame frame);
  // A line-protocol (or WebSocket) request: answered at once when nothing in it waits (true;
  // the reply is queued), else false with `request` checked for line_request_later, which
  // runs its handler.
  bool line_request_now(const proto::frame& frame, checked_request& request);
  awaitable<void> line_request_later(checked_request request);
  // A request's reply, follow-up events and consequences (closing), in the output.
  void finish_request(proto::reply_builder& reply, dispatch_outcome& outcome, bool malformed);
  // An HTTP request line or header into http_request_ (true), or a refusal queued for a
  // malformed one (true, closing); false for the blank line that completes the request.
  bool take_http_line(const proto::frame& frame);
  // take_http_line, and a complete request answered at once when nothing in it waits
  // (serve_http_now): true. False leaves the frame, and the request, to handle_http_frame.
  bool http_frame_now(const proto::frame& frame);
  awaitable<void> handle_http_frame(proto::frame frame);
  // The connection speaks the line protocol: greet it (once).
  void choose_line_protocol();
  void greet();
  // GET /ws: the rest of the connection is the line protocol in WebSocket messages
  // (web/ws_channel.hpp); its own reader replaces reader()'s loop.
  awaitable<void> upgrade_to_websocket(const proto::http::request& request);
  awaitable<void> websocket_reader();
  // Backpressure: a client that sends requests faster than it reads replies waits here.
  // (Asked first, so that a request with room to spare costs no coroutine frame.)
  bool must_wait_for_output_room() const;
  awaitable<void> wait_for_output_room();

  struct outgoing {
    // Null while it is a deferred reply's place. A room batch's line may be borrowed (no
    // owner; the batch's last line in the queue owns it: queue_batch).
    bytes data;
    std::int64_t room_message_id = 0;
    std::uint64_t slot = 0;  // the deferred reply this is the place of, or 0
    std::int64_t direct_message_id = 0;
    std::uint32_t room_slot = 0;  // a room message's room (chat_presence::room_slot)
  };

  void enqueue(bytes message, std::int64_t room_message_id = 0, std::int64_t sent_at_ms = 0,
               std::string_view room = {});
  // A line already in the session's form (event ids added where asked): into the output,
  // unless it is a room message queued already.
  void enqueue_formatted(bytes message, std::int64_t room_message_id, std::int64_t sent_at_ms,
                         std::string_view room);
  void enqueue_direct(bytes message, std::int64_t direct_message_id, std::int64_t sent_at_ms);
  // deliver_batch's work, on the session's thread; false when it queued nothing (or stopped).
  bool queue_batch(const std::shared_ptr<const room_batch>& batch, std::uint64_t rooms);
  // Asks the store for the next page of waiting direct messages, if one is due.
  void fetch_direct_page();
  // Into the output queue as it is (enqueue's last step; the IRC adapter's own messages).
  void queue_output(bytes message, std::int64_t room_message_id = 0, std::uint32_t room_slot = 0);
  // Adds the line to the output queue; false when the client was cut off for not reading.
  // `schedule`: false when the caller writes the queue itself next (send_replies).
  bool push_output(outgoing out, bool schedule = true);
  // A reply (or an event following one) of the request being handled. Over the line
  // protocol, appended to replies_ (cut off as push_output would); else queued as it is.
  void queue_reply(std::string text);
  // Appended to replies_, cut off as push_output would (the line protocol's replies, HTTP's
  // responses answered at once).
  void append_reply(std::string_view text);
  // replies_ into the queue as one message (and the request counts into the shared stats).
  void flush_replies();
  // flush_replies, and the writer started if it is idle.
  void send_replies();
  // The user is going offline (logout, quit, disconnect): rooms, pair, presence, seen mark.
  // `flushing`: what is queued will still be written (logout, graceful close), so it counts
  // as seen; otherwise only what was written does.
  void depart(std::string_view why, bool flushing);
  // Stores the rooms' seen marks as they advance (chat_presence::take_marks): at once after a
  // batch, else when cursor_due_ passes, so that a crash repeats at most that little at the next
  // login. `now`: whatever was written since the last one.
  void store_seen_mark(bool now);
  void begin_close(std::string reason);
  void stop(std::string reason);
  void wake(asio::steady_timer& timer);

  tcp::socket socket_;
  tracker_core& core_;
  const std::uint64_t id_;
  std::string remote_;
  asio::ip::address remote_address_;

  transport transport_ = transport::undecided;
  bool turned_away_ = false;              // the tracker was full when it came (start)
  std::unique_ptr<net::tls_socket> tls_;  // holds the certificate taken at handshake time
  clock::time_point handshake_deadline_;

  proto::line_framer framer_;
  // reads_into_own_buffer only: an announce, its headers included, fits in one read.
  using own_read_buffer = std::array<char, 2048>;
  std::unique_ptr<own_read_buffer> own_buffer_;
  protocol protocol_ = protocol::undecided;
  clock::time_point greet_at_;
  std::unique_ptr<proto::http::request> http_request_;  // headers being read
  std::unique_ptr<web::ws_channel> ws_;                 // after GET /ws only
  std::unique_ptr<irc::connection> irc_;                // IRC connections only
  session_identity identity_;
  chat_presence chat_;
  bool event_ids_ = false;
  std::int64_t direct_page_after_ = 0;  // waiting direct messages to fetch after this id
  bool direct_page_due_ = false;
  std::atomic<bool> live_direct_{false};
  std::atomic<std::int64_t> missed_direct_{0};
  std::atomic<std::int64_t> direct_read_to_{0};
  unsigned malformed_in_a_row_ = 0;
  std::uint64_t last_slot_ = 0;
  unsigned deferred_in_flight_ = 0;  // deferred replies not filled yet
  bool reply_deferred_ = false;      // the request being handled deferred its reply

  util::compact_fifo<outgoing> queue_;
  // The line protocol's replies since the last flush_replies: the queue's tail, not yet a
  // message of its own. A read's pipelined requests are answered into this one buffer and
  // queued as one message (push_output, defer_reply, the writer and begin_close flush it
  // first, so that it keeps its place). Counted in queued_bytes_.
  std::string replies_;
  std::uint64_t requests_unpublished_ = 0;  // requests_total and errors_total still to add
  std::uint64_t errors_unpublished_ = 0;
  std::string output_;  // several queued messages copied together for one write
  std::size_t queued_bytes_ = 0;
  asio::steady_timer drain_signal_;  // cancelled when the queue drains below the pause mark
  asio::steady_timer watchdog_timer_;

  clock::time_point last_input_;
  clock::time_point write_started_;
  clock::time_point closing_since_;
  clock::time_point mark_due_;  // when the pending seen mark is stored; {} none pending
  bool writing_ = false;
  bool write_scheduled_ = false;
  bool delivering_batch_ = false;  // deliver_batch writes when it has queued the batch
  bool fanout_writes_ = false;     // a fan-out shard will call write_for_fanout
  bool closing_ = false;           // no more requests; flush, then close
  bool peer_done_ = false;         // the peer closed its side
  bool writer_done_ = false;       // everything was written and our side is shut
  bool stopped_ = false;
  std::string close_reason_;
};

}  // namespace swarmhub::tracker
