// The store contract, written once and run against every backend: SQLite, and PostgreSQL on
// the throwaway server of scripts/with-postgres.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "postgres.hpp"
#include "process.hpp"
#include "swarmhub/store/data_dir.hpp"
#include "swarmhub/store/pg_backend.hpp"
#include "swarmhub/store/sqlite_backend.hpp"

namespace swarmhub::store {
namespace {

using leave = leave_result::effect;

// Opens a database (fresh and empty the first time) and can reopen it (durability checks):
// `where` is a directory for SQLite, a connection string for PostgreSQL.
struct backend_factory {
  std::string name;
  bool postgres = false;
  std::function<std::unique_ptr<backend>(const std::string& where)> open;
};

class StoreTest : public ::testing::TestWithParam<backend_factory> {
 protected:
  void SetUp() override {
    if (GetParam().postgres) {
      SWARMHUB_REQUIRE_POSTGRES();
      pg_ = std::make_unique<test::postgres_database>();
      where_ = pg_->conninfo();
    } else {
      where_ = dir_.path();
    }
    db_ = GetParam().open(where_);
    ASSERT_EQ(db_->create_user("alice", "hash-a"), status::ok);
    ASSERT_EQ(db_->create_user("bob", "hash-b"), status::ok);
    ASSERT_EQ(db_->create_user("carol", "hash-c"), status::ok);
  }

  void reopen() {
    db_.reset();
    db_ = GetParam().open(where_);
  }

  // alice owns "rust"; bob and carol are members, in that order.
  void make_group_of_three() {
    ASSERT_EQ(db_->create_group("rust", "alice"), status::ok);
    for (const char* who : {"bob", "carol"}) {
      ASSERT_EQ(db_->join_group("rust", who).result, status::ok);
      ASSERT_EQ(db_->accept_request("rust", "alice", who).result, status::ok);
    }
  }

  test::temp_dir dir_;
  std::unique_ptr<test::postgres_database> pg_;
  std::string where_;
  std::unique_ptr<backend> db_;
};

// Sealed groups: one certificate authority per group, the same for every tracker of the
// store, handed to members only.
TEST_P(StoreTest, AGroupsAuthorityIsStoredOnceAndGivenToMembersOnly) {
  make_group_of_three();
  EXPECT_EQ(db_->group_authority_for("nope", "bob", "k0", "c0").result, status::no_such_group);
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  EXPECT_EQ(db_->group_authority_for("rust", "dave", "k0", "c0").result, status::not_member);
  const auto first = db_->group_authority_for("rust", "bob", "k1", "c1");
  ASSERT_EQ(first.result, status::ok);
  EXPECT_EQ(first.key_pem, "k1");
  EXPECT_EQ(first.cert_pem, "c1");
  EXPECT_EQ(first.mode, group_mode::sealed);
  // Another member, another tracker's candidate: the stored authority wins.
  const auto second = db_->group_authority_for("RUST", "carol", "k2", "c2");
  ASSERT_EQ(second.result, status::ok);
  EXPECT_EQ(second.cert_pem, "c1");
  reopen();
  EXPECT_EQ(db_->group_authority_for("rust", "alice", "k3", "c3").cert_pem, "c1");
  EXPECT_EQ(db_->leave_group("rust", "bob").what, leave::left);
  EXPECT_EQ(db_->group_authority_for("rust", "bob", "k4", "c4").result, status::not_member);
  ASSERT_EQ(db_->set_group_mode("rust", "alice", group_mode::open), status::ok);
  EXPECT_EQ(db_->group_authority_for("rust", "carol", "k5", "c5").mode, group_mode::open);
}

TEST_P(StoreTest, UserNamesAreUniqueWhateverTheCase) {
  EXPECT_EQ(db_->create_user("ALICE", "x"), status::user_exists);
  auto found = db_->find_user("Alice");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->name, "alice");
  EXPECT_EQ(found->password_hash, "hash-a");
  EXPECT_FALSE(db_->find_user("nobody"));
}

TEST_P(StoreTest, CreatorOwnsAndIsTheFirstMember) {
  ASSERT_EQ(db_->create_group("Rust", "alice"), status::ok);
  EXPECT_EQ(db_->create_group("rust", "bob"), status::group_exists);
  EXPECT_EQ(db_->create_group("go", "nobody"), status::no_such_user);
  auto groups = db_->list_groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].name, "Rust");
  EXPECT_EQ(groups[0].owner, "alice");
  EXPECT_EQ(groups[0].members, 1);
  EXPECT_TRUE(db_->is_member("rust", "ALICE"));
}

TEST_P(StoreTest, JoinRequestsWaitForTheOwner) {
  ASSERT_EQ(db_->create_group("rust", "alice"), status::ok);
  auto joined = db_->join_group("RUST", "bob");
  EXPECT_EQ(joined.result, status::ok);
  EXPECT_EQ(joined.group, "rust");
  EXPECT_EQ(joined.owner, "alice");
  EXPECT_EQ(db_->join_group("rust", "bob").result, status::request_pending);
  EXPECT_EQ(db_->join_group("rust", "alice").result, status::already_member);
  EXPECT_EQ(db_->join_group("nope", "bob").result, status::no_such_group);
  EXPECT_FALSE(db_->is_member("rust", "bob"));

  auto requests = db_->list_requests("rust", "alice");
  ASSERT_EQ(requests.result, status::ok);
  ASSERT_EQ(requests.items.size(), 1u);
  EXPECT_EQ(requests.items[0].user, "bob");
  EXPECT_EQ(db_->list_requests("rust", "bob").result, status::not_owner);
  EXPECT_EQ(db_->list_requests("nope", "alice").result, status::no_such_group);

  auto pending = db_->pending_requests_for_owner("alice");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].group, "rust");
  EXPECT_EQ(pending[0].count, 1);
  EXPECT_TRUE(db_->pending_requests_for_owner("bob").empty());
}

