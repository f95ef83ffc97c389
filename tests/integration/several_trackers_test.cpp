// H1-H2: several trackers serving one set of users through one PostgreSQL database, started
// from one tracker_info.txt.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>

#include "client_process.hpp"
#include "postgres.hpp"
#include "process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

class SeveralTrackers : public ::testing::Test {
 protected:
  void SetUp() override {
    SWARMHUB_REQUIRE_POSTGRES();
    database_ = std::make_unique<postgres_database>();
  }
  std::vector<std::string> store_args() { return {"--store", database_->conninfo()}; }

  std::unique_ptr<postgres_database> database_;
};

TEST_F(SeveralTrackers, AccountsGroupsAndFilesAreOneSetOfRecords) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  auto bob = two.user("bob");  // created on the second, logs in there
  ASSERT_TRUE(bob.request("join_group rust").ok);
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  const auto members = bob.request("list_members rust");
  ASSERT_TRUE(members.ok) << members.text;
  EXPECT_EQ(members.data.size(), 2u);
  // Names stay unique across trackers, whatever the case.
  auto stranger = two.connect();
  EXPECT_EQ(stranger.request("create_user ALICE other-pass").code, "USER_EXISTS");
  EXPECT_EQ(stranger.request("create_group Rust").code, "NOT_LOGGED_IN");
  auto carol = two.user("carol");
  EXPECT_EQ(carol.request("create_group Rust").code, "GROUP_EXISTS");
}

