#include "swarmhub/client/commands.hpp"

#include <fmt/format.h>

#include <array>

#include "swarmhub/client/replies.hpp"
#include "swarmhub/util/text.hpp"

namespace swarmhub::client {
namespace {

using enum local_command_id;

constexpr std::array table{
    local_command{upload_file, "upload_file", 2, 3, "upload_file <path> <group> [--hybrid]",
                  "hash a file, register it in a group and share it; in an open group as v1, "
                  "which every BitTorrent client reads; --hybrid lets v1 clients join a sealed "
                  "group's (this client)"},
    local_command{download_file, "download_file", 3, 3,
                  "download_file <group> <file> <destination>",
                  "fetch a group's file from every member who has it, in the background (this "
                  "client)"},
    local_command{show_downloads, "show_downloads", 0, 0, "show_downloads",
                  "[D] downloading, [C] complete, [S] shared, [F] failed (this client)"},
    local_command{stop_share, "stop_share", 2, 2, "stop_share <group> <file>",
                  "stop sharing a file (this client)"},
    local_command{wait_downloads, "wait_downloads", 0, 1, "wait_downloads [seconds]",
                  "wait until every download has finished; fails if one failed or time ran out "
                  "(this client)"},
    local_command{verify, "verify", 2, 2, "verify <group> <file>",
                  "read a shared or downloaded file back and check every piece; what is missing "
                  "is fetched again (this client)"},
    local_command{torrent_file, "torrent_file", 2, 3, "torrent_file <group> <file> [dest]",
                  "write <file>.torrent, announcing with your passkey, for another BitTorrent "
                  "client; open groups only (this client)"},
    local_command{magnet, "magnet", 2, 2, "magnet <group> <file>",
                  "a magnet link with your passkey for another BitTorrent client; open groups "
                  "only (this client)"},
    local_command{me, "me", 1, 1, "/me <action>", "post an action to your room: * you <action>",
                  proto::help_topic::chat},
    local_command{join, "join", 1, 1, "/join <group>",
                  "talk in a group's room; asks to join the group if you are not a member",
                  proto::help_topic::chat},
    local_command{part, "part", 0, 0, "/part", "back to the lobby (ends a /query too)",
                  proto::help_topic::chat},
    local_command{query, "query", 0, 1, "/query [user]",
                  "plain lines go to that user as direct messages; /query alone stops",
                  proto::help_topic::chat},
};

const local_command* find_local_command(std::string_view verb) {
  for (const auto& c : table) {
    if (proto::names_command(verb, c.name)) return &c;
  }
  return nullptr;
}

}  // namespace

std::span<const local_command> local_commands() {
  return table;
}

std::optional<proto::reply> local_help(const command_line& line) {
  if (!line.is(proto::command_id::help) || !line.args.error.empty()) return std::nullopt;
  const auto& a = line.args.values;
  if (a.size() > 1) return std::nullopt;  // the tracker says what is wrong
  const bool all = a.size() == 1 && util::iequals_ascii(a[0], "all");
  if (a.empty() || all) {
    std::vector<proto::help_entry> own;
    for (const auto& c : table) own.push_back({c.topic, c.usage, c.summary});
    return ok_reply(std::string(proto::help_footer(all)), proto::help_lines(all, own));
  }
  const local_command* c = find_local_command(a[0]);
  if (c == nullptr) return std::nullopt;
  return ok_reply(std::string(c->summary), {fmt::format("usage: {}", c->usage)});
}

std::optional<command_line> read_command_line(std::string_view typed) {
  const std::string_view line = util::trim(typed);
  if (line.empty() || line.starts_with('#')) return std::nullopt;
  command_line out;
  out.text = std::string(line);
  const auto [verb, rest] = proto::split_verb(line);
  if ((out.local = find_local_command(verb)) != nullptr) {
    const bool text_tail = out.local->id == local_command_id::me;
    out.args = proto::split_arguments(rest, out.local->max_args, text_tail);
  } else if ((out.tracker = proto::find_command(verb)) != nullptr) {
    out.args = proto::split_arguments(rest, out.tracker->max_args, out.tracker->text_tail);
  }
  return out;
}

}  // namespace swarmhub::client
