#pragma once
// The tracker's data directory, held by one process at a time: two trackers writing one
// SQLite file would each believe they alone serve its users, so the second is refused.

#include <string>

namespace swarmhub::store {

class data_dir {
 public:
  // Creates `path` (mode 0700) if needed, warns (spdlog) about it and about each file in it
  // that other local users may read, and takes its lock. Throws store_failure, saying which process
  // holds it, when another one does.
  explicit data_dir(std::string path);
  ~data_dir();
  data_dir(const data_dir&) = delete;
  data_dir& operator=(const data_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  int lock_fd_ = -1;
};

}  // namespace swarmhub::store
