// C1-C5, T6: who is online, direct messages, rooms, history, pairs, chat.log, limits.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <map>
#include <thread>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

// Makes `owner` own `group` with every one of `members` in it.
void make_group(line_client& owner, const std::string& group, std::vector<line_client*> members,
                const std::vector<std::string>& names) {
  ASSERT_TRUE(owner.request("create_group " + group).ok);
  for (std::size_t i = 0; i < members.size(); ++i) {
    ASSERT_TRUE(members[i]->request("join_group " + group).ok);
    ASSERT_TRUE(owner.request("accept_request " + group + " " + names[i]).ok);
  }
}

TEST(Chat, ListShowsWhoIsOnline) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto anon = tracker.connect();
  auto r = alice.request("/list");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.data, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(r.text, "2 online");
  ASSERT_TRUE(bob.request("logout").ok);
  EXPECT_EQ(alice.request("who").data, std::vector<std::string>{"alice"});
  EXPECT_EQ(anon.request("list").code, "NOT_LOGGED_IN");
}

TEST(Chat, DirectMessageAndEveryError) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto sent = alice.request("/msg bob hello   bob, how are you?");
  EXPECT_TRUE(sent.ok);
  EXPECT_EQ(sent.text, "sent to bob");
  const auto e = bob.next_event("MSG");
  EXPECT_EQ(e.text, "alice hello   bob, how are you?");
  EXPECT_EQ(alice.request("/msg").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice.request("/msg bob").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice.request("/msg nobody hi").code, "NO_SUCH_USER");
  EXPECT_EQ(alice.request("/msg bad/name hi").code, "NO_SUCH_USER");
  EXPECT_EQ(alice.request("/msg bob " + std::string(2001, 'x')).code, "MESSAGE_TOO_LONG");
  EXPECT_EQ(alice.request("/msg bob \x1b[31mred").code, "BAD_ENCODING");
  const auto empty = alice.request(R"(/msg bob "")");  // not two quote characters
  EXPECT_EQ(empty.code, "BAD_ARGUMENTS");
  EXPECT_EQ(empty.text, "empty message");
  EXPECT_EQ(alice.request("/msg Bob tabs\tbecome spaces").text, "sent to bob");
  EXPECT_EQ(bob.next_event("MSG").text, "alice tabs become spaces");
}

TEST(Chat, OfflineDirectMessagesArriveAtLoginOldestFirst) {
  tracker_process tracker;
  { auto bob = tracker.user("bob"); }  // bob exists, then leaves
  auto alice = tracker.user("alice");
  EXPECT_EQ(alice.request("msg bob first").text, "bob is offline; they get it when they log in");
  ASSERT_TRUE(alice.request("msg bob second").ok);
  auto bob = tracker.connect();
  ASSERT_TRUE(bob.request("login bob bob-password").ok);
  EXPECT_EQ(bob.next_event("MSG").text, "alice first");
  EXPECT_EQ(bob.next_event("MSG").text, "alice second");
  // Delivered once: a second login brings nothing again.
  ASSERT_TRUE(bob.request("logout").ok);
  ASSERT_TRUE(bob.request("login bob bob-password").ok);
  ASSERT_TRUE(bob.request("ping").ok);
  for (const auto& ev : bob.events()) EXPECT_NE(ev.name, "MSG") << ev.text;
}

TEST(Chat, LobbyTalkReachesEveryoneLoggedInButTheSender) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto carol = tracker.user("carol");
  auto anon = tracker.connect();
  EXPECT_EQ(alice.request("hello everyone").text, "posted to lobby");
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice hello everyone");
  EXPECT_EQ(carol.next_event("ROOM").text, "lobby alice hello everyone");
  EXPECT_EQ(anon.request("hello?").text, "Received your msg.");  // not logged in: not posted
  ASSERT_TRUE(alice.request("say list is a command, but not after say").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice list is a command, but not after say");
  ASSERT_TRUE(alice.request("ping").ok);
  for (const auto& ev : alice.events()) EXPECT_NE(ev.name, "ROOM");
}

