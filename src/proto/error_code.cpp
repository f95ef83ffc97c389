#include "swarmhub/proto/error_code.hpp"

namespace swarmhub::proto {

std::string_view wire_name(error_code code) {
  switch (code) {
    case error_code::unknown_command: return "UNKNOWN_COMMAND";
    case error_code::bad_arguments: return "BAD_ARGUMENTS";
    case error_code::line_too_long: return "LINE_TOO_LONG";
    case error_code::bad_encoding: return "BAD_ENCODING";
    case error_code::auth_required: return "AUTH_REQUIRED";
    case error_code::not_logged_in: return "NOT_LOGGED_IN";
    case error_code::already_logged_in: return "ALREADY_LOGGED_IN";
    case error_code::internal: return "INTERNAL";
  }
  return "INTERNAL";
}

}  // namespace swarmhub::proto
