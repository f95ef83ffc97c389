#pragma once
// Paths as a person types them, and copies of files that cost no space where the file
// system allows it.

#include <string>
#include <string_view>

namespace swarmhub::util {

// `~` and `~/rest` as the shell expands them: `home` and `home/rest`. Anything else
// (`~user`, `a/~`, "") is returned as it is.
std::string expand_tilde(std::string_view path, std::string_view home);
// The same with the user's home: $HOME, else the password database's; the path unchanged
// when neither is known.
std::string expand_tilde(std::string_view path);

enum class clone_method { reflink, hard_link, copy };

struct clone_result {
  clone_method how = clone_method::copy;
  std::string error;  // empty on success
};

// Makes `to` (which must not exist) a file with the content of `from`: a reflink
// (FICLONE: shared blocks, copied on write) where the file system allows it, else a hard
// link (same file system), else a plain copy. Blocking; a copy takes as long as the file.
clone_result clone_file(const std::string& from, const std::string& to);

// clone_file() for a folder: `to` (which must not exist) becomes a folder with the same tree,
// each file cloned; symbolic links are not followed, nor copied. `how` is the last file's.
clone_result clone_tree(const std::string& from, const std::string& to);

std::string_view to_string(clone_method how);

}  // namespace swarmhub::util
