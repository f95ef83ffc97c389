// Issue 16: login throttling that cannot be raced or turned against a user, resume tokens
// used once, change_password, and text that could disguise itself refused.

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

const std::string stranger_address = "127.0.0.2";

// Closes `c` and waits until the tracker has let its session go (its login released), so
// that what follows does not race the tracker noticing the close.
void close_and_wait(tracker_process& tracker, line_client& c, long still_open) {
  c.close();
  ASSERT_TRUE(tracker.eventually_stats([&](const std::string& line) {
    return tracker_process::counter(line, "clients") == still_open;
  }));
}

TEST(LoginDefense, FortySimultaneousWrongLoginsCheckOnlyTheFreeFive) {
  tracker_process tracker;
  ASSERT_TRUE(tracker.connect().request("create_user alice secret1").ok);
  std::vector<line_client> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(tracker.connect());
    ASSERT_TRUE(clients.back().request("ping").ok);  // connected and greeted
  }
  for (auto& c : clients) c.send_line("login alice wrong-password");
  std::map<std::string, int> codes;
  for (auto& c : clients) ++codes[c.read_reply().code];
  EXPECT_EQ(codes["LOGIN_FAILED"], 5);
  EXPECT_EQ(codes["RATE_LIMITED"], 35);
  EXPECT_EQ(codes.size(), 2u);
}

TEST(LoginDefense, AStrangerCannotLockOutAUserFromAnAddressTheyUsed) {
  tracker_process tracker;
  ASSERT_TRUE(tracker.user("alice").request("logout").ok);  // alice used 127.0.0.1
  line_client stranger(tracker.host(), tracker.port(), stranger_address);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(stranger.request("login alice guess" + std::to_string(i)).code, "LOGIN_FAILED");
  EXPECT_EQ(stranger.request("login alice guess6").code, "RATE_LIMITED");
  // The name is locked for the stranger, even with the right password ...
  EXPECT_EQ(stranger.request("login alice alice-password").code, "RATE_LIMITED");
  // ... not for alice on her own address.
  auto alice = tracker.connect();
  const auto r = alice.request("login alice alice-password");
  EXPECT_TRUE(r.ok) << r.code << " " << r.text;
}

TEST(LoginDefense, AStrangerCannotBlockAResumeWithAValidToken) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  const auto token = alice.request("resume_token");
  ASSERT_TRUE(token.ok);
  close_and_wait(tracker, alice, 0);
  line_client stranger(tracker.host(), tracker.port(), stranger_address);
  for (int i = 0; i < 25; ++i) {
    const auto bad = stranger.request("resume alice " + std::string(64, 'a')).code;
    EXPECT_EQ(bad, i < 20 ? "LOGIN_FAILED" : "RATE_LIMITED") << i;
  }
  for (int i = 0; i < 6; ++i) stranger.request("login alice guess" + std::to_string(i));
  // A new address, never seen: the user's name is locked for passwords, not for her token.
  line_client elsewhere(tracker.host(), tracker.port(), std::string("127.0.0.3"));
  EXPECT_EQ(elsewhere.request("login alice alice-password").code, "RATE_LIMITED");
  const auto resumed = elsewhere.request("resume alice " + token.text);
  EXPECT_TRUE(resumed.ok) << resumed.code << " " << resumed.text;
}

TEST(LoginDefense, OneAddressLockedDoesNotLockItsOtherKnownUsers) {
  tracker_process tracker;
  ASSERT_TRUE(tracker.user("bob").request("logout").ok);
  auto guesser = tracker.connect();  // same address as bob
  for (int i = 0; i < 25; ++i) {
    guesser.request(fmt::format("login user{} wrong-password", i));
  }
  EXPECT_EQ(guesser.request("login carol wrong-password").code, "RATE_LIMITED");
  EXPECT_TRUE(tracker.connect().request("login bob bob-password").ok);
}

