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

std::vector<std::pair<std::string, std::int64_t>> marks_of(
    const std::vector<store::room_mark>& marks) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& m : marks) out.emplace_back(m.group, m.message_id);
  return out;
}

TEST(ChatPresence, TheReadMarksAreTakenByTheBatchOrWhenDue) {
  tracker::chat_presence p(10, 10);
  const auto rust = p.room_slot("rust");
  for (int id = 1; id <= 3; ++id) p.note_written(rust, id);
  EXPECT_TRUE(p.take_marks(false, 4).empty());  // not a batch yet
  EXPECT_TRUE(p.mark_pending());
  p.note_written(rust, 4);
  EXPECT_EQ(marks_of(p.take_marks(false, 4)), (decltype(marks_of({})){{"rust", 4}}));
  EXPECT_FALSE(p.mark_pending());
  p.note_written(rust, 5);
  EXPECT_EQ(marks_of(p.take_marks(true, 4)), (decltype(marks_of({})){{"rust", 5}}));
  EXPECT_TRUE(p.take_marks(true, 4).empty());  // nothing new
}

// Issue 16: one mark per room, so that a room's mark never passes another room's message.
TEST(ChatPresence, EachRoomHasItsOwnMarkAndTheLobbyNone) {
  tracker::chat_presence p(10, 10);
  const auto rust = p.room_slot("rust");
  const auto go = p.room_slot("go");
  EXPECT_NE(rust, go);
  EXPECT_EQ(p.room_slot("RUST"), rust);  // names without case
  EXPECT_EQ(p.room_slot("lobby"), 0u);
  EXPECT_EQ(p.room_slot(""), 0u);
  EXPECT_TRUE(p.note_queued(7, false, go));
  EXPECT_TRUE(p.note_queued(9, false, rust));
  p.note_written(rust, 9);
  p.note_written(0, 10);  // the lobby's: no mark
  EXPECT_EQ(marks_of(p.seen(false)), (decltype(marks_of({})){{"rust", 9}}));
  EXPECT_EQ(marks_of(p.seen(true)), (decltype(marks_of({})){{"rust", 9}, {"go", 7}}));
  EXPECT_EQ(marks_of(p.take_marks(true, 64)), (decltype(marks_of({})){{"rust", 9}}));
  p.reset();
  EXPECT_TRUE(p.seen(true).empty());
}
}  // namespace
}  // namespace swarmhub