TEST_P(StoreTest, OnlyTheOwnerDecidesAndOnlyOnRealRequests) {
  ASSERT_EQ(db_->create_group("rust", "alice"), status::ok);
  ASSERT_EQ(db_->join_group("rust", "bob").result, status::ok);
  ASSERT_EQ(db_->join_group("rust", "carol").result, status::ok);
  EXPECT_EQ(db_->accept_request("rust", "bob", "carol").result, status::not_owner);
  EXPECT_EQ(db_->accept_request("rust", "alice", "nobody").result, status::no_such_user);
  EXPECT_EQ(db_->accept_request("nope", "alice", "bob").result, status::no_such_group);

  auto accepted = db_->accept_request("rust", "alice", "BOB");
  EXPECT_EQ(accepted.result, status::ok);
  EXPECT_EQ(accepted.user, "bob");
  EXPECT_TRUE(db_->is_member("rust", "bob"));
  EXPECT_EQ(db_->accept_request("rust", "alice", "bob").result, status::already_member);

  EXPECT_EQ(db_->reject_request("rust", "alice", "carol").result, status::ok);
  EXPECT_FALSE(db_->is_member("rust", "carol"));
  EXPECT_EQ(db_->reject_request("rust", "alice", "carol").result, status::no_such_request);
  EXPECT_TRUE(db_->list_requests("rust", "alice").items.empty());
}

TEST_P(StoreTest, MembersAreListedForMembersOnlyInJoiningOrder) {
  make_group_of_three();
  auto members = db_->list_members("rust", "carol");
  ASSERT_EQ(members.result, status::ok);
  ASSERT_EQ(members.items.size(), 3u);
  EXPECT_EQ(members.items[0].name, "alice");
  EXPECT_TRUE(members.items[0].owner);
  EXPECT_EQ(members.items[1].name, "bob");
  EXPECT_FALSE(members.items[1].owner);
  ASSERT_EQ(db_->create_user("dave", "h"), status::ok);
  EXPECT_EQ(db_->list_members("rust", "dave").result, status::not_member);
  EXPECT_EQ(db_->list_members("nope", "alice").result, status::no_such_group);
}

TEST_P(StoreTest, OwnerLeavingHandsOverToTheEarliestJoinedMember) {
  make_group_of_three();
  auto left = db_->leave_group("rust", "alice");
  EXPECT_EQ(left.result, status::ok);
  EXPECT_EQ(left.what, leave::owner_changed);
  EXPECT_EQ(left.new_owner, "bob");
  EXPECT_EQ(db_->list_groups().at(0).owner, "bob");
  EXPECT_EQ(db_->list_requests("rust", "bob").result, status::ok);
}

TEST_P(StoreTest, LastMemberLeavingRemovesTheGroup) {
  ASSERT_EQ(db_->create_group("rust", "alice"), status::ok);
  ASSERT_EQ(db_->join_group("rust", "bob").result, status::ok);  // pending, not a member
  auto left = db_->leave_group("rust", "alice");
  EXPECT_EQ(left.what, leave::group_removed);
  EXPECT_TRUE(db_->list_groups().empty());
  EXPECT_TRUE(db_->pending_requests_for_owner("alice").empty());
  EXPECT_EQ(db_->create_group("rust", "carol"), status::ok);  // the name is free again
}

TEST_P(StoreTest, LeavingWithoutMembershipWithdrawsARequestOrFails) {
  make_group_of_three();
  EXPECT_EQ(db_->leave_group("rust", "bob").what, leave::left);
  EXPECT_EQ(db_->leave_group("rust", "bob").result, status::not_member);
  ASSERT_EQ(db_->join_group("rust", "bob").result, status::ok);
  EXPECT_EQ(db_->leave_group("rust", "bob").what, leave::withdrew_request);
  EXPECT_EQ(db_->leave_group("nope", "bob").result, status::no_such_group);
}

TEST_P(StoreTest, TheOwnerRemovesAMemberAsTheMemberWouldLeave) {
  make_group_of_three();
  EXPECT_EQ(db_->remove_member("rust", "bob", "carol").result, status::not_owner);
  EXPECT_EQ(db_->remove_member("nope", "alice", "bob").result, status::no_such_group);
  EXPECT_EQ(db_->remove_member("rust", "alice", "nobody").result, status::no_such_user);
  EXPECT_EQ(db_->remove_member("rust", "alice", "ALICE").result, status::is_owner);
  const auto removed = db_->remove_member("RUST", "Alice", "BOB");
  EXPECT_EQ(removed.result, status::ok);
  EXPECT_EQ(removed.group, "rust");
  EXPECT_EQ(removed.user, "bob");
  EXPECT_FALSE(db_->is_member("rust", "bob"));
  EXPECT_EQ(db_->list_members("rust", "carol").items.size(), 2u);
  EXPECT_EQ(db_->list_groups().at(0).members, 2);
  EXPECT_EQ(db_->remove_member("rust", "alice", "bob").result, status::not_member);
  // A waiting request is no membership: the owner turns it down instead.
  ASSERT_EQ(db_->join_group("rust", "bob").result, status::ok);
  EXPECT_EQ(db_->remove_member("rust", "alice", "bob").result, status::not_member);
  EXPECT_EQ(db_->list_requests("rust", "alice").items.size(), 1u);
}

TEST_P(StoreTest, EverythingSurvivesReopening) {
  make_group_of_three();
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  ASSERT_EQ(db_->join_group("rust", "dave").result, status::ok);
  reopen();
  EXPECT_EQ(db_->find_user("dave")->password_hash, "hash-d");
  EXPECT_EQ(db_->list_groups().at(0).members, 3);
  EXPECT_EQ(db_->list_requests("rust", "alice").items.at(0).user, "dave");
}

