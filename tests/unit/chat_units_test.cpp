// The pure parts of chat: the pair queue, the flood gate, chat.log lines.

#include <gtest/gtest.h>

#include "swarmhub/tracker/chat_log.hpp"
#include "swarmhub/tracker/flood_gate.hpp"
#include "swarmhub/tracker/pairing.hpp"

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
  EXPECT_EQ(partner->user, "a");
  EXPECT_FALSE(p.partner_of(1));
  EXPECT_FALSE(p.leave(2));
  p.request({3, "c"});
  EXPECT_TRUE(p.waiting(3));
  EXPECT_FALSE(p.leave(3));  // was only waiting: no partner to tell
  EXPECT_FALSE(p.waiting(3));
  EXPECT_EQ(p.request({1, "a"}).what, outcome::waiting);
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

}  // namespace
}  // namespace swarmhub::tracker
