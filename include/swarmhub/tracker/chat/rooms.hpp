#pragma once
// Who receives a room's messages live: the lobby holds every logged-in session, a group's
// room the sessions of its logged-in members. Derived from logins and membership changes;
// the store stays the authority on who may post or read history. Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace swarmhub::tracker {

class session;

class room_registry {
 public:
  // The one spelling of a room's name that rooms are kept under (case-folded).
  static std::string key(std::string_view room);
  static constexpr std::string_view lobby = "lobby";
  // Two users' private room (chat/pairing.hpp); no group may take either name.
  static constexpr std::string_view pair = "pair";

  void subscribe(std::string_view room, const std::shared_ptr<session>& s);
  void unsubscribe(std::string_view room, std::uint64_t session_id);
  void unsubscribe_all(std::uint64_t session_id);
  void remove_room(std::string_view room);

  std::vector<std::shared_ptr<session>> subscribers(std::string_view room) const;
  // The rooms a session is in, by key.
  std::vector<std::string> rooms_of(std::uint64_t session_id) const;
  std::size_t size(std::string_view room) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, std::weak_ptr<session>>> rooms_;
  std::unordered_map<std::uint64_t, std::vector<std::string>> rooms_of_;  // for unsubscribe_all
};

}  // namespace swarmhub::tracker
