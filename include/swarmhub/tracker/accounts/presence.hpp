#pragma once
// Who is logged in on this tracker, and on which session. Thread-safe. One live login per
// user: claim() fails while another session holds the name.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace swarmhub::tracker {

class session;

class presence {
 public:
  // Registers `user` (canonical name) as logged in on `s`; false if someone already is.
  bool claim(const std::string& user, const std::shared_ptr<session>& s);
  // Forgets `user` if it is still held by session `session_id`.
  void release(const std::string& user, std::uint64_t session_id);
  std::shared_ptr<session> find(std::string_view user) const;
  std::vector<std::string> users() const;  // sorted
  std::size_t size() const;

 private:
  struct holder {
    std::string name;
    std::uint64_t session_id;
    std::weak_ptr<session> where;
  };
  static std::string key(std::string_view user);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, holder> online_;  // by lower-case name
};

}  // namespace swarmhub::tracker
