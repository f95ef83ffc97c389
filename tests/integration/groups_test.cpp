// A3, A4, A5: groups, who may do what, races, and durability across restarts and kill -9.

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

// A group named "lobby" had the lobby's room: its members' posts went to everyone logged in.
TEST(Groups, TheLobbyAndThePairRoomAreNoGroupNames) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  for (const char* name : {"lobby", "Lobby", "pair", "PAIR"}) {
    const auto r = alice.request(std::string("create_group ") + name);
    EXPECT_EQ(r.code, "BAD_NAME") << name;
    EXPECT_NE(r.text.find("reserved"), std::string::npos) << r.text;
  }
  EXPECT_TRUE(alice.request("create_group lobby2").ok);
  EXPECT_EQ(alice.request("list_groups").data.size(), 1u);
}

TEST(Groups, RequestAcceptRejectWithLiveNotices) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  ASSERT_TRUE(alice.request("create_group rust").ok);

  auto asked = bob.request("join_group rust");
  EXPECT_TRUE(asked.ok);
  EXPECT_EQ(asked.text, "asked alice to let you into rust");
  EXPECT_EQ(alice.next_event("JOIN_REQUEST").text, "rust bob");
  ASSERT_TRUE(carol.request("join_group RUST").ok);
  EXPECT_EQ(alice.next_event("JOIN_REQUEST").text, "rust carol");

  auto requests = alice.request("list_requests rust");
  ASSERT_TRUE(requests.ok);
  ASSERT_EQ(requests.data.size(), 2u);
  EXPECT_TRUE(requests.data[0].starts_with("bob asked="));
  EXPECT_TRUE(requests.data[1].starts_with("carol asked="));

  EXPECT_EQ(alice.request("accept_request rust bob").text, "bob is now a member of rust");
  EXPECT_EQ(bob.next_event("REQUEST_ACCEPTED").text, "rust");
  EXPECT_EQ(alice.request("reject_request rust carol").text, "turned down carol for rust");
  EXPECT_EQ(carol.next_event("REQUEST_REJECTED").text, "rust");

  auto members = bob.request("list_members rust");
  ASSERT_TRUE(members.ok);
  ASSERT_EQ(members.data.size(), 2u);
  EXPECT_TRUE(members.data[0].starts_with("alice owner joined="));
  EXPECT_TRUE(members.data[1].starts_with("bob member joined="));
  auto groups = carol.request("list_groups");
  ASSERT_EQ(groups.data.size(), 1u);
  EXPECT_EQ(groups.data[0], "rust owner=alice members=2 mode=sealed");
}

TEST(Groups, OwnerOfflineSeesRequestsAtLogin) {
  tracker_process tracker;
  {
    auto alice = tracker.user("alice");
    ASSERT_TRUE(alice.request("create_group rust").ok);
    ASSERT_TRUE(alice.request("create_group go").ok);
    ASSERT_TRUE(alice.request("quit").ok);
  }
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  ASSERT_TRUE(bob.request("join_group rust").ok);
  ASSERT_TRUE(carol.request("join_group rust").ok);
  ASSERT_TRUE(carol.request("join_group go").ok);
  auto alice = tracker.connect();
  ASSERT_TRUE(alice.request("login alice alice-password").ok);
  EXPECT_EQ(alice.next_event("PENDING_REQUESTS").text, "go 1");
  EXPECT_EQ(alice.next_event("PENDING_REQUESTS").text, "rust 2");
}

TEST(Groups, OwnerLeavingHandsOverAndLastOneOutRemovesTheGroup) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  for (auto* who : {&carol, &bob}) {  // carol joins first, so she is next in line
    ASSERT_TRUE(who->request("join_group rust").ok);
    alice.next_event("JOIN_REQUEST").text;
  }
  ASSERT_TRUE(alice.request("accept_request rust carol").ok);
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  EXPECT_EQ(alice.request("leave_group rust").text, "you left rust; carol owns it now");
  carol.next_event("REQUEST_ACCEPTED").text;
  EXPECT_EQ(carol.next_event("OWNER").text, "rust carol");
  EXPECT_EQ(carol.request("list_groups").data.at(0), "rust owner=carol members=2 mode=sealed");
  EXPECT_EQ(alice.request("list_members rust").code, "NOT_MEMBER");
  EXPECT_EQ(bob.request("leave_group rust").text, "you left rust");
  EXPECT_EQ(carol.request("leave_group rust").text,
            "you left rust; it had no other member and is removed");
  EXPECT_TRUE(carol.request("list_groups").data.empty());
}

