#pragma once
// The IRC adapter of one session (docs/protocol.md, "IRC"): a connection whose first line is
// CAP, NICK, USER or PASS speaks IRC from then on. The session keeps the transport (socket,
// TLS, output queue, timeouts); this class turns IRC messages into requests of the one
// command table (commands/dispatcher.hpp) and the line protocol's replies and events into
// IRC messages. It holds only what IRC adds: registration and CAP state, the channels the
// client shows, the room posts whose replies are still to come.
//
// Threading: the session's thread only. handle() runs in the session's reader; translate()
// and deferred_reply() are called by the session as output is queued.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "swarmhub/net/asio.hpp"
#include "swarmhub/proto/line_framer.hpp"
#include "swarmhub/tracker/chat/message_stamp.hpp"
#include "swarmhub/tracker/irc/message.hpp"

namespace swarmhub::tracker {
class session;
}

namespace swarmhub::tracker::irc {

// The IRCv3 capabilities the tracker offers, as CAP LS lists them.
inline constexpr std::string_view server_name = "swarmhub";
inline constexpr std::string_view service_nick = "swarmhub";

// A stored message an event or an echo shows; a direct message's msgid is "d<id>" (their ids
// are a sequence of their own), a room message's "<id>".
using stamp = message_stamp;
std::string msgid_of(const stamp& s);

class connection {
 public:
  using bytes = std::shared_ptr<const std::string>;

  explicit connection(session& owner);

  // One line (or a too_long frame) from the client.
  awaitable<void> handle(proto::frame frame);

  // An event the tracker queued for this session, in the line protocol's form: the IRC
  // messages that show it, or null for none (dropped, or held until registration ends).
  bytes translate(const bytes& event, const stamp& stored);

  // A room post's reply, known later (session::fill_reply), and the message it stored: what
  // IRC shows of it ("" none).
  std::string deferred_reply(std::uint64_t slot, std::string_view reply_text, const stamp& stored);

  // What a client refused before it is served (plaintext from afar) is told.
  static std::string refusal(std::string_view why);

 private:
  struct reply {
    bool ok = false;
    std::string code;
    std::string text;
    std::vector<std::string> data;
    std::uint64_t deferred_slot = 0;  // the reply comes later (a room post)
    stamp stored;                     // the message the request stored (msg)
  };
  struct pending_post {
    std::string target;  // as the client named it: "#room" or a nick
    std::string text;
    bool notice = false;
  };

  // --- requests through the one dispatcher ---
  awaitable<reply> run(std::string line);

  // --- output ---
  void send(message m);
  void send_line(std::string line, std::int64_t room_message_id = 0);
  void numeric(std::string_view code, std::vector<std::string> params);
  void notice_from_service(std::string_view text);
  void fail_error(std::string_view text);  // ERROR, then close
  std::string me() const;                  // the nick, or "*" before registration
  std::string prefix_of(std::string_view nick) const;
  // The tags the client asked for: time (the message's stored time, else now), msgid
  // (a stored message's), account (the sender's).
  std::vector<std::pair<std::string, std::string>> tags_for(std::string_view sender,
                                                            const stamp& stored = {}) const;
  bool has_cap(std::string_view cap) const;

  // --- registration (registration.cpp) ---
  awaitable<void> on_cap(const message& m);
  awaitable<void> on_authenticate(const message& m);
  awaitable<void> on_pass(const message& m);
  awaitable<void> on_nick(const message& m);
  awaitable<void> on_user(const message& m);
  awaitable<void> try_register();
  awaitable<bool> log_in(const std::string& user, const std::string& password, bool sasl);
  awaitable<void> welcome();

  // --- rooms and people (channels.cpp) ---
  awaitable<void> on_join(const message& m);
  awaitable<void> on_part(const message& m);
  awaitable<void> on_privmsg(const message& m, bool notice);
  awaitable<void> on_names(const message& m);
  awaitable<void> on_list(const message& m);
  awaitable<void> on_who(const message& m);
  awaitable<void> on_whois(const message& m);
  awaitable<void> on_mode(const message& m);
  awaitable<void> on_away(const message& m);
  // --- CHATHISTORY (history.cpp) ---
  awaitable<void> on_chathistory(const message& m);
  awaitable<void> chathistory_targets(const message& m);
  void chathistory_fail(std::string_view code, std::string_view subcommand, std::string_view text,
                        std::string_view target = {});
  awaitable<void> send_to_room(const std::string& channel, const std::string& room,
                               const std::string& text, bool notice);
  awaitable<void> sync_channels();  // JOIN what the user may read, PART what they no longer may
  awaitable<std::vector<std::string>> readable_rooms();
  awaitable<std::vector<std::string>> names_of(const std::string& room);
  void show_join(const std::string& room);
  awaitable<void> show_names(const std::string& room);
  bool in_channel(std::string_view room) const;
  std::string channel_room(std::string_view channel) const;  // "#lobby" -> "lobby"

  // --- the service nick (service.cpp) ---
  awaitable<void> on_service(const std::string& text);

  // --- events to IRC (translate.cpp) ---
  void show_event(std::string_view name, std::string_view text, const stamp& stored);

  session& owner_;
  // registration
  bool registered_ = false;
  bool negotiating_ = false;  // CAP LS/REQ seen, CAP END not yet
  bool user_given_ = false;
  std::string nick_;
  std::string pass_;
  std::set<std::string> caps_;
  std::string sasl_buffer_;
  bool sasl_plain_ = false;                    // AUTHENTICATE PLAIN said, payload awaited
  std::vector<std::pair<bytes, stamp>> held_;  // events before the welcome
  // channels: the rooms shown as joined, lower-case key -> the room's own name
  std::unordered_map<std::string, std::string> channels_;
  std::unordered_map<std::uint64_t, pending_post> posts_;
  std::string translated_;  // what show_event() made of one event
  bool translating_ = false;
  unsigned malformed_in_a_row_ = 0;
  std::uint64_t next_batch_ = 0;
};

}  // namespace swarmhub::tracker::irc
