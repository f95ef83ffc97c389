#pragma once
// The one list of error codes. The wire name of each (its first token after "ERR") is
// stable: clients and scripts match on it, so codes are only ever added, never renamed.

#include <string_view>

namespace swarmhub::proto {

enum class error_code {
  unknown_command,    // the verb names no command
  bad_arguments,      // missing, extra or malformed arguments
  line_too_long,      // the line passed the tracker's line limit
  bad_encoding,       // invalid UTF-8, NUL or another control character
  auth_required,      // the server password must be given first
  not_logged_in,      // the command needs a logged-in user
  already_logged_in,  // the command is for connections without a user
  internal,           // the tracker failed; nothing was changed
};

std::string_view wire_name(error_code code);

}  // namespace swarmhub::proto
