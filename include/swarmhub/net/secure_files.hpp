#pragma once
// Files at rest that only their owner may read: data directories 0700, secrets and databases
// 0600. Files are created with their final mode (never written first and chmod-ed after), and
// an existing directory or file that is looser is reported, not silently changed: the
// operator may have a reason, and the warning says what to run.

#include <string>
#include <string_view>

namespace swarmhub::net {

// Creates `path` (and its missing parents) with mode 0700. Returns a warning when `path`
// already exists with any group/other permission bit, "" otherwise. Throws
// std::system_error when it cannot be created or is not a directory.
std::string make_private_dir(const std::string& path);

// A warning when the file at `path` has any group/other permission bit; "" when it has none
// or does not exist.
std::string check_private_file(const std::string& path);

// open(2) with O_CREAT | O_CLOEXEC | O_NOFOLLOW and mode 0600 added to `flags` (for example
// O_WRONLY | O_APPEND, or O_WRONLY | O_EXCL for a file that must be new). Returns the
// descriptor, or -1 with errno set.
int open_private_file(const std::string& path, int flags);

// Writes `bytes` as the new file `path`, mode 0600, all or nothing: through a temporary file
// in the same directory, renamed over `path` once written and synced. Returns "" on success,
// otherwise what failed.
std::string write_private_file(const std::string& path, std::string_view bytes);

// Appends `bytes` to `path`, creating it 0600 if needed. Returns "" or what failed.
std::string append_private_file(const std::string& path, std::string_view bytes);

}  // namespace swarmhub::net