TEST_P(StoreTest, RoomMessagesHistoryAndBacklog) {
  make_group_of_three();
  const auto lobby = db_->post_room_message("", "alice", "hello lobby");
  ASSERT_EQ(lobby.result, status::ok);
  EXPECT_EQ(lobby.message.group, "");
  const auto first = db_->post_room_message("RUST", "bob", "first");
  ASSERT_EQ(first.result, status::ok);
  EXPECT_EQ(first.message.group, "rust");
  EXPECT_GT(first.message.id, lobby.message.id);
  ASSERT_EQ(db_->post_room_message("rust", "carol", "second").result, status::ok);
  EXPECT_EQ(db_->post_room_message("rust", "nobody", "x").result, status::no_such_user);
  EXPECT_EQ(db_->post_room_message("nope", "bob", "x").result, status::no_such_group);
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  EXPECT_EQ(db_->post_room_message("rust", "dave", "x").result, status::not_member);

  const auto history = db_->room_history("rust", "alice", 1);
  ASSERT_EQ(history.items.size(), 1u);  // the newest one
  EXPECT_EQ(history.items[0].body, "second");
  // Seed 003: the lobby's history starts when the account was made.
  EXPECT_EQ(db_->room_history("", "alice", 10).items.at(0).body, "hello lobby");
  EXPECT_TRUE(db_->room_history("", "dave", 10).items.empty());
  ASSERT_EQ(db_->post_room_message("", "alice", "welcome dave").result, status::ok);
  const auto dave_lobby = db_->room_history("", "dave", 10);
  ASSERT_EQ(dave_lobby.items.size(), 1u);
  EXPECT_EQ(dave_lobby.items[0].body, "welcome dave");
  EXPECT_EQ(db_->room_history("rust", "dave", 10).result, status::not_member);

  // Unseen messages come oldest first, until marked seen.
  auto unseen = db_->unseen_room_messages("alice", 10);
  ASSERT_EQ(unseen.messages.size(), 2u);
  EXPECT_EQ(unseen.messages[0].body, "first");
  EXPECT_EQ(unseen.messages[1].sender, "carol");
  EXPECT_EQ(unseen.more, 0);
  EXPECT_EQ(db_->unseen_room_messages("alice", 1).more, 1);
  db_->mark_seen({{"alice", "RUST", unseen.messages.back().id}});
  db_->mark_seen({{"alice", "rust", 0}});  // never moves back
  EXPECT_TRUE(db_->unseen_room_messages("alice", 10).messages.empty());

  // A new member sees nothing from before they joined.
  ASSERT_EQ(db_->join_group("rust", "dave").result, status::ok);
  ASSERT_EQ(db_->accept_request("rust", "alice", "dave").result, status::ok);
  EXPECT_TRUE(db_->room_history("rust", "dave", 10).items.empty());
  EXPECT_TRUE(db_->unseen_room_messages("dave", 10).messages.empty());
}

// Issue 16: messages of two rooms can commit out of id order (two trackers); a mark in one
// room must not hide the other room's message with a lower id, shown or not.
TEST_P(StoreTest, ReadMarksAreKeptRoomByRoom) {
  make_group_of_three();
  ASSERT_EQ(db_->create_group("go", "alice"), status::ok);
  const auto in_go = db_->post_room_message("go", "alice", "go first");
  const auto in_rust = db_->post_room_message("rust", "bob", "rust later");
  ASSERT_EQ(in_go.result, status::ok);
  ASSERT_EQ(in_rust.result, status::ok);
  ASSERT_LT(in_go.message.id, in_rust.message.id);
  // Alice was shown rust's message (the higher id) but not go's yet.
  db_->mark_seen({{"alice", "rust", in_rust.message.id}});
  const auto unseen = db_->unseen_room_messages("alice", 10);
  ASSERT_EQ(unseen.messages.size(), 1u);
  EXPECT_EQ(unseen.messages[0].body, "go first");
  // A mark for the lobby, a room she is no member of or an unknown one changes nothing.
  db_->mark_seen({{"alice", "", 99}, {"alice", "nope", 99}});
  db_->mark_seen({{"dave", "go", 99}});
  EXPECT_EQ(db_->unseen_room_messages("alice", 10).messages.size(), 1u);
  // One call marks several users' rooms (one transaction: seen_marks' batches).
  db_->mark_seen({{"alice", "go", in_go.message.id},
                  {"alice", "rust", in_rust.message.id},
                  {"carol", "rust", in_rust.message.id}});
  EXPECT_TRUE(db_->unseen_room_messages("alice", 10).messages.empty());
  EXPECT_TRUE(db_->unseen_room_messages("carol", 10).messages.empty());
  EXPECT_EQ(db_->unseen_room_messages("bob", 10).messages.size(), 1u);  // nobody marked his
  // The marks are the store's: they survive reopening, and a later message is unseen.
  reopen();
  EXPECT_TRUE(db_->unseen_room_messages("alice", 10).messages.empty());
  ASSERT_EQ(db_->post_room_message("go", "alice", "go again").result, status::ok);
  EXPECT_EQ(db_->unseen_room_messages("alice", 10).messages.at(0).body, "go again");
}

TEST_P(StoreTest, DirectMessagesWaitUntilMarkedDelivered) {
  const auto sent = db_->send_direct("alice", "BOB", "psst");
  ASSERT_EQ(sent.result, status::ok);
  EXPECT_EQ(sent.message.recipient, "bob");
  const auto hi = db_->send_direct("carol", "bob", "hi");
  ASSERT_EQ(hi.result, status::ok);
  const auto live = db_->send_direct("carol", "bob", "written live");
  EXPECT_EQ(db_->send_direct("alice", "nobody", "x").result, status::no_such_user);
  db_->mark_delivered({live.message.id});
  const auto waiting = db_->undelivered_direct("bob");
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[0].body, "psst");
  EXPECT_EQ(waiting[1].sender, "carol");
  // Reading them is not delivering them: they wait until marked.
  EXPECT_EQ(db_->undelivered_direct("bob").size(), 2u);
  db_->mark_delivered({sent.message.id, hi.message.id});
  EXPECT_TRUE(db_->undelivered_direct("bob").empty());
}