TEST(Groups, OwnerRemovesAMemberAsIfTheyHadLeft) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  for (auto* who : {&bob, &carol}) {
    ASSERT_TRUE(who->request("join_group rust").ok);
    alice.next_event("JOIN_REQUEST");
  }
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  ASSERT_TRUE(alice.request("accept_request rust carol").ok);
  bob.next_event("REQUEST_ACCEPTED");
  carol.next_event("REQUEST_ACCEPTED");

  EXPECT_EQ(alice.request("remove_member rust BOB").text, "bob is no longer a member of rust");
  EXPECT_EQ(bob.next_event("REMOVED_FROM").text, "rust alice");
  EXPECT_EQ(carol.next_event("LEFT").text, "rust bob");  // as if bob had left
  // bob is out of the room at once: carol's post there does not reach him, her next one in
  // the lobby does (and would come after the first).
  ASSERT_TRUE(carol.request("room rust").ok);
  ASSERT_TRUE(carol.request("say only for members").ok);
  ASSERT_TRUE(carol.request("room lobby").ok);
  ASSERT_TRUE(carol.request("say done").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby carol done");
  EXPECT_EQ(bob.request("list_members rust").code, "NOT_MEMBER");
  EXPECT_EQ(bob.request("history rust").code, "NOT_MEMBER");
  EXPECT_EQ(carol.request("list_groups").data.at(0), "rust owner=alice members=2 mode=sealed");

  auto again = alice.request("remove_member rust bob");
  EXPECT_EQ(again.code, "NOT_MEMBER");
  EXPECT_EQ(again.text, "bob is not a member of rust");
  auto self = alice.request("remove_member rust alice");
  EXPECT_EQ(self.code, "BAD_ARGUMENTS");
  EXPECT_EQ(self.text, "alice owns rust: an owner leaves with leave_group");
  EXPECT_EQ(carol.request("remove_member rust alice").code, "NOT_OWNER");
  EXPECT_TRUE(bob.request("join_group rust").ok);  // he may ask again
}

TEST(Groups, EveryMisuseHasItsOwnError) {
  tracker_process tracker;
  auto owner = tracker.user("owner");
  auto member = tracker.user("member");
  auto outsider = tracker.user("outsider");
  auto asker = tracker.user("asker");
  ASSERT_TRUE(owner.request("create_group g").ok);
  ASSERT_TRUE(member.request("join_group g").ok);
  ASSERT_TRUE(owner.request("accept_request g member").ok);
  ASSERT_TRUE(asker.request("join_group g").ok);

  // Owner-only commands, by a member and by an outsider.
  for (auto* who : {&member, &outsider}) {
    EXPECT_EQ(who->request("list_requests g").code, "NOT_OWNER");
    EXPECT_EQ(who->request("accept_request g asker").code, "NOT_OWNER");
    EXPECT_EQ(who->request("reject_request g asker").code, "NOT_OWNER");
    EXPECT_EQ(who->request("remove_member g member").code, "NOT_OWNER");
  }
  // Member-only commands, by an outsider and by someone whose request waits.
  for (auto* who : {&outsider, &asker})
    EXPECT_EQ(who->request("list_members g").code, "NOT_MEMBER");
  EXPECT_EQ(outsider.request("leave_group g").code, "NOT_MEMBER");
  // Unknown group, for every group command.
  for (const std::string cmd : {"join_group", "list_requests", "leave_group", "list_members"}) {
    EXPECT_EQ(owner.request(cmd + " nogroup").code, "NO_SUCH_GROUP") << cmd;
  }
  EXPECT_EQ(owner.request("accept_request nogroup asker").code, "NO_SUCH_GROUP");
  EXPECT_EQ(owner.request("reject_request nogroup asker").code, "NO_SUCH_GROUP");
  EXPECT_EQ(owner.request("remove_member nogroup member").code, "NO_SUCH_GROUP");
  // Wrong users and wrong states of requests.
  EXPECT_EQ(owner.request("accept_request g nobody").code, "NO_SUCH_USER");
  EXPECT_EQ(owner.request("accept_request g outsider").code, "NO_SUCH_REQUEST");
  EXPECT_EQ(owner.request("reject_request g outsider").code, "NO_SUCH_REQUEST");
  EXPECT_EQ(owner.request("accept_request g member").code, "ALREADY_MEMBER");
  EXPECT_EQ(owner.request("remove_member g nobody").code, "NO_SUCH_USER");
  EXPECT_EQ(owner.request("remove_member g asker").code, "NOT_MEMBER");  // asked, not in
  EXPECT_EQ(owner.request("remove_member g outsider").code, "NOT_MEMBER");
  EXPECT_EQ(owner.request("remove_member g owner").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("join_group g").code, "ALREADY_MEMBER");
  EXPECT_EQ(member.request("join_group g").code, "ALREADY_MEMBER");
  EXPECT_EQ(asker.request("join_group g").code, "REQUEST_PENDING");
  EXPECT_EQ(outsider.request("create_group G").code, "GROUP_EXISTS");
  // Malformed names and arity.
  EXPECT_EQ(owner.request("create_group bad/name").code, "BAD_NAME");
  EXPECT_EQ(owner.request("join_group ../etc").code, "BAD_NAME");
  EXPECT_EQ(owner.request("create_group").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("create_group a b").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("accept_request g").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("remove_member g").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("remove_member g member asker").code, "BAD_ARGUMENTS");
  EXPECT_EQ(owner.request("remove_member g ../x").code, "BAD_NAME");
  EXPECT_EQ(owner.request("list_groups extra").code, "BAD_ARGUMENTS");
  // Logged out, none of it.
  auto anon = tracker.connect();
  for (const std::string cmd :
       {"create_group x", "list_groups", "join_group g", "list_requests g",
        "accept_request g asker", "reject_request g asker", "remove_member g member",
        "leave_group g", "list_members g", "logout"}) {
    EXPECT_EQ(anon.request(cmd).code, "NOT_LOGGED_IN") << cmd;
  }
  // And nothing of the above changed what was stored.
  auto members = owner.request("list_members g");
  ASSERT_EQ(members.data.size(), 2u);
  EXPECT_EQ(owner.request("list_requests g").data.size(), 1u);
  EXPECT_EQ(owner.request("list_groups").data,
            std::vector<std::string>{"g owner=owner members=2 mode=sealed"});
}

