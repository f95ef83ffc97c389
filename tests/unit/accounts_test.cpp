// Names, passwords and the login throttle: the pure parts of accounts.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "swarmhub/tracker/accounts/login_throttle.hpp"
#include "swarmhub/tracker/accounts/names.hpp"
#include "swarmhub/tracker/accounts/passwords.hpp"

namespace swarmhub::tracker {
namespace {

using namespace std::chrono_literals;

TEST(Names, AllowedCharactersAndLength) {
  for (const std::string& ok :
       std::vector<std::string>{"a", "Alice", "bob_2", "x.y-z", "0day", std::string(32, 'n')}) {
    EXPECT_TRUE(valid_name(ok)) << ok;
  }
  for (const std::string& bad :
       std::vector<std::string>{"", "_lead", ".dot", "-dash", "has space", "semi;colon", "é", "a/b",
                                std::string(33, 'n')}) {
    EXPECT_FALSE(valid_name(bad)) << bad;
  }
}

TEST(Names, PasswordLength) {
  EXPECT_FALSE(password_problem("12345").empty());
  EXPECT_TRUE(password_problem("123456").empty());
  EXPECT_TRUE(password_problem(std::string(256, 'p')).empty());
  EXPECT_FALSE(password_problem(std::string(257, 'p')).empty());
}

TEST(Passwords, Argon2idRoundTrip) {
  const std::string stored = hash_password("correct horse", hash_cost::minimal);
  EXPECT_TRUE(stored.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(stored, "correct horse"));
  EXPECT_FALSE(verify_password(stored, "correct horsE"));
  EXPECT_NE(hash_password("correct horse", hash_cost::minimal), stored);  // salted
  EXPECT_FALSE(verify_password("not a hash", "x"));
}

TEST(Passwords, CostNames) {
  hash_cost cost{};
  EXPECT_TRUE(parse_hash_cost("minimal", cost));
  EXPECT_EQ(cost, hash_cost::minimal);
  EXPECT_FALSE(parse_hash_cost("cheap", cost));
}

TEST(Passwords, SameSecret) {
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
}

TEST(LoginThrottle, ChangesAreToldAndThoseOfOthersAppliedSilently) {
  login_throttle here({.free_failures = 2});
  login_throttle there({.free_failures = 2});
  std::vector<std::string> told;
  here.observe([&](std::string_view change, const std::string& key) {
    told.push_back(std::string(change) + " " + key);
    there.apply(change, key);
  });
  there.observe([&](std::string_view, const std::string&) { ADD_FAILURE() << "apply told"; });
  EXPECT_EQ(here.take("user:alice").count(), 0);
  EXPECT_EQ(here.take("user:alice").count(), 0);
  EXPECT_GT(there.wait_time("user:alice").count(), 0);  // locked there too
  here.give_back("user:alice");
  EXPECT_EQ(there.wait_time("user:alice").count(), 0);
  here.success("user:alice");
  here.success("user:alice");  // nothing left to clear: not told again
  EXPECT_EQ(told, (std::vector<std::string>{"fail user:alice", "fail user:alice", "undo user:alice",
                                            "clear user:alice"}));
  EXPECT_EQ(there.size(), 0u);
}

TEST(LoginThrottle, FreeFailuresThenDoublingLockout) {
  login_throttle t({.free_failures = 3, .first_delay = 1000ms, .max_delay = 5000ms});
  const auto t0 = login_throttle::clock::now();
  t.failure("k", t0);
  t.failure("k", t0);
  EXPECT_EQ(t.wait_time("k", t0), 0ms);
  t.failure("k", t0);  // third: locked for 1 s
  EXPECT_EQ(t.wait_time("k", t0), 1000ms);
  EXPECT_EQ(t.wait_time("k", t0 + 1000ms), 0ms);
  t.failure("k", t0 + 1000ms);  // fourth: 2 s
  EXPECT_EQ(t.wait_time("k", t0 + 1000ms), 2000ms);
  t.failure("k", t0 + 3000ms);  // fifth: 4 s
  t.failure("k", t0 + 7000ms);  // sixth: capped at 5 s
  EXPECT_EQ(t.wait_time("k", t0 + 7000ms), 5000ms);
  EXPECT_EQ(t.wait_time("other", t0), 0ms);
  t.success("k");
  EXPECT_EQ(t.wait_time("k", t0 + 7000ms), 0ms);
}

TEST(LoginThrottle, QuietTimeForgetsFailures) {
  login_throttle t({.free_failures = 2, .forget_after = 60'000ms});
  const auto t0 = login_throttle::clock::now();
  t.failure("k", t0);
  t.failure("k", t0 + 120s);  // the first one is forgotten: this is failure one again
  EXPECT_EQ(t.wait_time("k", t0 + 120s), 0ms);
}

TEST(LoginThrottle, MemoryIsBounded) {
  login_throttle t({.max_keys = 1000});
  const auto t0 = login_throttle::clock::now();
  for (int i = 0; i < 10'000; ++i)
    t.failure("key" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  EXPECT_LE(t.size(), 1000u);
  EXPECT_GT(t.size(), 0u);
}

TEST(LoginThrottle, AttemptsTakeTheirSlotBeforeTheyAreChecked) {
  login_throttle t({.free_failures = 3, .first_delay = 1000ms});
  const auto t0 = login_throttle::clock::now();
  // Three attempts in flight at once take the three free slots; the fourth must wait.
  EXPECT_EQ(t.take("k", t0), 0ms);
  EXPECT_EQ(t.take("k", t0), 0ms);
  EXPECT_EQ(t.take("k", t0), 0ms);
  EXPECT_EQ(t.take("k", t0), 1000ms);
  EXPECT_EQ(t.take("k", t0), 1000ms);  // a refused attempt counts nothing more
  t.give_back("k");                    // one of them turned out not to count
  EXPECT_EQ(t.take("k", t0), 0ms);
  t.success("k");
  EXPECT_EQ(t.wait_time("k", t0), 0ms);
  t.give_back("absent");  // harmless
  EXPECT_EQ(t.size(), 0u);
}

TEST(KnownAddresses, RememberedPerUserForAWhile) {
  known_addresses known(1000ms, 100);
  const auto t0 = known_addresses::clock::now();
  known.remember("Alice", "10.0.0.1", t0);
  EXPECT_TRUE(known.knows("alice", "10.0.0.1", t0 + 500ms));
  EXPECT_FALSE(known.knows("alice", "10.0.0.2", t0));
  EXPECT_FALSE(known.knows("bob", "10.0.0.1", t0));
  EXPECT_FALSE(known.knows("alice", "10.0.0.1", t0 + 2000ms));
  for (int i = 0; i < 1000; ++i) known.remember("u" + std::to_string(i), "a", t0);
  EXPECT_TRUE(known.knows("u999", "a", t0));
}

}  // namespace
}  // namespace swarmhub::tracker