// After a gap in its event feed, a tracker asks which of its users have direct messages
// waiting above the last id it saw.
TEST_P(StoreTest, DirectMessagesWaitingForTheUsersOfOneTracker) {
  EXPECT_EQ(db_->latest_direct_message(), 0);
  const auto to_bob = db_->send_direct("alice", "bob", "one");
  const auto to_carol = db_->send_direct("alice", "carol", "two");
  const auto to_alice = db_->send_direct("bob", "alice", "three");
  EXPECT_EQ(db_->latest_direct_message(), to_alice.message.id);
  ASSERT_TRUE(db_->claim_login("bob", "t1", 1000, 2000));
  ASSERT_TRUE(db_->claim_login("carol", "t1", 1000, 2000));
  ASSERT_TRUE(db_->claim_login("alice", "t2", 1000, 2000));
  auto here = db_->waiting_direct_recipients("t1", 0);
  std::sort(here.begin(), here.end());
  EXPECT_EQ(here, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(db_->waiting_direct_recipients("t1", to_bob.message.id),
            (std::vector<std::string>{"carol"}));
  db_->mark_delivered({to_carol.message.id});
  EXPECT_TRUE(db_->waiting_direct_recipients("t1", to_bob.message.id).empty());
}

TEST_P(StoreTest, HistoryPagesByIdAndTime) {
  make_group_of_three();
  std::vector<room_message> posted;
  for (const char* body : {"m1", "m2", "m3", "m4", "m5"}) {
    const auto p = db_->post_room_message("rust", "bob", body);
    ASSERT_EQ(p.result, status::ok);
    posted.push_back(p.message);
  }
  const auto bodies = [](const auto& items) {
    std::vector<std::string> out;
    for (const auto& m : items) out.push_back(m.body);
    return out;
  };
  using v = std::vector<std::string>;
  history_page page;
  page.limit = 2;  // the newest two, oldest first
  EXPECT_EQ(bodies(db_->room_history_page("rust", "carol", page).items), (v{"m4", "m5"}));
  page.before_id = posted[3].id;  // before m4
  EXPECT_EQ(bodies(db_->room_history_page("rust", "carol", page).items), (v{"m2", "m3"}));
  page = {};
  page.after_id = posted[0].id;  // after m1, nearest it
  page.from_newest = false;
  page.limit = 2;
  EXPECT_EQ(bodies(db_->room_history_page("RUST", "carol", page).items), (v{"m2", "m3"}));
  page.before_id = posted[2].id;  // strictly between m1 and m3
  EXPECT_EQ(bodies(db_->room_history_page("rust", "carol", page).items), (v{"m2"}));
  page = {};
  page.after_ms = posted[4].sent_at_ms;  // nothing is later than the last
  EXPECT_TRUE(db_->room_history_page("rust", "carol", page).items.empty());
  page = {};
  page.before_ms = posted[0].sent_at_ms + 1;  // by time: m1 and what shares its millisecond
  const auto by_time = db_->room_history_page("rust", "carol", page).items;
  ASSERT_FALSE(by_time.empty());
  EXPECT_EQ(by_time.front().body, "m1");
  EXPECT_EQ(db_->room_history_page("rust", "nobody", {}).result, status::no_such_user);
  EXPECT_EQ(db_->room_history_page("nope", "carol", {}).result, status::no_such_group);
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  EXPECT_EQ(db_->room_history_page("rust", "dave", {}).result, status::not_member);
  // The lobby: from the account's creation on.
  ASSERT_EQ(db_->post_room_message("", "alice", "to the lobby").result, status::ok);
  EXPECT_EQ(bodies(db_->room_history_page("", "dave", {}).items), (v{"to the lobby"}));
  EXPECT_TRUE(bodies(db_->room_history_page("", "alice", {}).items).back() == "to the lobby");

  // Direct messages: both ways between two users, delivered or not, and no one else's.
  const auto d1 = db_->send_direct("alice", "bob", "a to b");
  ASSERT_EQ(db_->send_direct("bob", "alice", "b to a").result, status::ok);
  ASSERT_EQ(db_->send_direct("carol", "bob", "c to b").result, status::ok);
  db_->mark_delivered({d1.message.id});
  EXPECT_EQ(bodies(db_->direct_history_page("bob", "ALICE", {}).items), (v{"a to b", "b to a"}));
  history_page after_first;
  after_first.after_id = d1.message.id;
  after_first.from_newest = false;
  EXPECT_EQ(bodies(db_->direct_history_page("alice", "bob", after_first).items), (v{"b to a"}));
  EXPECT_EQ(db_->direct_history_page("alice", "nobody", {}).result, status::no_such_user);
}

// CHATHISTORY TARGETS: the conversations a user may read with messages in a span of time,
// each with its latest message there, oldest first.
TEST_P(StoreTest, HistoryTargetsAreTheReadableConversationsOfASpan) {
  make_group_of_three();
  ASSERT_EQ(db_->create_group("go", "alice"), status::ok);  // bob is no member
  const auto lobby = db_->post_room_message("", "alice", "l1");
  const auto r1 = db_->post_room_message("rust", "carol", "r1");
  ASSERT_EQ(db_->post_room_message("go", "alice", "g1").result, status::ok);
  const auto ab = db_->send_direct("alice", "bob", "ab");
  ASSERT_EQ(db_->send_direct("carol", "alice", "ca").result, status::ok);  // not bob's
  const auto r2 = db_->post_room_message("rust", "bob", "r2");
  ASSERT_EQ(r2.result, status::ok);
  struct row {
    bool direct;
    std::string name;
    std::int64_t latest_ms;
    bool operator==(const row&) const = default;
  };
  const auto rows = [&](std::string_view user, const history_page& page) {
    std::vector<row> out;
    const auto got = db_->history_targets(user, page);
    EXPECT_EQ(got.result, status::ok);
    for (const auto& t : got.items) out.push_back({t.direct, t.name, t.latest_ms});
    return out;
  };
  // Every readable conversation, by its latest message (equal times: rooms, then by name).
  auto all = rows("BOB", {});
  const std::vector<row> expected_set{{false, "", lobby.message.sent_at_ms},
                                      {false, "rust", r2.message.sent_at_ms},
                                      {true, "alice", ab.message.sent_at_ms}};
  EXPECT_TRUE(
      std::is_permutation(all.begin(), all.end(), expected_set.begin(), expected_set.end()));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const row& a, const row& b) { return a.latest_ms < b.latest_ms; }));
  ASSERT_EQ(all.size(), 3u);
  // The limit keeps those nearest the bound the page starts from.
  history_page page;
  page.limit = 1;
  EXPECT_EQ(rows("bob", page), (std::vector<row>{all.back()}));
  page.from_newest = false;
  EXPECT_EQ(rows("bob", page), (std::vector<row>{all.front()}));
  // The latest message within the span, and nothing at or after its upper bound.
  page = {};
  page.before_ms = r1.message.sent_at_ms + 1;
  for (const auto& t : rows("bob", page)) {
    EXPECT_LT(t.latest_ms, page.before_ms);
    if (t.name == "rust") {
      EXPECT_EQ(t.latest_ms, r1.message.sent_at_ms);
    }
  }
  page = {};
  page.after_ms = r2.message.sent_at_ms;
  EXPECT_TRUE(rows("bob", page).empty());
  // The lobby from the account's creation on; a group's room for members only.
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  EXPECT_TRUE(rows("dave", {}).empty());
  auto alices = rows("alice", {});
  EXPECT_EQ(alices.size(), 5u);  // the lobby, rust, go, bob, carol
  EXPECT_EQ(db_->history_targets("nobody", {}).result, status::no_such_user);
}

