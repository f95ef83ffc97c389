#pragma once
// What Tab offers after the first word: the names of groups, users, rooms and files the
// tracker last listed, chosen by the placeholder at that place in the command's usage
// (`<group>`, `<user>`, `<file>`, `[lobby|pair|<group>]`, `<room>`), and user names inside
// chat text. Pure; fed with each reply.

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "swarmhub/client/commands.hpp"
#include "swarmhub/proto/reply.hpp"

namespace swarmhub::client {

class completions {
 public:
  // What a tracker, hostile or broken, can make the client hold and offer: a name longer than
  // max_name_bytes, not UTF-8 or with control characters (which Tab would put into the line
  // being typed) is not learned, and each kind keeps at most max_names.
  static constexpr std::size_t max_name_bytes = 255;
  static constexpr std::size_t max_names = 10000;

  // Takes the names out of the reply to a listing (list_groups, list, list_members, rooms,
  // list_requests, list_files); other replies leave it as it was.
  void learn(const command_line& command, const proto::reply& reply);

  // The words that may follow `before` (the line up to the word being completed), or
  // nothing where a path is wanted (the terminal then completes file names).
  std::optional<std::vector<std::string>> candidates(std::string_view before) const;

 private:
  std::set<std::string> groups_;
  std::set<std::string> users_;
  std::set<std::string> rooms_;
  std::set<std::string> files_;
};

}  // namespace swarmhub::client