// A line that names no command is `say` with the whole line: same checks, same replies.
TEST(Chat, PlainLineIsSayWithTheWholeLine) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  // Quotes are text, not argument syntax, in both.
  EXPECT_EQ(alice.request("she said \"hi").text, "posted to lobby");
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice she said \"hi");
  EXPECT_EQ(alice.request("say she said \"hi").text, "posted to lobby");
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice she said \"hi");
  const std::string long_text(2001, 'x');
  const auto plain = alice.request(long_text);
  const auto said = alice.request("say " + long_text);
  EXPECT_EQ(plain.code, "MESSAGE_TOO_LONG");
  EXPECT_EQ(plain.text, said.text);
  EXPECT_EQ(plain.code, said.code);
}

TEST(Chat, GroupRoomIsForMembersAndHistoryStartsAtJoining) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  auto eve = tracker.user("eve");
  ASSERT_TRUE(alice.request("create_group rust").ok);
  ASSERT_TRUE(alice.request("room rust").ok);
  ASSERT_TRUE(alice.request("before bob").ok);
  ASSERT_TRUE(bob.request("join_group rust").ok);
  ASSERT_TRUE(alice.request("accept_request rust bob").ok);
  ASSERT_TRUE(alice.request("after bob").ok);
  EXPECT_EQ(bob.next_event("REQUEST_ACCEPTED").text, "rust");
  EXPECT_EQ(bob.next_event("ROOM").text, "rust alice after bob");

  auto history = bob.request("history rust");
  ASSERT_TRUE(history.ok);
  ASSERT_EQ(history.data.size(), 1u);
  EXPECT_TRUE(history.data[0].ends_with("alice: after bob")) << history.data[0];
  EXPECT_EQ(alice.request("history rust 10").data.size(), 2u);
  EXPECT_EQ(alice.request("history rust 1").data.size(), 1u);
  EXPECT_EQ(alice.request("history rust 0").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice.request("history rust x").code, "BAD_ARGUMENTS");
  EXPECT_EQ(alice.request("history nogroup").code, "NO_SUCH_GROUP");
  EXPECT_EQ(alice.request("history pair").code, "BAD_ARGUMENTS");

  // Outsiders neither read nor post.
  EXPECT_EQ(eve.request("history rust").code, "NOT_MEMBER");
  EXPECT_EQ(eve.request("room rust").code, "NOT_MEMBER");
  EXPECT_EQ(eve.request("room nogroup").code, "NO_SUCH_GROUP");
  ASSERT_TRUE(eve.request("ping").ok);
  for (const auto& ev : eve.events()) EXPECT_NE(ev.name, "ROOM") << ev.text;

  // Leaving the group ends the delivery and the reading.
  ASSERT_TRUE(bob.request("room rust").ok);
  ASSERT_TRUE(bob.request("leave_group rust").ok);
  EXPECT_EQ(bob.request("room").text, "you are in lobby");
  ASSERT_TRUE(alice.request("bob is gone").ok);
  EXPECT_EQ(bob.request("history rust").code, "NOT_MEMBER");
  ASSERT_TRUE(bob.request("ping").ok);
  for (const auto& ev : bob.events()) EXPECT_NE(ev.text, "rust alice bob is gone");
}

TEST(Chat, GroupMessagesWhileOfflineArriveAtLoginOldestFirstOnce) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  {
    auto bob = tracker.user("bob");
    make_group(alice, "rust", {&bob}, {"bob"});
    ASSERT_TRUE(bob.request("quit").ok);
  }
  ASSERT_TRUE(alice.request("room rust").ok);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(alice.request("while away " + std::to_string(i)).ok);
  auto bob = tracker.connect();
  ASSERT_TRUE(bob.request("login bob bob-password").ok);
  EXPECT_EQ(bob.read_line(), "* LOGGED_IN bob");  // right after the OK; the backlog came first
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(bob.next_event("ROOM").text, "rust alice while away " + std::to_string(i));
  }
  ASSERT_TRUE(alice.request("live one").ok);
  EXPECT_EQ(bob.next_event("ROOM").text, "rust alice live one");
  ASSERT_TRUE(bob.request("quit").ok);
  EXPECT_TRUE(bob.closed_within());
  // Seen before leaving: the next login brings nothing old again, only what is new.
  ASSERT_TRUE(alice.request("newer").ok);
  auto again = tracker.connect();
  ASSERT_TRUE(again.request("login bob bob-password").ok);
  EXPECT_EQ(again.next_event("ROOM").text, "rust alice newer");
}

