#pragma once
// What the client shows people where the protocol carries numbers for programs: sizes in
// `list_files` replies. Exact byte counts stay in `file_info`. Pure.

#include <string>
#include <string_view>

namespace swarmhub::client {

// One data line of `list_files` (`<name> size=<bytes> uploader=...`) with its size for
// people: `<name> 4.6 MiB uploader=...`. A line in another shape is returned as it is.
std::string readable_file_line(std::string_view line);

}  // namespace swarmhub::client