TEST_P(StoreTest, FilesAndAnnouncePermissions) {
  make_group_of_three();
  ASSERT_EQ(db_->create_user("eve", "hash-e"), status::ok);
  // Info dictionaries are bytes, NUL included.
  const std::string info = std::string("d4:name3:a") + '\0' + "b\xff" + '\0' + "e";
  file_record file{"rust", "a.bin", 10, std::string(64, 'a'), std::string(40, 'a'),
                   info,   {},      0,  std::string(40, 'b')};
  const auto added = db_->add_file(file, "bob");
  ASSERT_EQ(added.result, status::ok);
  EXPECT_FALSE(added.already_there);
  EXPECT_TRUE(db_->add_file(file, "carol").already_there);
  auto other = file;
  other.info_hash = std::string(64, 'c');
  EXPECT_EQ(db_->add_file(other, "carol").result, status::file_exists);
  EXPECT_EQ(db_->add_file(file, "eve").result, status::not_member);

  const auto listed = db_->list_files("rust", "alice");
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_EQ(listed.items[0].uploader, "bob");
  EXPECT_EQ(listed.items[0].sealed, std::nullopt);  // not said when added: `info` says it
  EXPECT_EQ(listed.items[0].info, info);
  auto sealed = file;
  sealed.name = "s.bin";
  sealed.info_hash = std::string(64, 'd');
  sealed.swarm_key = std::string(40, 'd');
  sealed.v1_swarm_key.clear();
  sealed.sealed = true;
  ASSERT_EQ(db_->add_file(sealed, "bob").result, status::ok);
  const auto both = db_->list_files("rust", "alice");
  ASSERT_EQ(both.items.size(), 2u);
  EXPECT_EQ(both.items[1].sealed, std::optional<bool>(true));
  EXPECT_TRUE(both.items[1].info.empty());  // a listing reads no info dictionary it need not
  EXPECT_EQ(db_->list_files("rust", "eve").result, status::not_member);
  const auto found = db_->find_file("rust", "a.bin", "carol");
  ASSERT_EQ(found.result, status::ok);
  EXPECT_EQ(found.file.info, info);
  EXPECT_EQ(db_->find_file("rust", "b.bin", "carol").result, status::no_such_file);

  const auto key = db_->passkey("bob", "k-bob");
  EXPECT_EQ(key, "k-bob");
  EXPECT_EQ(db_->passkey("bob", "another"), "k-bob");  // kept once given
  db_->passkey("eve", "k-eve");
  EXPECT_EQ(db_->may_announce("k-bob", "rust", file.swarm_key).result, status::ok);
  const auto by_v1 = db_->may_announce("k-bob", "RUST", file.v1_swarm_key);
  EXPECT_EQ(by_v1.result, status::ok);
  EXPECT_EQ(by_v1.user, "bob");
  EXPECT_EQ(by_v1.swarm_key, file.swarm_key);
  const auto eve = db_->may_announce("k-eve", "rust", file.swarm_key);
  EXPECT_EQ(eve.result, status::not_member);
  EXPECT_EQ(eve.user, "eve");
  EXPECT_EQ(eve.swarm_key, file.swarm_key);  // what the tracker may remember of the file
  EXPECT_EQ(db_->may_announce("nope", "rust", file.swarm_key).result, status::no_such_user);
  EXPECT_EQ(db_->may_announce("k-bob", "rust", std::string(40, 'z')).result, status::no_such_file);
  EXPECT_EQ(db_->may_announce("k-bob", "nogroup", file.swarm_key).result, status::no_such_group);
  // The same content in a group of eve's own is hers, not rust's.
  ASSERT_EQ(db_->create_group("eves", "eve"), status::ok);
  auto copy = file;
  copy.group = "eves";
  ASSERT_EQ(db_->add_file(copy, "eve").result, status::ok);
  EXPECT_EQ(db_->may_announce("k-eve", "eves", file.swarm_key).result, status::ok);
  EXPECT_EQ(db_->may_announce("k-eve", "rust", file.swarm_key).result, status::not_member);
}

TEST_P(StoreTest, AFileIsRemovedByItsSharerOrTheOwnerOnlyAndAFolderKeepsItsCount) {
  make_group_of_three();  // alice owns rust; bob and carol are members
  ASSERT_EQ(db_->create_user("eve", "hash-e"), status::ok);
  const auto record = [](std::string name, std::int64_t size, char key, std::int64_t files) {
    file_record r;
    r.group = "rust";
    r.name = std::move(name);
    r.size = size;
    r.info_hash = std::string(64, key);
    r.swarm_key = std::string(40, key);
    r.info = "d1:xi1ee";
    r.file_count = files;
    return r;
  };
  const auto file = record("a.bin", 10, 'a', 0);
  const auto folder = record("photos", 300, 'f', 3);
  ASSERT_EQ(db_->add_file(file, "bob").result, status::ok);
  ASSERT_EQ(db_->add_file(folder, "bob").result, status::ok);
  const auto listed = db_->list_files("rust", "carol");
  ASSERT_EQ(listed.items.size(), 2u);
  EXPECT_EQ(listed.items[0].file_count, 0);  // a.bin
  EXPECT_EQ(listed.items[1].file_count, 3);  // photos

  const auto refused = db_->remove_file("rust", "a.bin", "carol");
  EXPECT_EQ(refused.result, status::not_owner);
  EXPECT_EQ(refused.file.uploader, "bob");  // who may
  EXPECT_EQ(db_->remove_file("rust", "a.bin", "eve").result, status::not_member);
  EXPECT_EQ(db_->remove_file("rust", "none", "bob").result, status::no_such_file);
  EXPECT_EQ(db_->remove_file("nogroup", "a.bin", "bob").result, status::no_such_group);
  EXPECT_EQ(db_->list_files("rust", "bob").items.size(), 2u);

  db_->passkey("bob", "k-bob");
  ASSERT_EQ(db_->may_announce("k-bob", "rust", file.swarm_key).result, status::ok);
  const auto by_owner = db_->remove_file("RUST", "a.bin", "alice");
  ASSERT_EQ(by_owner.result, status::ok);
  EXPECT_EQ(by_owner.file.group, "rust");
  EXPECT_EQ(by_owner.file.swarm_key, file.swarm_key);
  EXPECT_EQ(db_->may_announce("k-bob", "rust", file.swarm_key).result, status::no_such_file);
  EXPECT_EQ(db_->remove_file("rust", "photos", "bob").result, status::ok);
  EXPECT_TRUE(db_->list_files("rust", "bob").items.empty());
  EXPECT_EQ(db_->add_file(file, "carol").result, status::ok);  // may be shared again
}

