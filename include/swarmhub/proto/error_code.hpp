#pragma once
// The one list of error codes. The wire name of each (its first token after "ERR") is
// stable: clients and scripts match on it, so codes are only ever added, never renamed.

#include <string_view>

namespace swarmhub::proto {

enum class error_code {
  unknown_command,        // the verb names no command
  bad_arguments,          // missing, extra or malformed arguments
  line_too_long,          // the line passed the tracker's line limit
  bad_encoding,           // invalid UTF-8, NUL or another control character
  auth_required,          // the server password must be given first
  not_logged_in,          // the command needs a logged-in user
  already_logged_in,      // the command is for connections without a user
  internal,               // the tracker failed; nothing was changed
  auth_failed,            // wrong server password
  already_authenticated,  // the server password was already given (or is not needed)
  bad_name,               // a user or group name outside the allowed characters or length
  bad_password,           // a new password too short or too long
  user_exists,            // create_user with a name that is taken
  login_failed,           // wrong user name or password (the two are not told apart)
  already_online,         // the user is logged in on another connection
  rate_limited,           // too many failed attempts; wait and try again
  no_such_user,
  group_exists,
  no_such_group,
  not_owner,   // only the group's owner may do that
  not_member,  // only the group's members may do that
  already_member,
  request_pending,   // a join request is already waiting
  no_such_request,   // nothing to accept or reject
  message_too_long,  // a chat message over the tracker's message limit
  not_paired,        // a pair command or pair room without a partner
  already_paired,
  file_exists,  // the name is taken in the group by other content
  no_such_file,
  bad_file,        // file metadata that does not hold together
  group_sealed,    // a sealed group's files are for swarmhub clients only
  quota_exceeded,  // past a limit the tracker keeps per user (groups owned, files shared)
  // --- the client's own, never sent by a tracker ---
  connection_lost,  // the tracker went away before answering
  timeout,          // a wait (for downloads, for a reply) ran out of time
  download_failed,  // a download ended without the whole file
};

std::string_view wire_name(error_code code);

}  // namespace swarmhub::proto
