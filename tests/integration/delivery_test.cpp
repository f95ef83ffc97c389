// Room and direct messages reach each member exactly once across the faults of a tracker (its
// event feed cut, its crash, a failover), and a client leaves a hung tracker. Several trackers on
// one PostgreSQL database (scripts/with-postgres).

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "client_process.hpp"
#include "postgres.hpp"
#include "process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> event_texts(client_process& c, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& e : c.events()) {
    if (e.name == name) out.push_back(e.text);
  }
  return out;
}

std::vector<std::string> room_texts(client_process& c) {
  return event_texts(c, "ROOM");
}

// Every event but chat, for a failure's message: where the client went and what it was told.
std::string other_events(client_process& c) {
  std::string out;
  for (const auto& e : c.events()) {
    if (e.name != "ROOM" && e.name != "MSG") out += "* " + e.name + " " + e.text + "\n";
  }
  return out;
}

bool has_event(client_process& c, const std::string& name, const std::string& part = "") {
  for (const auto& e : c.events()) {
    if (e.name == name && e.text.find(part) != std::string::npos) return true;
  }
  return false;
}

// A tracker_info.txt of two trackers on ports free now.
std::string two_tracker_list(temp_dir& dir) {
  const auto list = dir.file("tracker_info.txt");
  std::ofstream(list) << "1 tcp://127.0.0.1:" << free_port()
                      << "\n2 tcp://127.0.0.1:" << free_port() << "\n";
  return list;
}