TEST_P(StoreTest, LoginsAreLeasesHeldByOneTrackerAtATime) {
  EXPECT_TRUE(db_->claim_login("Alice", "t1", 1000, 2000));
  EXPECT_FALSE(db_->claim_login("alice", "t2", 1500, 2500));  // t1's lease runs until 2000
  EXPECT_TRUE(db_->claim_login("bob", "t2", 1500, 2500));
  EXPECT_FALSE(db_->claim_login("nobody", "t2", 1500, 2500));
  EXPECT_EQ(db_->online_users(1900), (std::vector<std::string>{"alice", "bob"}));
  db_->renew_logins("t1", 5000);
  EXPECT_FALSE(db_->claim_login("alice", "t2", 3000, 4000));
  EXPECT_EQ(db_->online_users(3000), (std::vector<std::string>{"alice"}));  // bob's lapsed
  // A tracker that died stops renewing: its lease runs out and another may take the login.
  EXPECT_TRUE(db_->claim_login("alice", "t2", 5001, 9000));
  db_->release_login("alice", "t1");  // not t1's any more: nothing happens
  EXPECT_EQ(db_->online_users(5002), (std::vector<std::string>{"alice"}));
  // Away: a text on the live login, gone with it; a new login starts present.
  EXPECT_TRUE(db_->set_away("ALICE", "lunch"));
  EXPECT_EQ(db_->away_text("alice"), "lunch");
  EXPECT_EQ(db_->online_presence(5002), (std::vector<presence>{{"alice", "lunch"}}));
  EXPECT_FALSE(db_->set_away("carol", "never logged in"));
  EXPECT_EQ(db_->away_text("carol"), "");
  db_->release_login("alice", "t2");
  EXPECT_TRUE(db_->online_users(5002).empty());
  EXPECT_EQ(db_->away_text("alice"), "");
  EXPECT_TRUE(db_->claim_login("alice", "t1", 6000, 9000));
  EXPECT_EQ(db_->online_presence(6000), (std::vector<presence>{{"alice", ""}}));
  EXPECT_TRUE(db_->claim_login("carol", "t3", 1, 100000));
  db_->release_logins("t3");
  EXPECT_TRUE(db_->online_users(10000).empty());
}

TEST_P(StoreTest, TheStoreHasAnIdentityOfItsOwn) {
  const auto id = db_->store_id();
  EXPECT_GE(id.size(), 16u);
  reopen();
  EXPECT_EQ(db_->store_id(), id);
  test::temp_dir other;
  EXPECT_NE(open_sqlite(other.file("other.db"))->store_id(), id);
}

// Group commit is the store's, the same on both engines: a batch is one transaction, every
// post checked on its own, ids in the batch's order.
TEST_P(StoreTest, ABatchOfPostsCommitsTogetherEachCheckedOnItsOwn) {
  make_group_of_three();
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  const auto results = db_->post_room_messages({{"rust", "bob", "one"},
                                                {"rust", "dave", "not a member"},
                                                {"", "carol", "two"},
                                                {"rust", "alice", "three\twith a tab"}});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].result, status::ok);
  EXPECT_EQ(results[1].result, status::not_member);
  EXPECT_EQ(results[2].result, status::ok);
  EXPECT_EQ(results[3].result, status::ok);
  EXPECT_LT(results[0].message.id, results[2].message.id);
  EXPECT_LT(results[2].message.id, results[3].message.id);
  reopen();
  const auto history = db_->room_history("rust", "alice", 10);
  ASSERT_EQ(history.items.size(), 2u);
  EXPECT_EQ(history.items[0].body, "one");
  EXPECT_EQ(history.items[1].body, "three\twith a tab");
  EXPECT_EQ(db_->room_history("", "alice", 10).items.at(0).body, "two");
}

// The info dictionary is bytes, not text: every byte value comes back as it went in.
TEST_P(StoreTest, PieceLayerChunksKeepTheFirstOfEachAndEveryByte) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) bytes.push_back(static_cast<char>(255 - i));
  const std::string key(64, 'a');
  EXPECT_TRUE(db_->layer_chunks(key, "alice").empty());
  EXPECT_EQ(db_->add_layer_chunk(key, "alice", 1024, bytes, 2).chunks, 1);
  EXPECT_TRUE(db_->add_layer_chunk(key, "alice", 1024, bytes, 2).whole.empty());
  const auto both = db_->add_layer_chunk(key, "alice", 0, std::string(32 * 1024, '\0'), 2).whole;
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].first, 0);  // in order of the first piece
  EXPECT_EQ(both[1].first, 1024);
  // A chunk already there stays as it was.
  EXPECT_EQ(db_->add_layer_chunk(key, "alice", 1024, std::string(64, 'x'), 2).whole.at(1).hashes,
            bytes);
  reopen();
  EXPECT_EQ(db_->layer_chunks(key, "alice").at(1).hashes, bytes);
  EXPECT_TRUE(db_->layer_chunks(std::string(64, 'b'), "alice").empty());
  db_->drop_layer_chunks(key, "alice");
  EXPECT_TRUE(db_->layer_chunks(key, "alice").empty());
}