// Whether some event of `c` so far is `name` with `text` containing `part`.
bool has_event(client_process& c, const std::string& name, const std::string& part) {
  for (const auto& e : c.events()) {
    if (e.name == name && e.text.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST_F(SeveralTrackers, ClientsCarryOnWhenTheirTrackerDies) {
  temp_dir dir;
  const auto list = dir.file("tracker_info.txt");
  // tcp://: these trackers speak plaintext, which clients allow to loopback.
  std::ofstream(list) << "1 tcp://127.0.0.1:" << free_port()
                      << "\n2 tcp://127.0.0.1:" << free_port() << "\n";
  const std::vector<std::string> store{"--store", database_->conninfo(), "--login-lease", "30"};
  auto start = [&](const char* n) {
    std::vector<std::string> args{list, n};
    args.insert(args.end(), store.begin(), store.end());
    return std::make_unique<tracker_process>(args, std::string(), std::string());
  };
  auto one = start("1");
  auto two = start("2");
  // Alice follows the list (tracker 1 first); Bob uses tracker 2 alone.
  client_process alice(list);
  client_process bob(two->client_address(), {"--download-limit", "8000000"});
  alice.log_in("alice");
  bob.log_in("bob");
  ASSERT_TRUE(alice.request("create_group g").ok);
  ASSERT_TRUE(bob.request("join_group g").ok);
  ASSERT_TRUE(alice.request("accept_request g bob").ok);
  ASSERT_TRUE(alice.request("room g").ok);
  ASSERT_TRUE(alice.request("say before the crash").ok);

  // A file moving slowly (Bob's download limit) while tracker 1 dies.
  std::string data(24 * 1024 * 1024, '\0');
  std::mt19937_64 random(9);
  for (auto& c : data) c = static_cast<char>(random());
  std::ofstream(dir.file("big.bin"), std::ios::binary).write(data.data(), data.size());
  ASSERT_TRUE(alice.request("upload_file " + dir.file("big.bin") + " g").ok);
  bool announced = false;  // to tracker 2 as well: every tracker of the list hears announces
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       !announced && std::chrono::steady_clock::now() < deadline;) {
    announced = bob.request("list_files g").data.at(0).find("seeders=1") != std::string::npos;
  }
  ASSERT_TRUE(announced);
  std::filesystem::create_directories(dir.file("got"));
  ASSERT_TRUE(bob.request("download_file g big.bin " + dir.file("got")).ok);
  one->proc().signal(SIGKILL);
  ASSERT_TRUE(one->proc().wait(10s));

  // Alice's client moves to tracker 2, logs in again by itself, and says so in one line.
  bool moved = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       !moved && std::chrono::steady_clock::now() < deadline;) {
    alice.request("ping");
    moved = has_event(alice, "NOTICE",
                      "now on " + two->client_address() + ", logged in again as alice, back in g");
  }
  ASSERT_TRUE(moved);
  ASSERT_TRUE(alice.request("say after the crash").ok);
  ASSERT_TRUE(bob.request("wait_downloads", 120s).ok);
  EXPECT_EQ(read_file(dir.file("got/big.bin")), data);
  const auto history = bob.request("history g");
  ASSERT_TRUE(history.ok);
  ASSERT_GE(history.data.size(), 2u);
  EXPECT_NE(history.data[history.data.size() - 2].find("before the crash"), std::string::npos);
  EXPECT_NE(history.data.back().find("after the crash"), std::string::npos);

  // The dead tracker, restarted, serves the same users again.
  one = start("1");
  auto carol = one->user("carol");
  const auto online = carol.request("list");
  EXPECT_EQ(online.data, (std::vector<std::string>{"alice", "bob", "carol"}));
  EXPECT_EQ(carol.request("list_groups").data.size(), 1u);
}

// Each resume uses its token up; the client keeps the next one from the reply, so a second
// failover works as the first did.
TEST_F(SeveralTrackers, AClientFailsOverTwiceWithTheTokenEachResumeGave) {
  temp_dir dir;
  const auto list = dir.file("tracker_info.txt");
  // tcp://: these trackers speak plaintext, which clients allow to loopback.
  std::ofstream(list) << "1 tcp://127.0.0.1:" << free_port()
                      << "\n2 tcp://127.0.0.1:" << free_port()
                      << "\n3 tcp://127.0.0.1:" << free_port() << "\n";
  auto start = [&](const char* n) {
    std::vector<std::string> args{list, n, "--store", database_->conninfo()};
    return std::make_unique<tracker_process>(args, std::string(), std::string());
  };
  auto one = start("1");
  auto two = start("2");
  auto three = start("3");
  client_process alice(list);
  alice.log_in("alice");
  const auto moved_to = [&](tracker_process& t) {
    for (const auto deadline = std::chrono::steady_clock::now() + 30s;
         std::chrono::steady_clock::now() < deadline;) {
      alice.request("ping");
      if (has_event(alice, "NOTICE",
                    "now on " + t.client_address() + ", logged in again as alice")) {
        return true;
      }
    }
    return false;
  };
  one->proc().signal(SIGKILL);
  ASSERT_TRUE(one->proc().wait(10s));
  ASSERT_TRUE(moved_to(*two));
  two->proc().signal(SIGKILL);
  ASSERT_TRUE(two->proc().wait(10s));
  ASSERT_TRUE(moved_to(*three));
  EXPECT_EQ(alice.request("whoami").text, "logged in as alice");
}

TEST(TrackerInfo, EachTrackerListensWhereItsLineSays) {
  temp_dir dir;
  const auto list = dir.file("tracker_info.txt");
  const auto first = free_port();
  const auto second = free_port();
  std::ofstream(list) << "# seed 001's two trackers\n1 tcp://127.0.0.1:" << first
                      << "\n2 tcp://127.0.0.1 " << second << "\n";
  tracker_process two({list, "2"}, {}, "");
  EXPECT_EQ(two.port(), second);
  EXPECT_TRUE(two.connect().request("ping").ok);
}

TEST_F(SeveralTrackers, OneLiveLoginAcrossTrackersAndOneListOfWhoIsOnline) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  auto again = two.connect();
  const auto refused = again.request("login alice alice-password");
  EXPECT_EQ(refused.code, "ALREADY_ONLINE");
  EXPECT_EQ(refused.text, "alice is already logged in on another tracker");
  EXPECT_TRUE(again.closed_within());  // seed 004: that connection is closed
  for (auto* c : {&alice, &bob}) {
    const auto list = c->request("list");
    EXPECT_EQ(list.data, (std::vector<std::string>{"alice", "bob"}));
  }
  ASSERT_TRUE(alice.request("logout").ok);
  EXPECT_TRUE(two.connect().request("login alice alice-password").ok);  // released at logout
}