class Delivery : public ::testing::Test {
 protected:
  void SetUp() override {
    SWARMHUB_REQUIRE_POSTGRES();
    database_ = std::make_unique<postgres_database>();
  }
  // A burst of `total` posts is not held back by the flood gate.
  std::vector<std::string> args(std::vector<std::string> more = {}) {
    std::vector<std::string> out{"--store", database_->conninfo(), "--chat-burst",
                                 "1000",    "--chat-rate",         "1000"};
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  // Alice's group g takes in Bob (a client process), and Alice talks in its room.
  static void admit(line_client& alice, client_process& bob) {
    ASSERT_TRUE(alice.request("create_group g").ok);
    ASSERT_TRUE(bob.request("join_group g").ok);
    ASSERT_TRUE(alice.request("accept_request g bob").ok);
    for (const auto end = std::chrono::steady_clock::now() + 10s;
         !has_event(bob, "REQUEST_ACCEPTED") && std::chrono::steady_clock::now() < end;) {
      ASSERT_TRUE(bob.request("ping").ok);
    }
    ASSERT_TRUE(alice.request("room g").ok);
  }
  // Tracker `n` of the tracker list `list`, on this test's database.
  std::unique_ptr<tracker_process> listed(const std::string& list, const char* n,
                                          std::vector<std::string> more) {
    std::vector<std::string> all{list, n};
    const auto common = args(std::move(more));
    all.insert(all.end(), common.begin(), common.end());
    return std::make_unique<tracker_process>(all, std::string(), std::string());
  }
  static std::vector<std::string> lease_of(int seconds) {
    return {"--login-lease", std::to_string(seconds)};
  }
  // `listener` joins `owner`'s group g; both are in its room.
  static void share_room(line_client& owner, line_client& listener, const std::string& name) {
    ASSERT_TRUE(owner.request("create_group g").ok);
    ASSERT_TRUE(listener.request("join_group g").ok);
    ASSERT_TRUE(owner.request("accept_request g " + name).ok);
    ASSERT_EQ(listener.next_event("REQUEST_ACCEPTED").text, "g");
    ASSERT_TRUE(owner.request("room g").ok);
    ASSERT_TRUE(listener.request("room g").ok);
  }
  // The texts of the next `n` events called `name` (fewer if they stop coming).
  static std::vector<std::string> next_events(line_client& c, const std::string& name,
                                              std::size_t n) {
    std::vector<std::string> out;
    while (out.size() < n) {
      const auto e = c.read_event(15s);
      if (!e) break;
      if (e->name == name) out.push_back(e->text);
    }
    return out;
  }
  static std::vector<std::string> room_events(line_client& c, std::size_t n) {
    return next_events(c, "ROOM", n);
  }
  static std::vector<std::string> posts(int from, int to) {
    std::vector<std::string> out;
    for (int k = from; k < to; ++k) out.push_back("g alice m" + std::to_string(k));
    return out;
  }

  std::unique_ptr<postgres_database> database_;
};

TEST_F(Delivery, ACutListenConnectionLosesNoRoomMessage) {
  tracker_process one(args());
  tracker_process two(args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  share_room(alice, bob, "bob");
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  ASSERT_GE(database_->cut_listeners(), 2);  // mid-burst, one per tracker
  for (int k = 20; k < 60; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  EXPECT_EQ(room_events(bob, 60), posts(0, 60));
  // Nothing twice: the next event after the 60 is the one asked for now.
  ASSERT_TRUE(alice.request("say last").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "g alice last");
}

// Direct messages committed while the recipient's tracker was not listening come from the
// store once it listens again: each once, in order, without a new login.
TEST_F(Delivery, ACutListenConnectionLosesNoDirectMessage) {
  tracker_process one(args());
  tracker_process two(args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  std::vector<std::string> sent;
  const auto send = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      ASSERT_TRUE(alice.request("msg bob d" + std::to_string(k)).ok);
      sent.push_back("alice d" + std::to_string(k));
    }
  };
  send(0, 20);
  ASSERT_GE(database_->cut_listeners(), 2);  // mid-burst, one per tracker
  send(20, 60);
  EXPECT_EQ(next_events(bob, "MSG", 60), sent);
  // Through the refill (d20 at least was sent while bob's tracker was not listening). The
  // refill logs after handing the messages to bob's session, so bob may read them first.
  EXPECT_TRUE(two.eventually_stats([&](const std::string&) {
    return two.log().find("direct messages it missed went to") != std::string::npos;
  })) << two.log();
  // Nothing twice: the next message after the 60 is the one sent now.
  ASSERT_TRUE(alice.request("msg bob last").ok);
  EXPECT_EQ(bob.next_event("MSG").text, "alice last");
}

// A direct message that took its id before the messages of a backlog and commits while its
// recipient is being given that backlog a page at a time (the session takes no live message
// then, so its live offer goes nowhere) comes with the backlog, not only at the next login. Here
// bob does not read, so the backlog stays in its middle while it commits.
TEST_F(Delivery, ADirectMessageCommittedLateDuringABacklogComesWithIt) {
  tracker_process one(args({"--max-message", "6000"}));
  auto alice = one.user("alice");
  ASSERT_TRUE(one.connect().request("create_user bob bob-password").ok);
  postgres_session late(database_->conninfo());
  late.run("BEGIN");
  late.run(
      "WITH m AS (INSERT INTO direct_messages(sender_id, recipient_id, body, sent_at_ms) "
      "SELECT a.id, b.id, 'late', 0 FROM users a, users b WHERE a.name = 'alice' AND b.name = "
      "'bob' RETURNING id) SELECT pg_notify('swarmhub_events', 'dm' || chr(9) || id || chr(9) || "
      "'alice' || chr(9) || 'bob' || chr(9) || '0' || chr(9) || 'late') FROM m");
  // 17.7 MB, more than loopback's socket buffers take while bob does not read; 43 a page.
  constexpr int count = 3000;
  const std::string body(5'900, 'x');
  std::vector<std::string> sent;
  for (int k = 0; k < count; ++k) {
    ASSERT_TRUE(alice.request("msg bob " + std::to_string(k) + body).ok);
    sent.push_back("alice " + std::to_string(k) + body);
  }
  auto bob = one.user("bob");
  late.run("COMMIT");
  auto got = next_events(bob, "MSG", count + 1);
  // Once, and the others in the order they were sent.
  EXPECT_EQ(std::erase(got, "alice late"), 1u);
  EXPECT_TRUE(got == sent);
  // Nothing twice.
  ASSERT_TRUE(alice.request("msg bob after").ok);
  EXPECT_EQ(bob.next_event("MSG").text, "alice after");
}

// A member the owner removes while the member's tracker is not listening is removed there too
// once it listens again: told so, out of the room, before the room's next message.
TEST_F(Delivery, AMemberRemovedWhileTheFeedIsCutLeavesTheRoomWhenItComesBack) {
  tracker_process one(args());
  tracker_process two(args());
  auto alice = one.user("alice");
  auto bob = two.user("bob");
  share_room(alice, bob, "bob");
  ASSERT_GE(database_->cut_listeners(), 2);
  ASSERT_TRUE(alice.request("remove_member g bob").ok);  // while bob's tracker reconnects
  EXPECT_EQ(bob.next_event("REMOVED_FROM").text, "g alice");
  ASSERT_TRUE(alice.request("say secret").ok);  // in g, alice's room
  ASSERT_TRUE(alice.request("room lobby").ok);
  ASSERT_TRUE(alice.request("say public").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice public");
  EXPECT_NE(two.log().find("memberships it missed were applied"), std::string::npos) << two.log();
}

TEST_F(Delivery, ACrashDoesNotRepeatWhatWasSeenLiveAtTheNextLogin) {
  tracker_process one(args({"--login-lease", "1"}));
  tracker_process two(args({"--login-lease", "1"}));
  auto alice = two.user("alice");
  auto bob = one.user("bob");
  share_room(alice, bob, "bob");
  for (int k = 0; k < 20; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  ASSERT_EQ(room_events(bob, 20), posts(0, 20));
  // Bob's tracker stores how far he has read as he reads, not only when he leaves: wait
  // for it (the store is the only witness), then crash that tracker.
  const std::string last = database_->query_text("SELECT max(id) FROM room_messages");
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (database_->query_text(
             "SELECT m.seen_message FROM memberships m JOIN users u ON u.id = m.user_id "
             "WHERE u.name = 'bob'") != last &&
         std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(alice.request("ping").ok);  // a round trip between looks
  }
  one.proc().signal(SIGKILL);
  ASSERT_TRUE(one.proc().wait(10s));
  ASSERT_TRUE(alice.request("say after").ok);
  // Bob comes back on the other tracker once his dead tracker's lease lapses.
  std::optional<line_client> again;
  for (const auto end = std::chrono::steady_clock::now() + 20s;
       !again && std::chrono::steady_clock::now() < end;) {
    auto c = two.connect();
    if (c.request("login bob bob-password").ok) again.emplace(std::move(c));
  }
  ASSERT_TRUE(again) << "the lease should have lapsed";
  EXPECT_EQ(again->next_event("ROOM").text, "g alice after");  // missed: given; seen: not
}

TEST_F(Delivery, AFailoverMidBurstGivesEachMessageOnceInOneOrder) {
  temp_dir dir;
  const auto list = two_tracker_list(dir);
  auto start = [&](const char* n) { return listed(list, n, lease_of(30)); };
  auto one = start("1");
  auto two = start("2");
  client_process bob(list);  // on tracker 1, the first of the list
  bob.log_in("bob");
  auto alice = two->user("alice");
  ASSERT_NO_FATAL_FAILURE(admit(alice, bob));
  for (int k = 0; k < 30; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  one->proc().signal(SIGKILL);  // mid-burst: Bob's client moves to tracker 2
  ASSERT_TRUE(one->proc().wait(10s));
  for (int k = 30; k < 60; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  for (const auto end = std::chrono::steady_clock::now() + 30s;
       room_texts(bob).size() < 60 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  ASSERT_TRUE(alice.request("say last").ok);
  for (const auto end = std::chrono::steady_clock::now() + 10s;
       room_texts(bob).size() < 61 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  auto expected = posts(0, 60);
  expected.push_back("g alice last");
  EXPECT_EQ(room_texts(bob), expected) << other_events(bob) << bob.log_tail();
}

TEST_F(Delivery, AFailoverMidBurstGivesEachDirectMessageOnceInOneOrder) {
  temp_dir dir;
  const auto list = two_tracker_list(dir);
  auto start = [&](const char* n) { return listed(list, n, lease_of(30)); };
  auto one = start("1");
  auto two = start("2");
  client_process bob(list);  // on tracker 1, the first of the list
  bob.log_in("bob");
  auto alice = two->user("alice");
  std::vector<std::string> expected;
  const auto send = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      ASSERT_TRUE(alice.request("msg bob d" + std::to_string(k)).ok);
      expected.push_back("alice d" + std::to_string(k));
    }
  };
  send(0, 30);
  one->proc().signal(SIGKILL);  // mid-burst: Bob's client moves to tracker 2
  ASSERT_TRUE(one->proc().wait(10s));
  send(30, 60);
  for (const auto end = std::chrono::steady_clock::now() + 30s;
       event_texts(bob, "MSG").size() < 60 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  send(60, 61);
  for (const auto end = std::chrono::steady_clock::now() + 10s;
       event_texts(bob, "MSG").size() < 61 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  EXPECT_EQ(event_texts(bob, "MSG"), expected) << other_events(bob) << bob.log_tail();
}

// A tracker that hangs (SIGSTOP) mid-burst is left by its clients; when it wakes up again it
// neither repeats what the other tracker delivered nor takes the user back.
TEST_F(Delivery, AHungTrackerMidBurstGivesEachMessageOnceInOneOrder) {
  temp_dir dir;
  const auto list = two_tracker_list(dir);
  auto start = [&](const char* n) { return listed(list, n, lease_of(3)); };
  auto one = start("1");
  auto two = start("2");
  client_process bob(list);  // on tracker 1, the first of the list
  bob.log_in("bob");
  auto alice = two->user("alice");
  ASSERT_NO_FATAL_FAILURE(admit(alice, bob));
  for (int k = 0; k < 30; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  one->proc().signal(SIGSTOP);  // mid-burst: Bob's client gives up on it and moves to 2
  for (int k = 30; k < 60; ++k) ASSERT_TRUE(alice.request("say m" + std::to_string(k)).ok);
  for (const auto end = std::chrono::steady_clock::now() + 40s;
       room_texts(bob).size() < 60 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping", 10s);
  }
  one->proc().signal(SIGCONT);
  ASSERT_TRUE(alice.request("say last").ok);
  for (const auto end = std::chrono::steady_clock::now() + 10s;
       room_texts(bob).size() < 61 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  auto expected = posts(0, 60);
  expected.push_back("g alice last");
  EXPECT_EQ(room_texts(bob), expected) << bob.log_tail();
  EXPECT_TRUE(bob.request("whoami").ok);
}

TEST_F(Delivery, AHungTrackerMidBurstGivesEachDirectMessageOnceInOneOrder) {
  temp_dir dir;
  const auto list = two_tracker_list(dir);
  auto start = [&](const char* n) { return listed(list, n, lease_of(3)); };
  auto one = start("1");
  auto two = start("2");
  client_process bob(list);  // on tracker 1, the first of the list
  bob.log_in("bob");
  auto alice = two->user("alice");
  std::vector<std::string> expected;
  const auto send = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      ASSERT_TRUE(alice.request("msg bob d" + std::to_string(k)).ok);
      expected.push_back("alice d" + std::to_string(k));
    }
  };
  send(0, 30);
  one->proc().signal(SIGSTOP);  // mid-burst: Bob's client gives up on it and moves to 2
  send(30, 60);
  for (const auto end = std::chrono::steady_clock::now() + 40s;
       event_texts(bob, "MSG").size() < 60 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping", 30s);  // the first waits for the timeout and the failover
  }
  one->proc().signal(SIGCONT);
  send(60, 61);
  for (const auto end = std::chrono::steady_clock::now() + 10s;
       event_texts(bob, "MSG").size() < 61 && std::chrono::steady_clock::now() < end;) {
    bob.request("ping");
  }
  EXPECT_EQ(event_texts(bob, "MSG"), expected) << other_events(bob) << bob.log_tail();
  EXPECT_TRUE(bob.request("whoami").ok);
}

TEST_F(Delivery, AClientLeavesAStoppedTrackerWithinTenSeconds) {
  temp_dir dir;
  const auto list = two_tracker_list(dir);
  auto start = [&](const char* n) {
    std::vector<std::string> all{list, n, "--store", database_->conninfo()};
    return std::make_unique<tracker_process>(all, std::string(), std::string());
  };
  auto one = start("1");
  auto two = start("2");
  client_process alice(list);
  alice.log_in("alice");
  one->proc().signal(SIGSTOP);
  const auto stopped = std::chrono::steady_clock::now();
  const std::string moved = "now on " + two->client_address();
  while (!has_event(alice, "NOTICE", moved) && std::chrono::steady_clock::now() < stopped + 30s) {
    alice.request("ping", 30s);  // the first waits for the timeout, then fails
  }
  const auto took = std::chrono::steady_clock::now() - stopped;
  one->proc().signal(SIGCONT);
  ASSERT_TRUE(has_event(alice, "NOTICE", moved)) << alice.log_tail();
  EXPECT_LT(took, 10s);
  EXPECT_TRUE(alice.request("ping").ok);
}

// A direct message counts as delivered once it is written to the recipient's connection, not
// when it is sent: what a tracker still held for a connection it lost comes at the next login,
// and what was written does not come again.
TEST_F(Delivery, DirectMessagesNotWrittenComeAtTheNextLoginAndOthersNever) {
  // Bob reads nothing: his output fills up and the tracker cuts him off with messages queued.
  // Alice may send faster than the default chat rate (1,000 a second): not what is tested.
  tracker_process one(std::vector<std::string>{"--store", database_->conninfo(), "--max-output",
                                               "16384", "--chat-rate", "1000000", "--chat-burst",
                                               "1000000"});
  auto alice = one.user("alice");
  auto bob = one.user("bob");
  const std::string padding(1000, 'x');
  std::vector<std::string> sent;
  bool cut = false;
  for (int k = 0; k < 20000 && !cut; ++k) {
    const auto text = "d" + std::to_string(k) + " " + padding;
    const auto reply = alice.request("msg bob " + text);
    ASSERT_TRUE(reply.ok) << reply.text;
    sent.push_back("alice " + text);
    cut = reply.text.find("offline") != std::string::npos;
  }
  ASSERT_TRUE(cut) << "bob's connection should have been cut off";
  std::vector<std::string> got;
  while (const auto e = bob.read_event(5s)) {  // what was written to him, up to the cut
    if (e->name == "MSG") got.push_back(e->text);
  }
  const auto first_connection = got.size();
  auto again = one.connect();
  ASSERT_TRUE(again.request("login bob bob-password").ok);
  // The backlog comes a page at a time as Bob reads.
  while (got.size() < sent.size()) {
    const auto e = again.read_event(5s);
    if (!e) break;
    if (e->name == "MSG") got.push_back(e->text);
  }
  ASSERT_TRUE(again.request("ping").ok);  // and nothing more after it
  for (const auto& e : again.events()) EXPECT_NE(e.name, "MSG") << e.text;
  EXPECT_LT(first_connection, sent.size());
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_TRUE(got == sent) << "each direct message once, in the order sent";
}

}  // namespace
}  // namespace swarmhub::test
