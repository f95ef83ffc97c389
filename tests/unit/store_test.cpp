// The store contract, written once and run against every backend (SQLite now; the
// PostgreSQL backend joins the parameter list when it exists).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <memory>

#include "process.hpp"
#include "swarmhub/store/data_dir.hpp"
#include "swarmhub/store/sqlite_backend.hpp"

namespace swarmhub::store {
namespace {

using leave = leave_result::effect;

// Makes a fresh, empty database and can reopen it (for durability checks).
struct backend_factory {
  std::string name;
  std::function<std::unique_ptr<backend>(const std::string& dir)> open;
};

class StoreTest : public ::testing::TestWithParam<backend_factory> {
 protected:
  void SetUp() override {
    db_ = GetParam().open(dir_.path());
    ASSERT_EQ(db_->create_user("alice", "hash-a"), status::ok);
    ASSERT_EQ(db_->create_user("bob", "hash-b"), status::ok);
    ASSERT_EQ(db_->create_user("carol", "hash-c"), status::ok);
  }

  void reopen() {
    db_.reset();
    db_ = GetParam().open(dir_.path());
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
  std::unique_ptr<backend> db_;
};

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

TEST_P(StoreTest, EverythingSurvivesReopening) {
  make_group_of_three();
  ASSERT_EQ(db_->create_user("dave", "hash-d"), status::ok);
  ASSERT_EQ(db_->join_group("rust", "dave").result, status::ok);
  reopen();
  EXPECT_EQ(db_->find_user("dave")->password_hash, "hash-d");
  EXPECT_EQ(db_->list_groups().at(0).members, 3);
  EXPECT_EQ(db_->list_requests("rust", "alice").items.at(0).user, "dave");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreTest,
    ::testing::Values(backend_factory{
        "SQLite", [](const std::string& dir) { return open_sqlite(dir + "/tracker.db"); }}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(SqliteStore, RefusesADatabaseFromANewerVersion) {
  test::temp_dir dir;
  const std::string path = dir.file("tracker.db");
  open_sqlite(path).reset();
  {
    // Pretend a newer tracker migrated this file further.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(raw, "INSERT INTO schema_migrations VALUES (999, 0)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
  }
  EXPECT_THROW(open_sqlite(path), store_failure);
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