// Each member's chunks are their own until a layer is kept; then it is the file's, every
// member's chunks go, and nothing more is stored, by anyone (the first kept stays).
TEST_P(StoreTest, PieceLayerChunksAreEachMembersOwnUntilALayerIsKept) {
  const std::string key(64, 'c');
  db_->add_layer_chunk(key, "mallory", 0, std::string(64, 'm'), 2);
  db_->add_layer_chunk(key, "alice", 0, std::string(64, 'a'), 2);
  const auto alices = db_->add_layer_chunk(key, "alice", 1024, std::string(32, 'b'), 2).whole;
  EXPECT_EQ(db_->add_layer_chunk(key, "bob", 1024, std::string(32, 'o'), 2).chunks, 1);
  EXPECT_EQ(db_->layer_chunks(key, "mallory").at(0).hashes, std::string(64, 'm'));
  ASSERT_EQ(alices.size(), 2u);
  EXPECT_EQ(alices[0].hashes, std::string(64, 'a'));
  EXPECT_TRUE(db_->layer_chunks(key, kept_layer).empty());
  db_->drop_layer_chunks(key, "mallory");
  EXPECT_TRUE(db_->layer_chunks(key, "mallory").empty());
  EXPECT_EQ(db_->layer_chunks(key, "alice").size(), 2u);
  db_->keep_layer(key, alices);
  const auto kept = db_->layer_chunks(key, kept_layer);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].hashes, std::string(64, 'a'));
  EXPECT_EQ(kept[1].hashes, std::string(32, 'b'));
  EXPECT_TRUE(db_->layer_chunks(key, "alice").empty());
  EXPECT_TRUE(db_->layer_chunks(key, "bob").empty());
  // Once a layer is kept: nothing stored, and a second keep (a race lost) changes nothing.
  EXPECT_TRUE(db_->add_layer_chunk(key, "bob", 0, std::string(32, 'x'), 2).kept_already);
  EXPECT_TRUE(db_->layer_chunks(key, "bob").empty());
  db_->keep_layer(key, {{0, std::string(32, 'y')}});
  EXPECT_EQ(db_->layer_chunks(key, kept_layer).size(), 2u);
  EXPECT_EQ(db_->layer_chunks(key, kept_layer).at(0).hashes, std::string(64, 'a'));
}

// quotas::unfinished_layers: a member's first chunk of one layer more than allowed drops
// their chunks of the layer they added to least recently; other members' stay, and adding to
// a layer already started drops nothing.
TEST_P(StoreTest, AMembersUnfinishedLayersPastTheQuotaDropTheLeastRecentlyAddedTo) {
  db_->set_quotas({.unfinished_layers = 2});
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c'), d(64, 'd');
  const std::string hash(32, 'h');
  const auto add = [&](const std::string& key, const char* who, std::int64_t first,
                       std::int64_t needed = 3) {
    return db_->add_layer_chunk(key, who, first, hash, needed).chunks;
  };
  EXPECT_EQ(add(a, "mallory", 0), 1);
  EXPECT_EQ(add(b, "mallory", 0), 1);
  EXPECT_EQ(add(a, "alice", 0), 1);
  EXPECT_EQ(add(a, "mallory", 1024), 2);  // a is the newer one now
  EXPECT_EQ(add(c, "mallory", 0), 1);     // b goes
  EXPECT_EQ(db_->layer_chunks(a, "mallory").size(), 2u);
  EXPECT_TRUE(db_->layer_chunks(b, "mallory").empty());
  EXPECT_EQ(db_->layer_chunks(c, "mallory").size(), 1u);
  EXPECT_EQ(db_->layer_chunks(a, "alice").size(), 1u);
  // A layer of one chunk is whole at once: it drops nothing.
  EXPECT_EQ(db_->add_layer_chunk(d, "mallory", 0, hash, 1).whole.size(), 1u);
  db_->drop_layer_chunks(d, "mallory");
  EXPECT_EQ(db_->layer_chunks(a, "mallory").size(), 2u);
  reopen();  // the order outlives a restart
  db_->set_quotas({.unfinished_layers = 2});
  EXPECT_EQ(add(b, "mallory", 0), 1);  // a goes: c came after it
  EXPECT_TRUE(db_->layer_chunks(a, "mallory").empty());
  EXPECT_EQ(db_->layer_chunks(c, "mallory").size(), 1u);
  EXPECT_EQ(db_->layer_chunks(a, "alice").size(), 1u);
  // A kept layer is nobody's unfinished one.
  db_->keep_layer(c, db_->layer_chunks(c, "mallory"));
  EXPECT_EQ(add(a, "mallory", 0), 1);
  EXPECT_EQ(db_->layer_chunks(b, "mallory").size(), 1u);
  EXPECT_EQ(db_->layer_chunks(c, kept_layer).size(), 1u);
}

// quotas::files_per_user counts a member's files in every group; the same content again
// adds nothing and passes, and a removed file frees its place.
TEST_P(StoreTest, AMembersFilesPastTheQuotaAreRefused) {
  make_group_of_three();
  ASSERT_EQ(db_->create_group("other", "bob"), status::ok);
  ASSERT_EQ(db_->join_group("other", "carol").result, status::ok);
  ASSERT_EQ(db_->accept_request("other", "bob", "carol").result, status::ok);
  db_->set_quotas({.files_per_user = 2});
  const auto file = [](std::string group, std::string name, char content) {
    return file_record{std::move(group),
                       std::move(name),
                       1,
                       std::string(64, content),
                       std::string(40, content),
                       "info",
                       "",
                       0,
                       {}};
  };
  ASSERT_EQ(db_->add_file(file("rust", "one", '1'), "bob").result, status::ok);
  ASSERT_EQ(db_->add_file(file("other", "two", '2'), "bob").result, status::ok);
  EXPECT_EQ(db_->add_file(file("rust", "three", '3'), "bob").result, status::quota_exceeded);
  EXPECT_TRUE(db_->add_file(file("rust", "one", '1'), "bob").already_there);
  EXPECT_EQ(db_->add_file(file("rust", "three", '3'), "carol").result, status::ok);
  // Files left behind in a group the member left count no more (only its owner removes them).
  ASSERT_EQ(db_->leave_group("other", "bob").result, status::ok);
  ASSERT_EQ(db_->list_files("other", "carol").items.size(), 1u);
  EXPECT_EQ(db_->add_file(file("rust", "two", '2'), "bob").result, status::ok);
  EXPECT_EQ(db_->add_file(file("rust", "zero", '0'), "bob").result, status::quota_exceeded);
  ASSERT_EQ(db_->remove_file("rust", "two", "bob").result, status::ok);
  EXPECT_EQ(db_->add_file(file("rust", "four", '4'), "bob").result, status::ok);
  EXPECT_EQ(db_->add_file(file("rust", "five", '5'), "bob").result, status::quota_exceeded);
  EXPECT_EQ(db_->list_files("rust", "bob").items.size(), 3u);
}