// Posts sent in one burst are committed together, but each still gets its own reply, in the
// order of the lines; a command after them sees their effect, and a post after a command
// sees the command's.
TEST(Chat, PipelinedPostsAreAnsweredInOrderAndCommandsWaitForThem) {
  tracker_process tracker({"--chat-rate", "1000", "--chat-burst", "1000"});
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  make_group(alice, "rust", {&bob}, {"bob"});
  ASSERT_TRUE(bob.request("room rust").ok);
  std::string burst;
  for (int i = 1; i <= 50; ++i) burst += "say one " + std::to_string(i) + "\n";
  burst += "history rust 50\nsay " + std::string(3000, 'x') + "\nleave_group rust\nafter leaving\n";
  bob.send_raw(burst);
  for (int i = 1; i <= 50; ++i) {
    const auto r = bob.read_reply();
    ASSERT_TRUE(r.ok) << i << ": " << r.text;
    EXPECT_EQ(r.text, "posted to rust");
  }
  const auto history = bob.read_reply();  // waited for the 50 posts before it
  ASSERT_TRUE(history.ok);
  ASSERT_EQ(history.data.size(), 50u);
  EXPECT_TRUE(history.data.back().ends_with("bob: one 50")) << history.data.back();
  EXPECT_EQ(bob.read_reply().code, "MESSAGE_TOO_LONG");
  EXPECT_TRUE(bob.read_reply().ok);  // left: back in the lobby
  EXPECT_EQ(bob.read_reply().text, "posted to lobby");
  EXPECT_EQ(alice.next_event("JOIN_REQUEST").text, "rust bob");
  for (int i = 1; i <= 50; ++i) {
    EXPECT_EQ(alice.next_event("ROOM").text, "rust bob one " + std::to_string(i));
  }
}

// Requests answered at once (ping, refusals) and a deferred room post in one read: each
// reply keeps its line's place, a ping after the post waits for it, and quit ends the
// replies (issue 20: a read's replies are gathered into one buffer).
TEST(Chat, PipelinedRepliesKeepTheirPlaceAroundADeferredPostAndEndAtQuit) {
  tracker_process tracker({"--chat-rate", "1000", "--chat-burst", "1000"});
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  const long errors = tracker_process::counter(tracker.stats(), "errors_total");
  bob.send_raw("ping\nhello lobby\nping\n/nope\nhelp quit\nsecond\nping\nquit\nping\n");
  EXPECT_EQ(bob.read_reply().text, "pong");
  EXPECT_EQ(bob.read_reply().text, "posted to lobby");
  EXPECT_EQ(bob.read_reply().text, "pong");
  EXPECT_EQ(bob.read_reply().code, "UNKNOWN_COMMAND");
  EXPECT_EQ(bob.read_reply().data.at(0), "usage: quit");
  EXPECT_EQ(bob.read_reply().text, "posted to lobby");
  EXPECT_EQ(bob.read_reply().text, "pong");
  EXPECT_EQ(bob.read_reply().text, "Bye.");
  EXPECT_TRUE(bob.closed_within());
  EXPECT_EQ(alice.next_event("ROOM").text, "lobby bob hello lobby");
  EXPECT_EQ(alice.next_event("ROOM").text, "lobby bob second");
  EXPECT_TRUE(tracker.eventually_stats([errors](const std::string& s) {
    return tracker_process::counter(s, "errors_total") == errors + 1;
  }));
}

TEST(Chat, RoomsAndSwitching) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  ASSERT_TRUE(alice.request("create_group Rust").ok);
  EXPECT_EQ(alice.request("room").text, "you are in lobby");
  EXPECT_EQ(alice.request("room RUST").text, "now in Rust; plain lines go there");
  auto rooms = alice.request("rooms");
  EXPECT_EQ(rooms.data, (std::vector<std::string>{"lobby", "Rust (current)"}));
  EXPECT_EQ(alice.request("room pair").code, "NOT_PAIRED");
  EXPECT_EQ(alice.request("room bad/name").code, "BAD_NAME");
  EXPECT_EQ(alice.request("room lobby").text, "now in lobby; plain lines go there");
}

