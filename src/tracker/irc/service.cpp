// The service nick `swarmhub`: what IRC has no command for (pair chat, group requests, file
// lists) is a line to it, `/msg swarmhub <word> [arguments]`. Each word names one command of
// the line protocol; its reply comes back as NOTICEs from the service.

#include <fmt/format.h>

#include <array>

#include "swarmhub/proto/request.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/tracker/irc/connection.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::tracker::irc {
namespace {

struct service_word {
  std::string_view word;
  std::string_view command;  // the line protocol's
  std::string_view usage;
};

// The words, each for one command of the table (proto/commands.hpp).
constexpr std::array service_words{
    service_word{"pair", "pair", "pair: wait for a partner for a private chat"},
    service_word{"unpair", "unpair", "unpair: leave your pair"},
    service_word{"say", "say", "say <text>: talk to your pair partner"},
    service_word{"groups", "list_groups", "groups: every group"},
    service_word{"create", "create_group", "create <group>: create a group"},
    service_word{"join", "join_group", "join <group>: ask to join a group"},
    service_word{"leave", "leave_group", "leave <group>: leave a group"},
    service_word{"members", "list_members", "members <group>: a group's members"},
    service_word{"requests", "list_requests", "requests <group>: join requests of your group"},
    service_word{"accept", "accept_request", "accept <group> <user>: let a user in"},
    service_word{"reject", "reject_request", "reject <group> <user>: turn a user down"},
    service_word{"remove", "remove_member", "remove <group> <user>: take a member out"},
    service_word{"files", "list_files", "files <group>: a group's files"},
    service_word{"mode", "group_mode", "mode <group> sealed|open: set a group's mode"},
    service_word{"passkey", "passkey", "passkey: your BitTorrent announce key"},
};

}  // namespace

awaitable<void> connection::on_service(const std::string& text) {
  const auto [verb, rest] = proto::split_verb(text);
  const service_word* found = nullptr;
  for (const auto& w : service_words) {
    if (util::iequals_ascii(verb, w.word)) found = &w;
  }
  if (found == nullptr) {
    notice_from_service("commands (/msg swarmhub <command>):");
    for (const auto& w : service_words) notice_from_service(std::string(w.usage));
    co_return;
  }
  if (found->command == "say" && !util::iequals_ascii(owner_.chat().room(), "pair")) {
    const auto moved = co_await run("room pair");
    if (!moved.ok) co_return notice_from_service(fmt::format("{} ({})", moved.text, moved.code));
  }
  const auto r = co_await run(fmt::format("{} {}", found->command, rest));
  for (const auto& line : r.data) notice_from_service(line);
  if (r.deferred_slot != 0) co_return;
  notice_from_service(r.ok ? r.text : fmt::format("{} ({})", r.text, r.code));
  // Membership may have changed: the channels follow.
  if (r.ok && (found->command == "create_group" || found->command == "leave_group")) {
    co_await sync_channels();
  }
}

}  // namespace swarmhub::tracker::irc
