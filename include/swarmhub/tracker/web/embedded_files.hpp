#pragma once
// The web app's files (the project's web/ folder), built into the tracker binary by
// cmake/embed_files.cmake, so that the tracker is one file to deploy.

#include <span>
#include <string_view>

namespace swarmhub::tracker::web {

struct embedded_file {
  std::string_view path;   // "/index.html", "/app.js", ...
  std::string_view bytes;  // the file's content
  std::string_view etag;   // a strong ETag, quoted: a prefix of the content's SHA-256
};

// Every file, sorted by path. Static storage: the views live as long as the program.
std::span<const embedded_file> embedded_files();

}  // namespace swarmhub::tracker::web