// quotas::groups_per_user counts the groups a user owns: a name taken is still group_exists,
// and a group handed over (its owner left) counts for its new owner.
TEST_P(StoreTest, GroupsPastTheOwnersQuotaAreRefused) {
  db_->set_quotas({.groups_per_user = 2});
  ASSERT_EQ(db_->create_group("one", "alice"), status::ok);
  ASSERT_EQ(db_->create_group("two", "alice"), status::ok);
  EXPECT_EQ(db_->create_group("three", "alice"), status::quota_exceeded);
  EXPECT_EQ(db_->create_group("one", "alice"), status::group_exists);
  EXPECT_EQ(db_->create_group("three", "bob"), status::ok);
  ASSERT_EQ(db_->join_group("two", "bob").result, status::ok);
  ASSERT_EQ(db_->accept_request("two", "alice", "bob").result, status::ok);
  ASSERT_EQ(db_->leave_group("two", "alice").result, status::ok);  // bob owns it now
  EXPECT_EQ(db_->create_group("four", "alice"), status::ok);
  EXPECT_EQ(db_->create_group("five", "bob"), status::quota_exceeded);
}

TEST_P(StoreTest, FileInfoKeepsEveryByte) {
  make_group_of_three();
  std::string info;
  for (int i = 0; i < 256; ++i) info.push_back(static_cast<char>(i));
  file_record file{"rust", "bytes.bin", 1, std::string(64, 'a'), std::string(40, 'b'), info,
                   "bob",  0,           {}};
  ASSERT_EQ(db_->add_file(file, "bob").result, status::ok);
  reopen();
  const auto found = db_->find_file("rust", "bytes.bin", "carol");
  ASSERT_EQ(found.result, status::ok);
  EXPECT_EQ(found.file.info, info);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(backend_factory{"SQLite", false,
                                                           [](const std::string& dir) {
                                                             return open_sqlite(dir +
                                                                                "/tracker.db");
                                                           }},
                                           backend_factory{"PostgreSQL", true,
                                                           [](const std::string& conninfo) {
                                                             return open_postgresql(conninfo);
                                                           }}),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(PostgresStore, TrackersStartingTogetherMigrateOnceAndRefuseANewerSchema) {
  SWARMHUB_REQUIRE_POSTGRES();
  test::postgres_database database;
  std::vector<std::thread> starters;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back([&] {
      if (open_postgresql(database.conninfo())) ++opened;
    });
  }
  for (auto& t : starters) t.join();
  EXPECT_EQ(opened, 4);
  auto db = open_postgresql(database.conninfo());
  ASSERT_EQ(db->create_user("alice", "h"), status::ok);
  PGconn* raw = PQconnectdb(database.conninfo().c_str());
  PQclear(PQexec(raw, "INSERT INTO schema_migrations VALUES (999, 0)"));
  PQfinish(raw);
  EXPECT_THROW(open_postgresql(database.conninfo()), store_failure);
}

// Runs `sql` on the SQLite file at `path` behind the store's back (as an older or newer
// tracker would have left it); true when it ran.
bool run_raw_sqlite(const std::string& path, const char* sql) {
  sqlite3* raw = nullptr;
  const bool ran = sqlite3_open(path.c_str(), &raw) == SQLITE_OK &&
                   sqlite3_exec(raw, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(raw);
  return ran;
}

TEST(SqliteStore, RefusesADatabaseFromANewerVersion) {
  test::temp_dir dir;
  const std::string path = dir.file("tracker.db");
  open_sqlite(path).reset();
  // Pretend a newer tracker migrated this file further.
  ASSERT_TRUE(run_raw_sqlite(path, "INSERT INTO schema_migrations VALUES (999, 0)"));
  EXPECT_THROW(open_sqlite(path), store_failure);
}

// A file made by the previous schema (version 6) is brought up to date with its data.
TEST(SqliteStore, UpgradesAFileOfTheSchemaBefore) {
  test::temp_dir dir;
  const std::string path = dir.file("tracker.db");
  {
    auto db = open_sqlite(path);
    ASSERT_EQ(db->create_user("alice", "h"), status::ok);
    ASSERT_EQ(db->create_user("bob", "h"), status::ok);
    ASSERT_EQ(db->send_direct("alice", "bob", "kept").result, status::ok);
  }
  // Back to version 6: its index of waiting messages, without the one 7 adds.
  ASSERT_TRUE(
      run_raw_sqlite(path,
                     "DROP INDEX direct_messages_undelivered; "
                     "CREATE INDEX direct_messages_waiting ON direct_messages(recipient_id, "
                     "id) WHERE delivered = 0; DELETE FROM schema_migrations WHERE version = 7"));
  auto db = open_sqlite(path);
  const auto waiting = db->undelivered_direct("bob");
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].body, "kept");
}

// Piece layers stored by schema 15, one table for every member's chunks, are kept as chunks
// stored before (checked the first time they are asked for).
TEST(SqliteStore, UpgradesPieceLayersOfTheSchemaBefore) {
  test::temp_dir dir;
  const std::string path = dir.file("tracker.db");
  open_sqlite(path).reset();
  ASSERT_TRUE(run_raw_sqlite(path,
                             "DROP TABLE piece_layer_chunks; DROP INDEX files_by_uploader; "
                             "CREATE TABLE piece_layers (info_hash TEXT NOT NULL, first_piece "
                             "INTEGER NOT NULL, hashes BLOB NOT NULL, PRIMARY KEY (info_hash, "
                             "first_piece)); "
                             "INSERT INTO piece_layers VALUES ('abc', 1024, x'00ff'); "
                             "DELETE FROM schema_migrations WHERE version >= 16"));
  auto db = open_sqlite(path);
  const auto before = db->layer_chunks("abc", stored_before_submitters);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].first, 1024);
  EXPECT_EQ(before[0].hashes, std::string("\x00\xff", 2));
  EXPECT_TRUE(db->layer_chunks("abc", kept_layer).empty());
}

TEST(DataDir, OneTrackerAtATime) {
  test::temp_dir dir;
  data_dir first(dir.file("data"));
  try {
    data_dir second(dir.file("data"));
    FAIL() << "a second holder was allowed";
  } catch (const store_failure& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another tracker"), std::string::npos);
  }
}

}  // namespace
}  // namespace swarmhub::store