TEST_F(SeveralTrackers, ChatReachesUsersOnTheOtherTracker) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  // Direct messages, live.
  EXPECT_EQ(alice.request("msg bob hello from one").text, "sent to bob");
  EXPECT_EQ(bob.next_event("MSG").text, "alice hello from one");
  EXPECT_EQ(bob.request("msg alice and back").text, "sent to alice");
  EXPECT_EQ(alice.next_event("MSG").text, "bob and back");
  // Group notices and the group's room.
  ASSERT_TRUE(alice.request("create_group rust").ok);
  ASSERT_TRUE(bob.request("join_group rust").ok);
  EXPECT_EQ(alice.next_event("JOIN_REQUEST").text, "rust bob");
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  EXPECT_EQ(bob.next_event("REQUEST_ACCEPTED").text, "rust");
  ASSERT_TRUE(alice.request("room rust").ok);
  ASSERT_TRUE(bob.request("room rust").ok);
  ASSERT_TRUE(alice.request("say one").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "rust alice one");
  ASSERT_TRUE(bob.request("say two").ok);
  EXPECT_EQ(alice.next_event("ROOM").text, "rust bob two");
  // Presence in the lobby.
  auto carol = two.user("carol");
  const auto joined = alice.next_event("JOINED");
  EXPECT_EQ(joined.text, "lobby carol");
  carol.close();
  EXPECT_EQ(alice.next_event("LEFT").text, "lobby carol");
}

// remove_member on one tracker takes the member's session on another out of the room at
// once, as their own leave_group would.
TEST_F(SeveralTrackers, AMemberRemovedOnOneTrackerLeavesTheRoomOnTheOther) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  ASSERT_TRUE(bob.request("join_group rust").ok);
  EXPECT_EQ(alice.next_event("JOIN_REQUEST").text, "rust bob");
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  EXPECT_EQ(bob.next_event("REQUEST_ACCEPTED").text, "rust");
  ASSERT_TRUE(alice.request("room rust").ok);
  ASSERT_TRUE(alice.request("say before").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "rust alice before");
  EXPECT_EQ(alice.request("remove_member rust bob").text, "bob is no longer a member of rust");
  EXPECT_EQ(bob.next_event("REMOVED_FROM").text, "rust alice");
  // Events of the store reach tracker two in commit order: "after" would come before "done".
  ASSERT_TRUE(alice.request("say after").ok);
  ASSERT_TRUE(alice.request("room lobby").ok);
  ASSERT_TRUE(alice.request("say done").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice done");
}

TEST_F(SeveralTrackers, EveryListenerSeesOneOrderWhateverTheTracker) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  std::vector<line_client> people;
  auto owner = one.user("owner");
  ASSERT_TRUE(owner.request("create_group g").ok);
  for (int i = 0; i < 6; ++i) {
    const std::string name = "u" + std::to_string(i);
    people.push_back((i % 2 ? two : one).user(name));
    ASSERT_TRUE(people.back().request("join_group g").ok);
    ASSERT_TRUE(owner.request("accept_request g " + name).ok);
    // Once told, they are in the room's audience, whichever tracker holds them.
    EXPECT_EQ(people.back().next_event("REQUEST_ACCEPTED").text, "g");
    ASSERT_TRUE(people.back().request("room g").ok);
  }
  constexpr int per_sender = 20;
  for (int k = 0; k < per_sender; ++k) {
    for (int i = 0; i < 2; ++i) {  // u0 on one, u1 on two, interleaved
      people[i].send_line("say m" + std::to_string(i) + "-" + std::to_string(k));
    }
  }
  std::vector<std::string> first_order;
  for (std::size_t who = 2; who < people.size(); ++who) {
    std::vector<std::string> seen;
    while (seen.size() < 2 * per_sender) {
      const auto e = people[who].next_event("ROOM");
      if (e.name != "ROOM") break;
      seen.push_back(e.text);
    }
    ASSERT_EQ(seen.size(), 2u * per_sender) << "listener " << who;
    if (first_order.empty()) {
      first_order = seen;
    } else {
      EXPECT_EQ(seen, first_order) << "listener " << who;
    }
  }
}

