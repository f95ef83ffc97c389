#pragma once
// What one user shares and downloads, kept in a JSON file of the client's data directory
// (<data-dir>/<tracker>/<user>/shares.json), so that the next login shares again every file
// still there and unchanged, and an interrupted download carries on (F6, F7).

#include <cstdint>
#include <string>
#include <vector>

namespace swarmhub::client {

struct share_entry {
  std::string group;
  std::string name;
  std::string path;
  std::string info_hash;
  std::string info;  // bencoded info dictionary
  std::int64_t size = 0;
  std::int64_t mtime = 0;  // of the complete file, to notice changes
  bool complete = false;   // false: a download not finished yet
};

class share_book {
 public:
  // Loads `file` if it exists; a damaged file is set aside and an empty book started.
  explicit share_book(std::string file);

  const std::vector<share_entry>& entries() const { return entries_; }
  void put(share_entry entry);  // replaces the entry of the same group and name
  void erase(const std::string& group, const std::string& name);
  void erase_group(const std::string& group);
  void mark_complete(const std::string& group, const std::string& name, std::int64_t mtime);

  // The modification time the book records for `path` (0 when it cannot be read).
  // A folder's is the latest of everything in it.
  static std::int64_t mtime_of(const std::string& path);
  // The bytes of the file at `path`, or of every file of the folder at `path`; -1 when it is
  // gone or holds something else (a symbolic link, a device).
  static std::int64_t size_of(const std::string& path);

 private:
  void save() const;  // written whole (0600) to a temporary file, renamed over the old one

  std::string file_;
  std::vector<share_entry> entries_;
};

}  // namespace swarmhub::client
