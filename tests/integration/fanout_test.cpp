// Room fan-out over the I/O threads (chat/fanout.hpp): a committed batch holding several
// rooms' messages reaches each session in one order, only the rooms it is in, in the form it
// asked for (event_ids), and a sender's reply comes after its message was handed out.

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

using namespace std::chrono_literals;

// The next `count` ROOM events' texts.
std::vector<std::string> room_events(line_client& c, std::size_t count) {
  std::vector<std::string> out;
  while (out.size() < count) {
    auto e = c.read_event(20s);
    if (!e) {
      ADD_FAILURE() << "got " << out.size() << " of " << count << " room messages";
      return out;
    }
    if (e->name == "ROOM") out.push_back(e->text);
  }
  return out;
}

// The text without the `#<id> ` that event_ids puts first, and that id.
std::pair<std::string, long> without_id(const std::string& text) {
  if (!text.starts_with('#')) return {text, -1};
  const auto space = text.find(' ');
  return {text.substr(space + 1), std::stol(text.substr(1, space - 1))};
}

TEST(Fanout, BatchesOfTwoRoomsReachEachSessionInOneOrderInItsOwnForm) {
  tracker_process tracker({"--chat-rate", "100000", "--chat-burst", "100000"});
  auto owner = tracker.user("owner");
  auto lobby_poster = tracker.user("lp");
  auto both = tracker.user("both");
  auto numbered = tracker.user("numbered");
  auto lobby_only = tracker.user("lonely");
  ASSERT_TRUE(owner.request("create_group g").ok);
  for (auto* who : {&both, &numbered}) {
    ASSERT_TRUE(who->request("join_group g").ok);
  }
  ASSERT_TRUE(owner.request("accept_request g both").ok);
  ASSERT_TRUE(owner.request("accept_request g numbered").ok);
  ASSERT_TRUE(owner.request("room g").ok);
  ASSERT_TRUE(numbered.request("event_ids").ok);

  // Two posters, one per room, each a burst in one write: the commits mix the two rooms.
  constexpr int per_poster = 200;
  std::string group_burst;
  std::string lobby_burst;
  for (int i = 0; i < per_poster; ++i) {
    group_burst += "say g" + std::to_string(i) + "\n";
    lobby_burst += "say l" + std::to_string(i) + "\n";
  }
  std::thread group_side([&] { owner.send_raw(group_burst); });
  lobby_poster.send_raw(lobby_burst);
  group_side.join();
  for (int i = 0; i < per_poster; ++i) {
    ASSERT_TRUE(owner.read_reply().ok);
    ASSERT_TRUE(lobby_poster.read_reply().ok);
  }

  const auto seen_by_both = room_events(both, 2 * per_poster);
  const auto seen_numbered = room_events(numbered, 2 * per_poster);
  const auto seen_lobby_only = room_events(lobby_only, per_poster);
  ASSERT_EQ(seen_numbered.size(), seen_by_both.size());
  long last_id = 0;
  for (std::size_t i = 0; i < seen_by_both.size(); ++i) {
    const auto [text, id] = without_id(seen_numbered[i]);
    EXPECT_EQ(text, seen_by_both[i]) << "message " << i << " in another order";
    EXPECT_GT(id, last_id) << "ids not rising at message " << i;
    last_id = id;
  }
  // Each poster's messages in the order sent; the lobby's alone for who is not in g.
  int next_group = 0;
  int next_lobby = 0;
  for (const auto& t : seen_by_both) {
    if (t.starts_with("g owner ")) {
      EXPECT_EQ(t, "g owner g" + std::to_string(next_group++));
    } else {
      EXPECT_EQ(t, "lobby lp l" + std::to_string(next_lobby++));
    }
  }
  EXPECT_EQ(next_group, per_poster);
  for (int i = 0; i < per_poster; ++i) {
    EXPECT_EQ(seen_lobby_only[i], "lobby lp l" + std::to_string(i));
  }
  // Nothing more: no copy twice, none of its own to a poster.
  ASSERT_TRUE(lobby_only.request("ping").ok);
  ASSERT_TRUE(lobby_poster.request("ping").ok);
  for (auto* who : {&lobby_only, &lobby_poster}) {
    for (const auto& e : who->events()) EXPECT_NE(e.name, "ROOM") << e.text;
  }
}

TEST(Fanout, AMessageComesBeforeWhatItsSenderDidAfterItsReply) {
  tracker_process tracker({"--chat-rate", "100000", "--chat-burst", "100000"});
  auto listener = tracker.user("listener");
  for (int round = 0; round < 20; ++round) {
    const std::string name = "s" + std::to_string(round);
    auto sender = tracker.user(name);
    ASSERT_TRUE(sender.request("say last words " + std::to_string(round)).ok);
    ASSERT_TRUE(sender.request("quit").ok);
    // The lobby is small, so its comings and goings are told: the message first.
    std::optional<proto::event> e;
    do {
      e = listener.read_event(10s);
      ASSERT_TRUE(e);
    } while (e->name != "ROOM" && e->name != "LEFT");
    EXPECT_EQ(e->name, "ROOM") << e->text;
    EXPECT_EQ(e->text, "lobby " + name + " last words " + std::to_string(round));
    EXPECT_EQ(listener.next_event("LEFT").text, "lobby " + name);
  }
}

}  // namespace
}  // namespace swarmhub::test
