#include "swarmhub/proto/error_code.hpp"

namespace swarmhub::proto {

std::string_view wire_name(error_code code) {
  switch (code) {
    case error_code::unknown_command:
      return "UNKNOWN_COMMAND";
    case error_code::bad_arguments:
      return "BAD_ARGUMENTS";
    case error_code::line_too_long:
      return "LINE_TOO_LONG";
    case error_code::bad_encoding:
      return "BAD_ENCODING";
    case error_code::auth_required:
      return "AUTH_REQUIRED";
    case error_code::not_logged_in:
      return "NOT_LOGGED_IN";
    case error_code::already_logged_in:
      return "ALREADY_LOGGED_IN";
    case error_code::internal:
      return "INTERNAL";
    case error_code::auth_failed:
      return "AUTH_FAILED";
    case error_code::already_authenticated:
      return "ALREADY_AUTHENTICATED";
    case error_code::bad_name:
      return "BAD_NAME";
    case error_code::bad_password:
      return "BAD_PASSWORD";
    case error_code::user_exists:
      return "USER_EXISTS";
    case error_code::login_failed:
      return "LOGIN_FAILED";
    case error_code::already_online:
      return "ALREADY_ONLINE";
    case error_code::rate_limited:
      return "RATE_LIMITED";
    case error_code::no_such_user:
      return "NO_SUCH_USER";
    case error_code::group_exists:
      return "GROUP_EXISTS";
    case error_code::no_such_group:
      return "NO_SUCH_GROUP";
    case error_code::not_owner:
      return "NOT_OWNER";
    case error_code::not_member:
      return "NOT_MEMBER";
    case error_code::already_member:
      return "ALREADY_MEMBER";
    case error_code::request_pending:
      return "REQUEST_PENDING";
    case error_code::no_such_request:
      return "NO_SUCH_REQUEST";
    case error_code::message_too_long:
      return "MESSAGE_TOO_LONG";
    case error_code::not_paired:
      return "NOT_PAIRED";
    case error_code::already_paired:
      return "ALREADY_PAIRED";
    case error_code::file_exists:
      return "FILE_EXISTS";
    case error_code::no_such_file:
      return "NO_SUCH_FILE";
    case error_code::bad_file:
      return "BAD_FILE";
    case error_code::group_sealed:
      return "GROUP_SEALED";
    case error_code::quota_exceeded:
      return "QUOTA_EXCEEDED";
    case error_code::connection_lost:
      return "CONNECTION_LOST";
    case error_code::timeout:
      return "TIMEOUT";
    case error_code::download_failed:
      return "DOWNLOAD_FAILED";
  }
  return "INTERNAL";
}

}  // namespace swarmhub::proto
