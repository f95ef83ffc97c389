#include "swarmhub/tracker/chat/chat.hpp"

#include <fmt/format.h>

#include "swarmhub/proto/events.hpp"
#include "swarmhub/proto/reply.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/conn/session.hpp"

namespace swarmhub::tracker::chat {

std::string room_name(const store::room_message& m) {
  return m.group.empty() ? std::string(room_registry::lobby) : m.group;
}

std::string room_event(const store::room_message& m, bool with_id) {
  return proto::format_event(proto::events::room,
                             with_id
                                 ? fmt::format("#{} {} {} {}", m.id, room_name(m), m.sender, m.body)
                                 : fmt::format("{} {} {}", room_name(m), m.sender, m.body));
}

std::shared_ptr<const std::string> direct_event(const store::direct_message& m) {
  return std::make_shared<const std::string>(
      proto::format_event(proto::events::msg, fmt::format("{} {}", m.sender, m.body)));
}

void deliver_direct_page(tracker_core& core, store::backend& db, const std::shared_ptr<session>& to,
                         const std::string& user, std::int64_t after) {
  // A page fills at most a quarter of what the session may queue, at the longest messages.
  const std::size_t page =
      std::max<std::size_t>(1, core.options.max_output / 4 / (core.options.max_message + 64));
  if (after == 0) to->take_missed_direct();  // a new backlog: nothing missed before it
  auto waiting = db.undelivered_direct(user, after, page + 1);
  bool more = waiting.size() > page;
  // The backlog's last page, when a refill of the event feed came while it was paged: from
  // the gap once more (the session drops what it was given already). Then taken, so this
  // ends.
  if (const auto missed = more ? 0 : to->take_missed_direct(); missed > 0 && missed <= after) {
    waiting = db.undelivered_direct(user, missed - 1, page + 1);
    more = waiting.size() > page;
  }
  if (more) waiting.pop_back();
  to->direct_pages_read_to(more ? waiting.back().id : 0);
  for (const auto& m : waiting) to->deliver_direct(direct_event(m), m.id, m.sent_at_ms);
  to->take_live_direct(!more);
  if (more) to->direct_page_queued(waiting.back().id);
}

void offer_direct(const std::shared_ptr<session>& to, const store::direct_message& m) {
  // While a backlog is paged, a later page brings a message above what the pages read; one
  // at or below it no page will.
  if (to->takes_live_direct() || m.id <= to->direct_pages_read_to()) {
    to->deliver_direct(direct_event(m), m.id, m.sent_at_ms);
  }
}

void publish(tracker_core& core, const store::room_message& m, std::uint64_t sender_session) {
  core.fanout.publish(core, {{m, sender_session}});
}

void announce(tracker_core& core, std::string_view room, std::string_view event,
              std::string_view text, std::uint64_t except) {
  if (room == room_registry::lobby && core.rooms.size(room) > core.options.lobby_presence_limit) {
    return;  // a crowd's comings and goings are noise; `list` tells who is there
  }
  auto message = std::make_shared<const std::string>(proto::format_event(event, text));
  for (const auto& s : core.rooms.subscribers(room)) {
    if (s->id() != except) s->deliver(message);
  }
}

void announce_everywhere(tracker_core& core, std::string_view room, std::string_view event,
                         std::string_view text, std::uint64_t except) {
  announce(core, room, event, text, except);
  relay::to_room(core, room, event, text);
}

void end_pair(tracker_core& core, const pairing::departure& gone, std::string_view leaver,
              std::string_view why) {
  // A session already gone leaves again through its own depart(), which ends this new pair.
  auto behind = core.sessions.find(gone.left_behind.session_id);
  if (behind) behind->leave_pair(std::string(leaver), std::string(why));
  if (!gone.new_partner) return;
  if (behind) behind->enter_pair(gone.new_partner->user);
  if (auto waiter = core.sessions.find(gone.new_partner->session_id))
    waiter->enter_pair(gone.left_behind.user);
}

}  // namespace swarmhub::tracker::chat
