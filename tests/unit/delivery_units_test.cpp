// The small pieces of exactly-once delivery: the client's filter of repeated room events,
// the tracker's marks of what its feed brought, a session's batched read mark.

#include <gtest/gtest.h>

#include "swarmhub/client/room_event_ids.hpp"
#include "swarmhub/tracker/chat/chat_presence.hpp"
#include "swarmhub/tracker/chat/feed_marks.hpp"

namespace swarmhub {
namespace {

TEST(RoomEventIds, TakesTheIdOffAndDropsARepeat) {
  client::room_event_ids ids;
  proto::event first{"ROOM", "#41 g alice hello"};
  ASSERT_TRUE(ids.accept(first));
  EXPECT_EQ(first.text, "g alice hello");
  proto::event again{"ROOM", "#41 g alice hello"};
  EXPECT_FALSE(ids.accept(again));
  proto::event next{"ROOM", "#42 g alice more"};
  EXPECT_TRUE(ids.accept(next));
}

TEST(RoomEventIds, LeavesEventsWithoutIdsAsTheyCame) {
  client::room_event_ids ids;
  proto::event plain{"ROOM", "g alice #1 is not an id"};
  EXPECT_TRUE(ids.accept(plain));
  EXPECT_TRUE(ids.accept(plain));
  EXPECT_EQ(plain.text, "g alice #1 is not an id");
  proto::event odd{"ROOM", "#4x g alice"};
  EXPECT_TRUE(ids.accept(odd));
  EXPECT_EQ(odd.text, "#4x g alice");
  proto::event notice{"NOTICE", "#5 bob hi"};
  EXPECT_TRUE(ids.accept(notice));
  EXPECT_EQ(notice.text, "#5 bob hi");
}

TEST(RoomEventIds, DirectMessagesAreNumberedApartFromRoomMessages) {
  client::room_event_ids ids;
  proto::event room{"ROOM", "#7 g alice hello"};
  ASSERT_TRUE(ids.accept(room));
  proto::event direct{"MSG", "#7 bob hi"};
  ASSERT_TRUE(ids.accept(direct));
  EXPECT_EQ(direct.text, "bob hi");
  proto::event again{"MSG", "#7 bob hi"};
  EXPECT_FALSE(ids.accept(again));
}

TEST(FeedMarks, EachIdOnceAndARefillFromBelowTheOldestRemembered) {
  tracker::feed_marks marks;
  marks.start_at(10);
  EXPECT_EQ(marks.refill_after(), 10);
  EXPECT_TRUE(marks.first_time(12));
  EXPECT_TRUE(marks.first_time(11));  // committed late, with a lower id
  EXPECT_FALSE(marks.first_time(12));
  EXPECT_EQ(marks.refill_after(), 10);
  EXPECT_TRUE(marks.first_time(13));
  EXPECT_EQ(marks.refill_after(), 10);
}

TEST(ChatPresence, TheReadMarkIsTakenByTheBatchOrWhenDue) {
  tracker::chat_presence p(10, 10);
  for (int id = 1; id <= 3; ++id) p.note_written(id);
  EXPECT_EQ(p.take_mark(false, 4), 0);  // not a batch yet
  EXPECT_TRUE(p.mark_pending());
  p.note_written(4);
  EXPECT_EQ(p.take_mark(false, 4), 4);
  EXPECT_FALSE(p.mark_pending());
  p.note_written(5);
  EXPECT_EQ(p.take_mark(true, 4), 5);  // due: whatever was written
  EXPECT_EQ(p.take_mark(true, 4), 0);  // nothing new
}

}  // namespace
}  // namespace swarmhub
