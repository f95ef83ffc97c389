// The text of the events between trackers: each kind there and back, and what is refused.

#include <gtest/gtest.h>

#include "swarmhub/store/event_feed.hpp"

namespace swarmhub::store {
namespace {

feed_event round_trip(const feed_event& event) {
  const auto decoded = decode_event(encode_event(event));
  EXPECT_TRUE(decoded.has_value());
  return decoded.value_or(feed_event{});
}

TEST(EventText, RoomAndDirectMessagesKeepEveryFieldAndTabsInTheBody) {
  const room_message room{42, "rust", "alice", "a\tbody\twith tabs", 1700000000123};
  const auto back = std::get<room_stored>(round_trip(room_stored{room})).message;
  EXPECT_EQ(back.id, 42);
  EXPECT_EQ(back.group, "rust");
  EXPECT_EQ(back.sender, "alice");
  EXPECT_EQ(back.body, "a\tbody\twith tabs");
  EXPECT_EQ(back.sent_at_ms, 1700000000123);
  EXPECT_EQ(encode_event(room_stored{room}),
            "room\t42\trust\talice\t1700000000123\ta\tbody\twith tabs");

  const auto lobby = std::get<room_stored>(round_trip(room_stored{{7, "", "bob", "hi", 1}}));
  EXPECT_EQ(lobby.message.group, "");

  const direct_message dm{9, "alice", "bob", "psst", 5};
  const auto dm_back = std::get<direct_stored>(round_trip(direct_stored{dm})).message;
  EXPECT_EQ(dm_back.sender, "alice");
  EXPECT_EQ(dm_back.recipient, "bob");
  EXPECT_EQ(dm_back.body, "psst");
}

TEST(EventText, TrackerEventsCarryTheirOrigin) {
  const auto user = std::get<user_event>(round_trip(user_event{"t1", "bob", "OWNER", "rust bob"}));
  EXPECT_EQ(user.origin, "t1");
  EXPECT_EQ(user.text, "rust bob");
  const auto room =
      std::get<room_event>(round_trip(room_event{"t2", "lobby", "JOINED", "lobby x"}));
  EXPECT_EQ(room.room, "lobby");
  EXPECT_EQ(room.event, "JOINED");
  const auto sub = std::get<subscription>(round_trip(subscription{"t3", "carol", "rust"}));
  EXPECT_EQ(sub.group, "rust");
  const auto left =
      std::get<membership_change>(round_trip(membership_change{"t4", "dave", "rust", false}));
  EXPECT_EQ(left.user, "dave");
  EXPECT_EQ(left.group, "rust");
  EXPECT_FALSE(left.member);
  const auto made =
      std::get<membership_change>(round_trip(membership_change{"t4", "", "go", true}));
  EXPECT_EQ(made.user, "");
  EXPECT_TRUE(made.member);
  const auto gone = std::get<file_removal>(round_trip(file_removal{"t5", "rust", "ab12"}));
  EXPECT_EQ(gone.origin, "t5");
  EXPECT_EQ(gone.group, "rust");
  EXPECT_EQ(gone.swarm_key, "ab12");
  EXPECT_EQ(encode_event(file_removal{"t5", "rust", "ab12"}), "file\tt5\trust\tab12");
  const auto key =
      std::get<passkey_change>(round_trip(passkey_change{"t5", "erin", 0x0123456789abcdefULL}));
  EXPECT_EQ(key.origin, "t5");
  EXPECT_EQ(key.user, "erin");
  EXPECT_EQ(key.tag, 0x0123456789abcdefULL);
  const auto counted = std::get<throttle_change>(
      round_trip(throttle_change{"t6", "login", "fail", "pair:alice 127.0.0.1"}));
  EXPECT_EQ(counted.origin, "t6");
  EXPECT_EQ(counted.throttle, "login");
  EXPECT_EQ(counted.change, "fail");
  EXPECT_EQ(counted.key, "pair:alice 127.0.0.1");
}

TEST(EventText, UnknownKindsAndMissingFieldsAreRefused) {
  EXPECT_FALSE(decode_event(""));
  EXPECT_FALSE(decode_event("bogus\t1\t2"));
  EXPECT_FALSE(decode_event("room\t1\trust\talice"));
  EXPECT_FALSE(decode_event("room\tx\trust\talice\t5\tbody"));
  EXPECT_FALSE(decode_event("dm\t1\ta\tb\tsoon\tbody"));
  EXPECT_FALSE(decode_event("subscribe\tt1\tbob"));
  EXPECT_FALSE(decode_event("access\tt1\tbob\trust\tmaybe"));
  EXPECT_FALSE(decode_event("file\tt1\trust"));
  EXPECT_FALSE(decode_event("passkey\tt1\tbob"));
  EXPECT_FALSE(decode_event("passkey\tt1\tbob\t12"));
  EXPECT_FALSE(decode_event("passkey\tt1\tbob\t0123456789abcdeg"));
  EXPECT_FALSE(decode_event("throttle\tt1\tlogin\tfail"));
}

}  // namespace
}  // namespace swarmhub::store