TEST(LoginDefense, CreateUserIsLimitedPerAddress) {
  tracker_process tracker({"--new-users-per-address", "3"});
  auto c = tracker.connect();
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(c.request(fmt::format("create_user user{} secret1", i)).ok);
  }
  const auto r = c.request("create_user user3 secret1");
  EXPECT_EQ(r.code, "RATE_LIMITED");
  EXPECT_NE(r.text.find("try again in"), std::string::npos);
  line_client other(tracker.host(), tracker.port(), stranger_address);
  EXPECT_TRUE(other.request("create_user user4 secret1").ok);  // another address
}

TEST(ResumeTokens, EachIsUsedOnceAndTheReplyCarriesTheNext) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  const auto first = alice.request("resume_token");
  ASSERT_TRUE(first.ok);
  close_and_wait(tracker, alice, 0);
  auto c = tracker.connect();
  const auto resumed = c.request("resume alice " + first.text);
  ASSERT_TRUE(resumed.ok) << resumed.text;
  ASSERT_EQ(resumed.data.size(), 1u);
  const std::string next = resumed.data[0];
  EXPECT_EQ(next.size(), 64u);
  EXPECT_NE(next, first.text);
  close_and_wait(tracker, c, 0);
  auto d = tracker.connect();
  EXPECT_EQ(d.request("resume alice " + first.text).code, "LOGIN_FAILED");  // used
  EXPECT_TRUE(d.request("resume alice " + next).ok);
}

TEST(ResumeTokens, ChangePasswordRevokesEveryToken) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  const auto one = alice.request("resume_token");
  const auto two = alice.request("resume_token");
  ASSERT_TRUE(one.ok && two.ok);
  EXPECT_EQ(alice.request("change_password wrong-password new-secret").code, "LOGIN_FAILED");
  EXPECT_EQ(alice.request("change_password alice-password 123").code, "BAD_PASSWORD");
  const auto changed = alice.request("change_password alice-password new-secret");
  ASSERT_TRUE(changed.ok) << changed.text;
  const auto after = alice.request("resume_token");
  ASSERT_TRUE(after.ok);
  // The connection just ends: a logout would drop the tokens by itself.
  close_and_wait(tracker, alice, 0);
  auto c = tracker.connect();
  EXPECT_EQ(c.request("resume alice " + one.text).code, "LOGIN_FAILED");
  EXPECT_EQ(c.request("resume alice " + two.text).code, "LOGIN_FAILED");
  EXPECT_EQ(c.request("login alice alice-password").code, "LOGIN_FAILED");
  // A token taken after the change still works: the refusals above were the revocation.
  const auto resumed = c.request("resume alice " + after.text);
  EXPECT_TRUE(resumed.ok) << resumed.code << " " << resumed.text;
  ASSERT_TRUE(c.request("logout").ok);
  EXPECT_TRUE(c.request("login alice new-secret").ok);
}

TEST(ResumeTokens, LogoutRevokesEveryToken) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  const auto token = alice.request("resume_token");  // fresh, never used
  ASSERT_TRUE(token.ok);
  ASSERT_TRUE(alice.request("logout").ok);
  EXPECT_EQ(alice.request("resume alice " + token.text).code, "LOGIN_FAILED");
  EXPECT_EQ(tracker.connect().request("resume alice " + token.text).code, "LOGIN_FAILED");
}

TEST(ResumeTokens, AResumeWhileLoggedInIsRefused) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  const auto token = alice.request("resume_token");
  ASSERT_TRUE(token.ok);
  auto c = tracker.connect();
  EXPECT_EQ(c.request("resume alice " + token.text).code, "ALREADY_ONLINE");
  EXPECT_EQ(alice.request("whoami").text, "logged in as alice");
}

TEST(DisguisedText, BidiOverridesAndC1ControlsAreRefused) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  for (const std::string bad : {"\u202e", "\u202a", "\u2066", "\u2069", "\u0085", "\u009b"}) {
    EXPECT_EQ(alice.request("say look " + bad + "txt.exe").code, "BAD_ENCODING");
    EXPECT_EQ(alice.request("create_group g" + bad).code, "BAD_ENCODING");
  }
  EXPECT_TRUE(alice.request("say caf\u00e9 \u05e9\u05dc\u05d5\u05dd").ok);  // plain text is fine
}

}  // namespace
}  // namespace swarmhub::test