TEST(Chat, PairQueueWithFiveUsers) {
  tracker_process tracker;
  std::vector<line_client> u;
  for (int i = 1; i <= 5; ++i) u.push_back(tracker.user("u" + std::to_string(i)));
  EXPECT_EQ(u[0].request("/pair").text, "waiting for a partner");
  EXPECT_EQ(u[0].request("/pair").text, "still waiting for a partner");
  EXPECT_EQ(u[1].request("/pair").text, "paired with u1; plain lines go to them");
  EXPECT_EQ(u[0].next_event("PAIRED").text, "u2");
  EXPECT_EQ(u[2].request("/pair").text, "waiting for a partner");
  EXPECT_EQ(u[3].request("/pair").text, "paired with u3; plain lines go to them");
  EXPECT_EQ(u[2].next_event("PAIRED").text, "u4");
  EXPECT_EQ(u[4].request("/pair").text, "waiting for a partner");
  EXPECT_EQ(u[1].request("/pair").code, "ALREADY_PAIRED");

  // Plain lines go to the partner only.
  EXPECT_EQ(u[0].request("just between us").text, "sent to u2");
  EXPECT_EQ(u[1].next_event("PAIR").text, "u1 just between us");
  EXPECT_EQ(u[3].request("say hi three").text, "sent to u3");
  EXPECT_EQ(u[2].next_event("PAIR").text, "u4 hi three");

  // One leaves with unpair while u5 waits (seed 002): the other is told, and is paired with
  // u5 at once.
  EXPECT_EQ(u[1].request("/unpair").text, "left the pair with u1");
  EXPECT_EQ(u[0].next_event("PAIR_ENDED").text, "u2 left");
  EXPECT_EQ(u[0].next_event("PAIRED").text, "u5");
  EXPECT_EQ(u[4].next_event("PAIRED").text, "u1");
  EXPECT_EQ(u[0].request("/pair").text, "you are paired with u5 (unpair first)");
  EXPECT_EQ(u[1].request("room").text, "you are in lobby");

  // Again, the other way round: u2 waits, u5 leaves, u1 is paired with u2.
  EXPECT_EQ(u[1].request("/pair").text, "waiting for a partner");
  EXPECT_EQ(u[4].request("/unpair").text, "left the pair with u1");
  EXPECT_EQ(u[0].next_event("PAIR_ENDED").text, "u5 left");
  EXPECT_EQ(u[0].next_event("PAIRED").text, "u2");
  EXPECT_EQ(u[1].next_event("PAIRED").text, "u1");
  EXPECT_EQ(u[0].request("room").text, "you are in pair");
  EXPECT_EQ(u[1].request("back together").text, "sent to u1");
  EXPECT_EQ(u[0].next_event("PAIR").text, "u2 back together");
  EXPECT_EQ(u[4].request("room").text, "you are in lobby");

  // One disconnects: the other is told.
  u[3].close();
  EXPECT_EQ(u[2].next_event("PAIR_ENDED").event::name, "PAIR_ENDED");
  EXPECT_EQ(u[2].request("still there?").text, "posted to lobby");
  EXPECT_EQ(u[4].request("/unpair").code, "NOT_PAIRED");
}

// Seed 003: a newcomer sees the lobby's history from the point her account exists.
TEST(Chat, LobbyHistoryStartsWhenTheAccountIsMade) {
  tracker_process tracker;
  auto alice = tracker.user("alice");
  ASSERT_TRUE(alice.request("before carol existed").ok);
  auto carol = tracker.user("carol");
  ASSERT_TRUE(alice.request("welcome carol").ok);
  EXPECT_EQ(carol.next_event("ROOM").text, "lobby alice welcome carol");
  const auto mine = carol.request("history lobby");
  ASSERT_TRUE(mine.ok) << mine.text;
  ASSERT_EQ(mine.data.size(), 1u);
  EXPECT_TRUE(mine.data[0].ends_with(" alice: welcome carol")) << mine.data[0];
  EXPECT_EQ(alice.request("history lobby").data.size(), 2u);
}