TEST(Groups, RacingCreatorsExactlyOneWins) {
  tracker_process tracker;
  constexpr int racers = 16;
  std::vector<line_client> clients;
  for (int i = 0; i < racers; ++i) clients.push_back(tracker.user("racer" + std::to_string(i)));
  std::atomic<int> user_wins{0};
  std::atomic<int> group_wins{0};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      auto& c = clients[i];
      const auto g = c.request("create_group contested");
      if (g.ok) {
        ++group_wins;
      } else if (g.code != "GROUP_EXISTS") {
        ++other_errors;
      }
      line_client fresh(tracker.port());
      const auto u = fresh.request("create_user contested secret1");
      if (u.ok) {
        ++user_wins;
      } else if (u.code != "USER_EXISTS") {
        ++other_errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(group_wins.load(), 1);
  EXPECT_EQ(user_wins.load(), 1);
  EXPECT_EQ(other_errors.load(), 0);
}

// What a restart must keep: users, groups, owners, members, pending requests.
void fill(tracker_process& tracker) {
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  ASSERT_TRUE(bob.request("join_group rust").ok);
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  ASSERT_TRUE(carol.request("join_group rust").ok);  // acknowledged: must survive
}

void check(tracker_process& tracker) {
  auto alice = tracker.connect();
  ASSERT_TRUE(alice.request("login alice alice-password").ok);
  EXPECT_EQ(alice.next_event("PENDING_REQUESTS").text, "rust 1");
  EXPECT_EQ(alice.request("list_groups").data,
            std::vector<std::string>{"rust owner=alice members=2 mode=sealed"});
  auto requests = alice.request("list_requests rust");
  ASSERT_EQ(requests.data.size(), 1u);
  EXPECT_TRUE(requests.data[0].starts_with("carol "));
  auto bob = tracker.connect();
  EXPECT_TRUE(bob.request("login bob bob-password").ok);
  EXPECT_EQ(bob.request("list_members rust").data.size(), 2u);
}

TEST(Durability, EverythingSurvivesARestart) {
  temp_dir dir;
  {
    tracker_process tracker({}, dir.file("data"));
    fill(tracker);
  }  // SIGTERM, exit 0
  tracker_process again({}, dir.file("data"));
  check(again);
}

TEST(Durability, AcknowledgedChangesSurviveKillDashNine) {
  temp_dir dir;
  {
    tracker_process tracker({}, dir.file("data"));
    fill(tracker);
    tracker.proc().signal(SIGKILL);
    EXPECT_EQ(tracker.proc().wait(), 128 + SIGKILL);
  }
  tracker_process again({}, dir.file("data"));
  check(again);
}

TEST(Durability, ASecondTrackerOnTheSameDataDirectoryIsRefused) {
  tracker_process first;
  process second({tracker_binary(), "--listen", "127.0.0.1:0", "--data-dir", first.data_dir()});
  EXPECT_EQ(second.wait(), 1);
  EXPECT_TRUE(first.connect().request("ping").ok);
}

}  // namespace
}  // namespace swarmhub::test
