#pragma once
// The names of the events (`* NAME text`) of the line protocol, written once: the tracker
// sends them, the client and the tests match on them, and docs/protocol.md lists them. Like
// error codes, a name is only ever added, never renamed.

#include <string_view>

namespace swarmhub::proto::events {

// --- sent by the tracker ---
inline constexpr std::string_view hello = "HELLO";
inline constexpr std::string_view closing = "CLOSING";
inline constexpr std::string_view logged_in = "LOGGED_IN";
inline constexpr std::string_view join_request = "JOIN_REQUEST";
inline constexpr std::string_view pending_requests = "PENDING_REQUESTS";
inline constexpr std::string_view request_accepted = "REQUEST_ACCEPTED";
inline constexpr std::string_view request_rejected = "REQUEST_REJECTED";
// The owner took you out of a group (remove_member): `<group> <owner>`. The group's members
// see it as LEFT.
inline constexpr std::string_view removed_from = "REMOVED_FROM";
inline constexpr std::string_view owner = "OWNER";
inline constexpr std::string_view room = "ROOM";
inline constexpr std::string_view msg = "MSG";
inline constexpr std::string_view pair = "PAIR";
inline constexpr std::string_view paired = "PAIRED";
inline constexpr std::string_view pair_ended = "PAIR_ENDED";
inline constexpr std::string_view joined = "JOINED";
inline constexpr std::string_view left = "LEFT";
// Someone in the lobby went away or came back: `<user> [<text>]` (no text: back).
inline constexpr std::string_view away = "AWAY";
inline constexpr std::string_view notice = "NOTICE";
// A member shared a file in a group: `<group> <file> <size> <by>`, to its online members.
inline constexpr std::string_view file_added = "FILE_ADDED";
// A file left a group's registry: `<group> <file>`.
inline constexpr std::string_view file_removed = "FILE_REMOVED";

// --- made by the client itself, shown to its user like the tracker's ---
inline constexpr std::string_view download_done = "DOWNLOAD_DONE";
inline constexpr std::string_view download_failed = "DOWNLOAD_FAILED";
// Scripted mode with --progress: one line per running download at each interval.
inline constexpr std::string_view progress = "PROGRESS";

}  // namespace swarmhub::proto::events