TEST(Chat, ChatLogHasOneCleanLinePerMessage) {
  temp_dir dir;
  const std::string log = dir.file("chat.log");
  tracker_process logged({"--chat-log", log});
  auto alice = logged.user("alice");
  auto bob = logged.user("bob");
  ASSERT_TRUE(alice.request("hello\tworld").ok);
  EXPECT_EQ(alice.request("evil \x1b]0;pwned\x07 title").code, "BAD_ENCODING");
  ASSERT_TRUE(alice.request("msg bob a secret").ok);
  ASSERT_TRUE(alice.request("pair").ok);
  ASSERT_TRUE(bob.request("pair").ok);
  ASSERT_TRUE(bob.request("talking in pairs").ok);
  alice.request("quit");
  bob.request("quit");
  logged.proc().signal(SIGTERM);
  ASSERT_EQ(logged.proc().wait(), 0);
  const std::string text = read_file(log);
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos;
       start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  ASSERT_EQ(lines.size(), 2u) << text;
  EXPECT_TRUE(lines[0].ends_with("Z [lobby] alice: hello world")) << lines[0];
  EXPECT_TRUE(lines[1].ends_with("Z [pair:bob+alice] bob: talking in pairs")) << lines[1];
  EXPECT_EQ(lines[0].size(),
            std::string("2026-11-21T16:00:24.378Z [lobby] alice: hello world").size());
  EXPECT_EQ(text.find("secret"), std::string::npos);  // direct messages stay out by default
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(Chat, DirectMessagesAreLoggedWhenAsked) {
  temp_dir dir;
  tracker_process tracker({"--chat-log", dir.file("chat.log"), "--log-direct-messages"});
  auto alice = tracker.user("alice");
  auto bob = tracker.user("bob");
  ASSERT_TRUE(alice.request("msg bob a secret").ok);
  tracker.proc().signal(SIGTERM);
  ASSERT_EQ(tracker.proc().wait(), 0);
  EXPECT_NE(read_file(dir.file("chat.log")).find("[dm:alice>bob] alice: a secret"),
            std::string::npos);
}

TEST(Chat, FlooderIsSlowedThenCutOffOthersUnaffected) {
  tracker_process tracker({"--chat-rate", "5", "--chat-burst", "5"});
  auto alice = tracker.user("alice");
  auto flood = tracker.user("flood");
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += "spam " + std::to_string(i) + "\n";
  flood.send_raw(burst);
  int accepted = 0;
  int refused = 0;
  bool cut = false;
  while (auto line = flood.read_line()) {
    if (line->starts_with("OK posted")) ++accepted;
    if (line->starts_with("ERR RATE_LIMITED")) ++refused;
    if (line->starts_with("* CLOSING flood")) cut = true;
  }
  EXPECT_TRUE(cut);
  EXPECT_GE(accepted, 5);
  EXPECT_LT(accepted, 20);
  EXPECT_GE(refused, 40);
  // alice saw only what was accepted and is served as before.
  EXPECT_TRUE(alice.request("ping").ok);
  int seen = 0;
  for (const auto& e : alice.events()) seen += e.name == "ROOM";
  EXPECT_LE(seen, accepted);
  EXPECT_TRUE(alice.request("still fine").ok);
}

TEST(Chat, ReaderThatNeverReadsIsCutOffOthersGetEverything) {
  tracker_process tracker({"--chat-rate", "100000", "--chat-burst", "100000", "--max-output",
                           "65536", "--write-timeout", "60"});
  auto sender = tracker.user("sender");
  auto reader = tracker.user("reader");
  auto hog = tracker.user("hog");
  int rcvbuf = 4096;
  setsockopt(hog.fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  const std::string body(1000, 'm');
  // 6 MB: more than the hog's socket buffers (loopback grows them to 4 MB) and queue hold.
  constexpr int messages = 6000;
  std::thread listening([&] {  // a client that keeps up reads while the messages come
    for (int i = 0; i < messages; ++i) {
      auto e = reader.next_event("ROOM");
      ASSERT_TRUE(e.text.starts_with("lobby sender " + std::to_string(i) + " ")) << i;
    }
  });
  for (int i = 0; i < messages; ++i) {
    sender.send_line(std::to_string(i) + " " + body);
    ASSERT_TRUE(sender.read_reply().ok);
  }
  listening.join();
  // The hog was cut off when its queue passed the limit; the others are still here.
  EXPECT_TRUE(tracker.eventually_stats([](const std::string& s) {
    return tracker_process::counter(s, "cut_off_total") == 1 &&
           tracker_process::counter(s, "clients") == 2;
  }));
  EXPECT_TRUE(sender.request("ping").ok);
}

TEST(Chat, ThousandClientsInOneRoomEachGetsEveryMessageInOrderOnce) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  tracker_process tracker({"--chat-rate", "1000", "--chat-burst", "1000"});
  constexpr int clients = 1000;
  constexpr int senders = 4;
  constexpr int per_sender = 25;
  std::vector<line_client> c;
  c.reserve(clients);
  for (int i = 0; i < clients; ++i) c.push_back(tracker.user("m" + std::to_string(i)));
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int n = 0; n < per_sender; ++n) {
        c[s].send_line("from " + std::to_string(s) + " #" + std::to_string(n));
        if (!c[s].read_reply().ok) ADD_FAILURE() << "post refused";
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> reference;  // the order every listener must see
  for (int i = 0; i < clients; ++i) {
    const int expected = i < senders ? (senders - 1) * per_sender : senders * per_sender;
    std::vector<std::string> got;
    std::map<int, int> next_per_sender;
    while (static_cast<int>(got.size()) < expected) {
      auto e = c[i].read_event(20s);
      ASSERT_TRUE(e) << "client " << i << " got " << got.size() << " of " << expected;
      if (e->name != "ROOM") continue;
      got.push_back(e->text);
      // Each sender's messages in the order sent.
      const int from = e->text[std::string("lobby m0 from ").size()] - '0';
      const int number = std::stoi(e->text.substr(e->text.find('#') + 1));
      ASSERT_EQ(number, next_per_sender[from]++) << "client " << i;
    }
    if (i >= senders) {
      if (reference.empty()) reference = got;
      ASSERT_EQ(got, reference) << "client " << i << " saw another order";
    }
  }
  // Exactly once: nothing more arrives.
  for (int i = 0; i < clients; i += 97) {
    ASSERT_TRUE(c[i].request("ping").ok);
    for (const auto& e : c[i].events())
      ASSERT_NE(e.name, "ROOM") << "client " << i << ": " << e.text;
  }
}

TEST(Chat, TrackerExitsWhenTheLastClientLeavesIfAsked) {
  tracker_process tracker({"--exit-when-empty"});
  {
    auto a = tracker.user("a");
    auto b = tracker.connect();
    ASSERT_TRUE(b.request("ping").ok);  // accepted for sure
    ASSERT_TRUE(a.request("quit").ok);
    EXPECT_FALSE(tracker.proc().wait(0ms));  // b is still here
  }
  EXPECT_EQ(tracker.proc().wait(), 0);
}

// The last client posts and resets its connection at once: the tracker drains and stops its
// I/O threads while the post is still being committed, and the fan-out of that commit is
// posted to threads that have stopped. It must still exit cleanly (each I/O thread's
// leftovers may hold a session of another thread: all are dropped before any thread's
// services go). Several rounds, as the commit's timing varies.
TEST(Chat, TrackerExitsCleanlyWhenTheLastPostCommitsAfterItsPosterLeft) {
  for (int round = 0; round < 10; ++round) {
    tracker_process tracker({"--exit-when-empty"});
    {
      auto a = tracker.user("a");
      a.send_line("say the last word");
      linger abrupt{1, 0};  // close with a reset
      setsockopt(a.fd(), SOL_SOCKET, SO_LINGER, &abrupt, sizeof abrupt);
    }
    ASSERT_EQ(tracker.proc().wait(), 0) << "round " << round;
  }
}

}  // namespace
}  // namespace swarmhub::test