TEST_F(SeveralTrackers, ACrashedTrackersLoginsLapseAfterTheLease) {
  std::vector<std::string> args = store_args();
  args.insert(args.end(), {"--login-lease", "2"});
  tracker_process one(args);
  tracker_process two(args);
  auto alice = one.user("alice");
  ASSERT_TRUE(alice.request("ping").ok);
  one.proc().signal(SIGKILL);
  ASSERT_TRUE(one.proc().wait(10s));
  auto c = two.connect();
  // At once, the lease still holds: the crashed tracker may have been alive a moment ago.
  EXPECT_EQ(c.request("login alice alice-password").code, "ALREADY_ONLINE");
  bool logged_in = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       !logged_in && std::chrono::steady_clock::now() < deadline;) {
    auto attempt = two.connect();  // each refusal closes its connection (seed 004)
    logged_in = attempt.request("login alice alice-password").ok;
  }
  EXPECT_TRUE(logged_in) << "the lease should have lapsed";
}

TEST_F(SeveralTrackers, AResumeTokenTakesTheLoginOverFromADeadTracker) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  const auto token = alice.request("resume_token");
  ASSERT_TRUE(token.ok);
  ASSERT_EQ(token.text.size(), 64u);
  one.proc().signal(SIGKILL);
  ASSERT_TRUE(one.proc().wait(10s));
  EXPECT_EQ(two.connect().request("login alice alice-password").code,
            "ALREADY_ONLINE");  // the lease
  auto c = two.connect();
  EXPECT_EQ(c.request("resume alice " + std::string(64, '0')).code, "LOGIN_FAILED");
  EXPECT_EQ(c.request("resume bob " + token.text).code, "LOGIN_FAILED");  // alice's token
  EXPECT_EQ(c.request("resume alice short").code, "LOGIN_FAILED");
  const auto resumed = c.request("resume alice " + token.text);
  ASSERT_TRUE(resumed.ok) << resumed.text;
  EXPECT_EQ(resumed.text, "logged in as alice");
  EXPECT_EQ(c.read_line(), "* LOGGED_IN alice");  // as after a login
  // A deliberate logout ends the session: its tokens no longer work, not even the next one
  // this reply carried and nobody used.
  ASSERT_EQ(resumed.data.size(), 1u);
  ASSERT_TRUE(c.request("logout").ok);
  EXPECT_EQ(c.request("resume alice " + resumed.data[0]).code, "LOGIN_FAILED");
}

// Tokens revoked on one tracker are refused by the other: the revocation is in the store.
TEST_F(SeveralTrackers, LogoutAndChangePasswordRevokeTokensOnEveryTracker) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  const auto before_logout = alice.request("resume_token");
  ASSERT_TRUE(before_logout.ok);
  ASSERT_TRUE(alice.request("logout").ok);
  EXPECT_EQ(two.connect().request("resume alice " + before_logout.text).code, "LOGIN_FAILED");

  ASSERT_TRUE(alice.request("login alice alice-password").ok);
  const auto before_change = alice.request("resume_token");
  ASSERT_TRUE(before_change.ok);
  ASSERT_TRUE(alice.request("change_password alice-password new-secret").ok);
  const auto after_change = alice.request("resume_token");
  ASSERT_TRUE(after_change.ok);
  // The connection just ends (a logout would drop the tokens by itself), and tracker one
  // lets the login go.
  alice.close();
  ASSERT_TRUE(one.eventually_stats(
      [](const std::string& line) { return tracker_process::counter(line, "clients") == 0; }));
  auto c = two.connect();
  EXPECT_EQ(c.request("resume alice " + before_change.text).code, "LOGIN_FAILED");
  // A token taken after the change works there: the refusal above was the revocation.
  const auto resumed = c.request("resume alice " + after_change.text);
  EXPECT_TRUE(resumed.ok) << resumed.code << " " << resumed.text;
}

TEST_F(SeveralTrackers, AResumeCannotLogInTwiceWhileTheFirstTrackerLives) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  const auto token = alice.request("resume_token");
  ASSERT_TRUE(token.ok);
  auto c = two.connect();
  EXPECT_EQ(c.request("resume alice " + token.text).code, "ALREADY_ONLINE");
  EXPECT_EQ(c.request("whoami").text, "not logged in");
  EXPECT_EQ(alice.request("whoami").text, "logged in as alice");
  // The token was not spent: once tracker one dies, it takes the login over, and the next
  // token comes with the reply.
  one.proc().signal(SIGKILL);
  ASSERT_TRUE(one.proc().wait(10s));
  const auto resumed = c.request("resume alice " + token.text);
  ASSERT_TRUE(resumed.ok) << resumed.text;
  ASSERT_EQ(resumed.data.size(), 1u);
  EXPECT_NE(resumed.data[0], token.text);
}

