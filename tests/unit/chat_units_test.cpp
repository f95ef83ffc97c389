// The pure parts of chat: the pair queue, the flood gate, chat.log lines, a session's chat
// presence and identity; and the one store thread room posts rely on.

#include <gtest/gtest.h>

#include <stdexcept>

#include "process.hpp"
#include "swarmhub/store/sqlite_backend.hpp"
#include "swarmhub/tracker/accounts/session_identity.hpp"
#include "swarmhub/tracker/chat/chat_log.hpp"
#include "swarmhub/tracker/chat/chat_presence.hpp"
#include "swarmhub/tracker/chat/flood_gate.hpp"
#include "swarmhub/tracker/chat/pairing.hpp"
#include "swarmhub/tracker/core.hpp"

namespace swarmhub::tracker {
namespace {

using namespace std::chrono_literals;
using outcome = pairing::outcome;

TEST(Pairing, TwoByTwoAThirdWaitsForAFourth) {
  pairing p;
  EXPECT_EQ(p.request({1, "a"}).what, outcome::waiting);
  EXPECT_EQ(p.request({1, "a"}).what, outcome::still_waiting);
  auto second = p.request({2, "b"});
  EXPECT_EQ(second.what, outcome::paired);
  EXPECT_EQ(second.partner.user, "a");
  EXPECT_EQ(p.partner_of(1)->user, "b");
  EXPECT_EQ(p.request({3, "c"}).what, outcome::waiting);
  EXPECT_EQ(p.request({1, "a"}).what, outcome::already_paired);
  EXPECT_EQ(p.request({4, "d"}).partner.user, "c");
  EXPECT_FALSE(p.waiting(3));
}

TEST(Pairing, LeavingEndsThePairOrTheWait) {
  pairing p;
  p.request({1, "a"});
  p.request({2, "b"});
  auto partner = p.leave(2);
  ASSERT_TRUE(partner);
  EXPECT_EQ(partner->left_behind.user, "a");
  EXPECT_FALSE(partner->new_partner);  // nobody was waiting
  EXPECT_FALSE(p.partner_of(1));
  EXPECT_FALSE(p.leave(2));
  p.request({3, "c"});
  EXPECT_TRUE(p.waiting(3));
  EXPECT_FALSE(p.leave(3));  // was only waiting: no partner to tell
  EXPECT_FALSE(p.waiting(3));
  EXPECT_EQ(p.request({1, "a"}).what, outcome::waiting);
}

// Seed 002: the one left behind is paired with someone already waiting.
TEST(Pairing, TheOneLeftBehindIsPairedWithWhoeverWaits) {
  pairing p;
  p.request({1, "a"});
  p.request({2, "b"});
  EXPECT_EQ(p.request({3, "c"}).what, outcome::waiting);
  const auto gone = p.leave(2);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->left_behind.user, "a");
  ASSERT_TRUE(gone->new_partner);
  EXPECT_EQ(gone->new_partner->user, "c");
  EXPECT_EQ(p.partner_of(1)->user, "c");
  EXPECT_EQ(p.partner_of(3)->user, "a");
  EXPECT_FALSE(p.waiting(3));
  EXPECT_FALSE(p.partner_of(2));
  EXPECT_EQ(p.request({4, "d"}).what, outcome::waiting);
}

TEST(FloodGate, BurstThenRate) {
  flood_gate gate(2.0, 3.0);
  const auto t0 = flood_gate::clock::now();
  EXPECT_TRUE(gate.allow(t0));
  EXPECT_TRUE(gate.allow(t0));
  EXPECT_TRUE(gate.allow(t0));
  EXPECT_FALSE(gate.allow(t0));
  EXPECT_FALSE(gate.allow(t0 + 100ms));  // 0.2 of a token
  EXPECT_TRUE(gate.allow(t0 + 600ms));   // 1.2 tokens since t0
  EXPECT_FALSE(gate.allow(t0 + 700ms));
  EXPECT_TRUE(gate.allow(t0 + 10s));  // refilled, but never past the burst
  EXPECT_TRUE(gate.allow(t0 + 10s));
  EXPECT_TRUE(gate.allow(t0 + 10s));
  EXPECT_FALSE(gate.allow(t0 + 10s));
}

TEST(ChatLog, LineFormat) {
  EXPECT_EQ(chat_log::format_line(1'763'739'727'123, "rust", "alice", "hello"),
            "2025-11-21T15:42:07.123Z [rust] alice: hello\n");
  // Whatever control character got this far is neutralised.
  EXPECT_EQ(chat_log::format_line(0, "lobby", "bob", "a\x1b[2Jb"),
            "1970-01-01T00:00:00.000Z [lobby] bob: a?[2Jb\n");
}

TEST(ChatPresence, RepeatsAreDroppedOnlyWithASharedStore) {
  chat_presence alone(10, 10);
  EXPECT_TRUE(alone.note_queued(7, false));
  EXPECT_TRUE(alone.note_queued(7, false));
  chat_presence shared(10, 10);
  EXPECT_TRUE(shared.note_queued(7, true));
  EXPECT_FALSE(shared.note_queued(7, true));
  EXPECT_TRUE(shared.note_queued(0, true));  // not a room message
  EXPECT_TRUE(shared.note_queued(0, true));
}

TEST(ChatPresence, SeenCountsQueuedOnlyWhenFlushingAndLogoutForgetsIt) {
  chat_presence p(10, 10);
  p.set_room("rust");
  const auto rust = p.room_slot("rust");
  p.note_queued(5, false, rust);
  p.note_queued(9, false, rust);
  p.note_written(rust, 5);
  EXPECT_EQ(p.seen(false).at(0).message_id, 5);
  EXPECT_EQ(p.seen(true).at(0).message_id, 9);
  p.reset();
  EXPECT_EQ(p.room(), "lobby");
  EXPECT_TRUE(p.seen(true).empty());
}

TEST(ChatPresence, FloodingCountsRefusalsInARowOnly) {
  chat_presence p(0.001, 1);
  EXPECT_TRUE(p.allow_message());
  EXPECT_FALSE(p.allow_message());
  EXPECT_FALSE(p.flooding(2));
  EXPECT_TRUE(p.flooding(2));
}

TEST(SessionIdentity, LoginAndLogoutMoveTheState) {
  session_identity who;
  EXPECT_EQ(who.state(), proto::session_state::anonymous);
  who.log_in("Alice");
  EXPECT_EQ(who.state(), proto::session_state::logged_in);
  EXPECT_EQ(who.user(), "Alice");
  who.log_out();
  EXPECT_EQ(who.state(), proto::session_state::anonymous);
  EXPECT_EQ(who.user(), "");
  EXPECT_EQ(who.count_auth_failure(), 1u);
  EXPECT_EQ(who.count_auth_failure(), 2u);
}

// Room fan-out keeps commit order only on one store thread: a tracker refuses to start
// with more.
TEST(RoomPosts, RefuseAStoreOfTwoThreads) {
  test::temp_dir dir;
  const auto open = [&](std::size_t n) {
    std::vector<std::unique_ptr<store::backend>> connections;
    for (std::size_t i = 0; i < n; ++i) connections.push_back(store::open_sqlite(dir.file("t.db")));
    return std::make_unique<store::async_store>(std::move(connections));
  };
  // Named: a temporary tracker_options inside EXPECT_THROW makes GCC 12 at -O3 warn of an
  // uninitialised string (-Wmaybe-uninitialized, a false positive).
  const tracker_options options;
  EXPECT_THROW(tracker_core(options, open(2)), std::logic_error);
  tracker_core one(options, open(1));
  EXPECT_EQ(one.store->threads(), 1u);
}

}  // namespace
}  // namespace swarmhub::tracker
