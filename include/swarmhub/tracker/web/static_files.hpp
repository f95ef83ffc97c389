#pragma once
// GET / and the web app's other files (web/, built into the binary): the right
// Content-Type, an ETag with revalidation (304), and the security headers every page
// carries: a strict Content-Security-Policy (the app has no inline script or style and loads
// nothing from elsewhere), nosniff, no framing, no referrer (the page's links hold passkeys).

#include <optional>
#include <string>
#include <string_view>

#include "swarmhub/proto/http.hpp"

namespace swarmhub::tracker::web {

// The policy, for tests and for anyone who wants to read it in one place.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// The Content-Type for a file name, by its extension.
std::string_view content_type_of(std::string_view path);

// The whole response for a GET or HEAD of one of the app's files ("/" is /index.html);
// nullopt when the path names none of them.
std::optional<std::string> serve_static(const proto::http::request& request);

}  // namespace swarmhub::tracker::web