TEST_F(SeveralTrackers, AStoppedTrackerReleasesItsLoginsAtOnce) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  auto alice = one.user("alice");
  ASSERT_TRUE(alice.request("ping").ok);
  one.proc().signal(SIGTERM);
  ASSERT_EQ(one.proc().wait(30s), 0);
  EXPECT_TRUE(two.connect().request("login alice alice-password").ok);
}

TEST_F(SeveralTrackers, TrackersListedTogetherMustShareTheirStore) {
  temp_dir dir;
  const auto list = dir.file("tracker_info.txt");
  std::ofstream(list) << "127.0.0.1:" << free_port() << "\n127.0.0.1:" << free_port() << "\n";
  {
    tracker_process first({list, "1"}, {}, "");  // SQLite in its own data directory
    process second({tracker_binary(), list, "2", "--data-dir", dir.file("other")},
                   dir.file("second.err"));
    EXPECT_EQ(second.wait(30s), 1);
    EXPECT_NE(read_file(dir.file("second.err"))
                  .find("refusing to start: tracker 1 of the list (" + first.address() +
                        ") serves another store"),
              std::string::npos)
        << read_file(dir.file("second.err"));
  }
  // On one PostgreSQL database, they run side by side.
  std::vector<std::string> one_args{list, "1"};
  std::vector<std::string> two_args{list, "2"};
  for (auto* a : {&one_args, &two_args}) a->insert(a->end(), {"--store", database_->conninfo()});
  tracker_process one(one_args, {}, "");
  tracker_process two(two_args, {}, "");
  EXPECT_TRUE(two.connect().request("ping").ok);
}

TEST(TrackerInfo, BadListsAndNumbersAreRefused) {
  temp_dir dir;
  const auto list = dir.file("tracker_info.txt");
  // Port 0 is refused in a list: a list names real addresses.
  std::ofstream(list) << "# two trackers\n1 127.0.0.1:0\n";
  process refused({tracker_binary(), list, "1", "--data-dir", dir.file("d0")}, dir.file("e0"));
  EXPECT_EQ(refused.wait(30s), 2);
  EXPECT_NE(read_file(dir.file("e0")).find("line 2: '127.0.0.1:0': port 0 is not a tracker"),
            std::string::npos);

  std::ofstream(list, std::ios::trunc) << "127.0.0.1:1\n127.0.0.1 2\n";
  process out_of_range({tracker_binary(), list, "3", "--data-dir", dir.file("d1")}, dir.file("e1"));
  EXPECT_EQ(out_of_range.wait(30s), 2);
  EXPECT_NE(read_file(dir.file("e1")).find("lists 2 tracker(s); which one is this (1 to 2)"),
            std::string::npos);
}

// Issue 16: password guesses spread over the trackers of one store count together, and the
// address a user logged in from is known to every tracker.
TEST_F(SeveralTrackers, PasswordGuessesCountTogetherOnEveryTracker) {
  tracker_process one(store_args());
  tracker_process two(store_args());
  ASSERT_TRUE(one.user("alice").request("logout").ok);  // alice used 127.0.0.1, on one
  auto dave = one.user("dave");
  auto carol = two.user("carol");
  const std::string stranger_address = "127.0.0.2";
  line_client stranger(one.host(), one.port(), stranger_address);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(stranger.request("login alice guess" + std::to_string(i)).code, "LOGIN_FAILED");
  }
  // The feed keeps commit order: once carol has dave's message on two, two has counted the
  // five guesses (and learnt alice's address) too.
  ASSERT_TRUE(dave.request("msg carol sync").ok);
  EXPECT_EQ(carol.next_event("MSG").text, "dave sync");
  line_client elsewhere(two.host(), two.port(), stranger_address);
  EXPECT_EQ(elsewhere.request("login alice guess5").code, "RATE_LIMITED");
  auto own = two.connect();
  const auto r = own.request("login alice alice-password");
  EXPECT_TRUE(r.ok) << r.code << " " << r.text;
}

}  // namespace
}  // namespace swarmhub::test
