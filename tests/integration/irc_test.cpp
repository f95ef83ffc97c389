// The tracker speaks IRC (docs/protocol.md, "IRC"): registration, CAP and SASL, every error
// numeric, rooms as channels and direct messages between IRC and line-protocol users, history.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "deadline.hpp"
#include "swarmhub/util/base64.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

// An IRC client over line_client: sends CR LF lines, waits for the line it expects.
class irc_client {
 public:
  explicit irc_client(line_client c) : c_(std::move(c)) {}

  void send(const std::string& line) { c_.send_raw(line + "\r\n"); }

  // The next line holding `needle`; the lines before it are kept in passed(). Fails the test
  // (and returns "") when none comes.
  std::string expect(const std::string& needle) {
    for (;;) {
      auto line = c_.read_line();
      if (!line) {
        ADD_FAILURE() << "no line with '" << needle << "'";
        return {};
      }
      if (line->ends_with('\r')) line->pop_back();
      if (line->find(needle) != std::string::npos) return *line;
      passed_.push_back(*line);
    }
  }
  // A line holding `needle` that expect() passed over, or else the next one to come.
  std::string seen_or_expect(const std::string& needle) {
    for (auto it = passed_.begin(); it != passed_.end(); ++it) {
      if (it->find(needle) == std::string::npos) continue;
      std::string line = *it;
      passed_.erase(it);
      return line;
    }
    return expect(needle);
  }
  // The very next line.
  std::string next() {
    auto line = c_.read_line();
    if (!line) return {};
    if (line->ends_with('\r')) line->pop_back();
    return *line;
  }
  bool closed() { return c_.closed_within(); }
  std::vector<std::string>& passed() { return passed_; }
  line_client& raw() { return c_; }

 private:
  line_client c_;
  std::vector<std::string> passed_;
};

// Makes the account (name, name + "-password") without logging it in.
void make_user(tracker_process& tracker, const std::string& name) {
  auto c = tracker.connect();
  ASSERT_TRUE(c.request("create_user " + name + " " + name + "-password").ok);
}

std::string sasl_plain(const std::string& user, const std::string& password) {
  return util::to_base64(user + '\0' + user + '\0' + password);
}

// Registered with PASS user:password; the welcome and the join of #lobby are read.
irc_client irc_user(tracker_process& tracker, const std::string& name,
                    const std::string& caps = {}) {
  irc_client c(tracker.connect());
  if (!caps.empty()) {
    c.send("CAP LS 302");
    c.send("CAP REQ :" + caps);
  }
  c.send("PASS " + name + ":" + name + "-password");
  c.send("NICK " + name);
  c.send("USER " + name + " 0 * :" + name);
  if (!caps.empty()) {
    c.expect("CAP " + std::string("* ACK"));
    c.send("CAP END");
  }
  c.expect(" 001 " + name + " ");
  c.expect(" 366 " + name + " #lobby ");
  return c;
}

TEST(Irc, RegistersWithPassUserPassword) {
  tracker_process tracker;
  make_user(tracker, "alice");
  irc_client c(tracker.connect());
  c.send("PASS alice:alice-password");
  c.send("NICK Alice");
  c.send("USER alice 0 * :Alice A");
  // 001 names the account as it is spelled: the nick is the account.
  EXPECT_EQ(c.expect(" 001 "), ":swarmhub 001 alice :Welcome to swarmhub, alice");
  c.expect(" 002 alice ");
  c.expect(" 003 alice ");
  c.expect(" 004 alice ");
  EXPECT_NE(c.expect(" 005 alice ").find("CHATHISTORY=500"), std::string::npos);
  c.expect(" 422 alice ");
  EXPECT_EQ(c.next(), ":alice!alice@swarmhub JOIN #lobby");
  EXPECT_EQ(c.next(), ":swarmhub 353 alice = #lobby alice");
  c.expect(" 366 alice #lobby ");
  c.send("PING :are-you-there");
  EXPECT_EQ(c.expect("PONG"), ":swarmhub PONG swarmhub are-you-there");
  c.send("QUIT :bye");
  EXPECT_EQ(c.expect("ERROR"), "ERROR :Closing link: quit");
  EXPECT_TRUE(c.closed());
}

// Waits until every thread of `pid` is stopped (SIGSTOP), reading its state in /proc.
void wait_until_stopped(pid_t pid) {
  for (const auto end = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < end;) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto after_name = line.rfind(')');
    if (after_name != std::string::npos && line.compare(after_name, 3, ") T") == 0) return;
  }
  FAIL() << "the tracker did not stop";
}

// A client whose first lines are there before the tracker gets to its connection (a loaded
// tracker; here a stopped one, greeting at once) chooses its protocol with them: the greeting
// on delay is for connections that say nothing (a loaded CI run failed the IRC tests so).
TEST(Irc, AClientThatSpokeBeforeTheTrackerLookedIsNotGreetedAsALineClient) {
  tracker_process tracker({"--greeting-delay", "0"});
  make_user(tracker, "alice");
  tracker.proc().signal(SIGSTOP);
  wait_until_stopped(tracker.proc().pid());
  irc_client c(tracker.connect());  // the kernel completes the connection meanwhile
  c.send("PASS alice:alice-password");
  c.send("NICK alice");
  c.send("USER alice 0 * :Alice");
  tracker.proc().signal(SIGCONT);
  EXPECT_EQ(c.expect(" 001 "), ":swarmhub 001 alice :Welcome to swarmhub, alice")
      << ::testing::PrintToString(c.passed());
  // One that says nothing is still greeted, at once with this delay.
  auto quiet = line_client(tracker.host(), tracker.port(), false);
  const auto hello = quiet.read_line();
  ASSERT_TRUE(hello.has_value());
  EXPECT_TRUE(hello->starts_with("* HELLO swarmhub 1")) << *hello;
}

TEST(Irc, CapNegotiationAndSasl) {
  tracker_process tracker;
  make_user(tracker, "alice");
  irc_client c(tracker.connect());
  c.send("CAP LS 302");
  EXPECT_EQ(c.expect("CAP"),
            ":swarmhub CAP * LS :account-tag away-notify batch cap-notify draft/chathistory "
            "echo-message message-tags sasl=PLAIN server-time");
  c.send("NICK alice");
  c.send("USER alice 0 * :Alice");
  c.send("CAP REQ :sasl no-such-cap");
  EXPECT_EQ(c.expect("CAP"), ":swarmhub CAP alice NAK :sasl no-such-cap");
  c.send("CAP REQ :sasl server-time");
  EXPECT_EQ(c.expect("CAP"), ":swarmhub CAP alice ACK :sasl server-time");
  c.send("AUTHENTICATE SCRAM-SHA-256");
  EXPECT_EQ(c.expect(" 908 "), ":swarmhub 908 alice PLAIN :are available SASL mechanisms");
  c.expect(" 904 alice ");
  c.send("AUTHENTICATE PLAIN");
  EXPECT_EQ(c.expect("AUTHENTICATE"), "AUTHENTICATE +");
  c.send("AUTHENTICATE " + sasl_plain("alice", "wrong-password"));
  EXPECT_NE(c.expect(" 904 alice ").find("LOGIN_FAILED"), std::string::npos);
  c.send("AUTHENTICATE PLAIN");
  c.expect("AUTHENTICATE +");
  c.send("AUTHENTICATE *");
  c.expect(" 906 alice ");
  c.send("AUTHENTICATE PLAIN");
  c.expect("AUTHENTICATE +");
  c.send("AUTHENTICATE " + sasl_plain("alice", "alice-password"));
  EXPECT_EQ(c.expect(" 900 "),
            ":swarmhub 900 alice alice!alice@swarmhub alice :You are now logged in as alice");
  c.expect(" 903 alice ");
  c.send("AUTHENTICATE PLAIN");
  c.expect(" 907 alice ");
  c.send("CAP LIST");
  EXPECT_EQ(c.expect("CAP"), ":swarmhub CAP alice LIST :cap-notify sasl server-time");
  // The version is a number: a later one is 302 and more, an earlier or no number is not.
  c.send("CAP LS 1000");
  EXPECT_NE(c.expect("CAP").find("sasl=PLAIN"), std::string::npos);
  c.send("CAP LS 301");
  EXPECT_EQ(c.expect("CAP").find("sasl=PLAIN"), std::string::npos);
  c.send("CAP LS 30x");
  EXPECT_EQ(c.expect("CAP").find("sasl=PLAIN"), std::string::npos);
  // Registration waits for CAP END.
  c.send("CAP END");
  c.expect(" 001 alice ");
  const auto join = c.expect("JOIN #lobby");
  EXPECT_TRUE(join.starts_with("@time=")) << join;  // server-time
}

TEST(Irc, EveryErrorNumeric) {
  tracker_process tracker;
  make_user(tracker, "alice");
  make_user(tracker, "bob");
  {
    irc_client c(tracker.connect());
    c.send("NICK bad/name");
    EXPECT_EQ(c.expect(" 432 "),
              ":swarmhub 432 * bad/name :Erroneous nickname: 1-32 of A-Z a-z 0-9 _ . - starting "
              "with a letter or digit");
    c.send("NICK");
    c.expect(" 431 * ");
    c.send("USER onlyone");
    EXPECT_EQ(c.expect(" 461 "), ":swarmhub 461 * USER :Not enough parameters");
    c.send("PRIVMSG #lobby :too early");
    c.expect(" 451 * :You have not registered");
    c.send("CAP FROB");
    c.expect(" 410 * FROB ");
    c.send("PING " + std::string(600, 'x'));
    c.expect(" 417 * ");
    c.send("PING :caf\xc3");
    c.expect("FAIL * INVALID_UTF8");
    c.send("PING :\x1b[31m");
    c.expect("FAIL * INVALID_TEXT");
    // No SASL, no PASS: no account, no registration.
    c.send("NICK alice");
    c.send("USER alice 0 * :Alice");
    c.expect(" 464 alice ");
    c.expect("ERROR :Closing link: not logged in");
    EXPECT_TRUE(c.closed());
  }
  {
    irc_client c(tracker.connect());
    c.send("PASS alice:not-her-password");
    c.send("NICK alice");
    c.send("USER alice 0 * :Alice");
    EXPECT_NE(c.expect(" 464 alice ").find("LOGIN_FAILED"), std::string::npos);
    EXPECT_TRUE(c.closed());
  }
  auto c = irc_user(tracker, "alice");
  c.send("USER again 0 * :again");
  c.expect(" 462 alice ");
  c.send("PASS x");
  c.expect(" 462 alice ");
  c.send("NICK carol");
  c.expect(" 432 alice carol ");
  c.send("FROBNICATE");
  EXPECT_EQ(c.expect(" 421 "), ":swarmhub 421 alice FROBNICATE :Unknown command");
  c.send("PRIVMSG");
  c.expect(" 411 alice ");
  c.send("PRIVMSG #lobby");
  c.expect(" 412 alice ");
  c.send("PRIVMSG nobody :hello?");
  c.expect(" 401 alice nobody ");
  c.send("PRIVMSG #elsewhere :hello?");
  c.expect(" 404 alice #elsewhere ");
  c.send("JOIN #no-such-group");
  c.expect(" 403 alice #no-such-group ");
  c.send("PART #elsewhere");
  c.expect(" 442 alice #elsewhere ");
  c.send("JOIN");
  c.expect(" 461 alice JOIN ");
  c.send("AUTHENTICATE PLAIN");
  c.expect(" 907 alice ");
  c.send("CHATHISTORY BEFORE #lobby timestamp=2026-01-01 10");
  c.expect("FAIL CHATHISTORY INVALID_PARAMS BEFORE ");
  // One live login per user across every kind of connection.
  auto line_alice = tracker.connect();
  EXPECT_EQ(line_alice.request("login alice alice-password").code, "ALREADY_ONLINE");
  auto line_bob = tracker.user("bob");
  irc_client twin(tracker.connect());
  twin.send("PASS bob:bob-password");
  twin.send("NICK bob");
  twin.send("USER bob 0 * :Bob");
  EXPECT_NE(twin.expect(" 433 bob bob ").find("ALREADY_ONLINE"), std::string::npos);
  EXPECT_TRUE(twin.closed());
}

TEST(Irc, LobbyAndGroupChatBetweenIrcAndLineUsers) {
  tracker_process tracker;
  make_user(tracker, "alice");
  auto bob = tracker.user("bob");
  auto alice = irc_user(tracker, "alice", "echo-message account-tag message-tags");
  EXPECT_EQ(bob.next_event("JOINED").text, "lobby alice");
  // Lobby, both ways.
  alice.send("PRIVMSG #lobby :hello from irc");
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice hello from irc");
  const auto echo = alice.expect("PRIVMSG #lobby");
  EXPECT_TRUE(echo.starts_with("@msgid=")) << echo;
  EXPECT_TRUE(echo.ends_with(";account=alice :alice!alice@swarmhub PRIVMSG #lobby :hello from irc"))
      << echo;
  ASSERT_TRUE(bob.request("say hello from the line").ok);
  const auto got = alice.expect("PRIVMSG #lobby");
  EXPECT_TRUE(got.starts_with("@msgid=")) << got;
  EXPECT_TRUE(got.ends_with(";account=bob :bob!bob@swarmhub PRIVMSG #lobby :hello from the line"))
      << got;
  // A group made through the service nick: alice owns it, bob asks, alice lets him in.
  alice.send("PRIVMSG swarmhub :create crew");
  alice.expect("NOTICE alice :group crew created");
  alice.expect("JOIN #crew");
  ASSERT_TRUE(bob.request("join_group crew").ok);
  EXPECT_EQ(alice.expect("asks to join"),
            ":swarmhub!swarmhub@swarmhub NOTICE alice :bob asks to join crew: /msg swarmhub "
            "accept crew bob (or reject)");
  alice.send("PRIVMSG swarmhub :accept crew bob");
  // The JOIN is announced in the store job that lets bob in, so it may come before the reply.
  alice.expect(":bob!bob@swarmhub JOIN #crew");
  alice.seen_or_expect("NOTICE alice :bob is now a member of crew");
  EXPECT_EQ(bob.next_event("REQUEST_ACCEPTED").text, "crew");
  ASSERT_TRUE(bob.request("room crew").ok);
  ASSERT_TRUE(bob.request("say in the crew").ok);
  EXPECT_TRUE(
      alice.expect("PRIVMSG #crew").ends_with(" :bob!bob@swarmhub PRIVMSG #crew :in the crew"));
  alice.send("PRIVMSG #crew :crew, from irc");
  EXPECT_EQ(bob.next_event("ROOM").text, "crew alice crew, from irc");
  alice.send("PRIVMSG #lobby :and the lobby again");
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice and the lobby again");
  // NAMES, WHO and LIST answer from presence and groups.
  alice.send("NAMES #crew");
  EXPECT_EQ(alice.expect(" 353 "), ":swarmhub 353 alice = #crew :alice bob");
  alice.send("WHO #lobby");
  alice.expect(" 352 alice #lobby alice ");
  alice.expect(" 352 alice #lobby bob ");
  alice.expect(" 315 alice #lobby ");
  alice.send("LIST");
  alice.expect(" 322 alice #lobby 2 ");
  alice.expect(" 322 alice #crew 2 ");
  alice.expect(" 323 alice ");
  // A non-member's JOIN asks the owner, and says so.
  make_user(tracker, "carol");
  auto carol = irc_user(tracker, "carol");
  carol.send("JOIN #crew");
  EXPECT_EQ(carol.expect(" 473 "),
            ":swarmhub 473 carol #crew :Cannot join channel: you are not a member; asked alice "
            "to let you into crew");
  alice.expect("carol asks to join crew");
  // Presence: bob going offline is a QUIT.
  bob.close();
  alice.expect(":bob!bob@swarmhub QUIT :went offline");
}

// The service nick's other words, each answering as its line-protocol command does: pair
// chat both ways, a group's mode, its files, the passkey, and leave, which parts the channel.
TEST(Irc, ServiceNickPairChatModeFilesPasskeyAndLeave) {
  tracker_process tracker;
  make_user(tracker, "alice");
  auto bob = tracker.user("bob");
  auto alice = irc_user(tracker, "alice");
  alice.send("PRIVMSG swarmhub :pair");
  alice.expect("NOTICE alice :waiting for a partner");
  EXPECT_EQ(bob.request("/pair").text, "paired with alice; plain lines go to them");
  alice.expect("NOTICE alice :paired with bob: /msg swarmhub say <text> talks to them");
  alice.send("PRIVMSG swarmhub :say hello, pair");
  alice.expect("NOTICE alice :sent to bob");
  EXPECT_EQ(bob.next_event("PAIR").text, "alice hello, pair");
  EXPECT_EQ(bob.request("and back").text, "sent to alice");
  EXPECT_EQ(alice.expect("PRIVMSG alice"),
            ":swarmhub!swarmhub@swarmhub PRIVMSG alice :<bob> and back");
  alice.send("PRIVMSG swarmhub :unpair");
  alice.expect("NOTICE alice :left the pair with bob");
  EXPECT_EQ(bob.next_event("PAIR_ENDED").text, "alice left");

  alice.send("PRIVMSG swarmhub :create crew");
  alice.expect("NOTICE alice :group crew created");
  alice.expect("JOIN #crew");
  ASSERT_TRUE(bob.request("join_group crew").ok);
  alice.expect("bob asks to join crew");
  alice.send("PRIVMSG swarmhub :accept crew bob");
  alice.expect("NOTICE alice :bob is now a member of crew");
  alice.send("PRIVMSG swarmhub :mode crew open");
  alice.expect("NOTICE alice :");
  EXPECT_EQ(bob.request("list_groups").data.at(0), "crew owner=alice members=2 mode=open");
  alice.send("PRIVMSG swarmhub :files crew");
  EXPECT_EQ(alice.expect("NOTICE alice :"),
            ":swarmhub!swarmhub@swarmhub NOTICE alice :" + bob.request("list_files crew").text);
  alice.send("PRIVMSG swarmhub :passkey");
  const auto key = alice.expect("NOTICE alice ");  // one word: no colon before it
  const auto shown = key.substr(key.rfind(' ') + 1);
  EXPECT_GE(shown.size(), 16u) << key;
  EXPECT_TRUE(std::all_of(shown.begin(), shown.end(), [](unsigned char ch) {
    return std::isxdigit(ch) != 0;
  })) << key;
  alice.send("PRIVMSG swarmhub :leave crew");
  alice.expect("NOTICE alice :you left crew; bob owns it now");
  alice.seen_or_expect("PART #crew");
  EXPECT_EQ(bob.request("list_groups").data.at(0), "crew owner=bob members=1 mode=open");
}

TEST(Irc, TheOwnerRemovesAMemberThroughTheServiceNickAndTheirChannelIsParted) {
  tracker_process tracker;
  make_user(tracker, "alice");
  make_user(tracker, "carol");
  auto alice = irc_user(tracker, "alice");
  auto carol = irc_user(tracker, "carol");
  alice.send("PRIVMSG swarmhub :create crew");
  alice.expect("JOIN #crew");
  carol.send("JOIN #crew");
  carol.expect(" 473 ");
  alice.expect("carol asks to join crew");
  alice.send("PRIVMSG swarmhub :accept crew carol");
  carol.expect(":carol!carol@swarmhub JOIN #crew");
  alice.expect(":carol!carol@swarmhub JOIN #crew");
  alice.send("PRIVMSG swarmhub :remove crew carol");
  alice.expect("NOTICE alice :carol is no longer a member of crew");
  alice.seen_or_expect(":carol!carol@swarmhub PART #crew :left the group");  // as a leave
  EXPECT_EQ(carol.expect("removed you"),
            ":swarmhub!swarmhub@swarmhub NOTICE carol :alice removed you from crew");
  EXPECT_EQ(carol.expect(" PART "), ":carol!carol@swarmhub PART #crew :removed from the group");
  alice.send("PRIVMSG #crew :members only");
  alice.send("PRIVMSG #lobby :to everyone");
  EXPECT_EQ(carol.expect("PRIVMSG"), ":alice!alice@swarmhub PRIVMSG #lobby :to everyone");
}

TEST(Irc, DirectMessagesBothWaysAndOfflineOnesAtConnect) {
  tracker_process tracker;
  make_user(tracker, "alice");
  make_user(tracker, "carol");
  auto bob = tracker.user("bob");
  ASSERT_EQ(bob.request("msg carol while you were away").text,
            "carol is offline; they get it when they log in");
  auto alice = irc_user(tracker, "alice");
  alice.send("PRIVMSG bob :hi bob");
  EXPECT_EQ(bob.next_event("MSG").text, "alice hi bob");
  ASSERT_TRUE(bob.request("msg alice hi alice").ok);
  EXPECT_EQ(alice.expect("PRIVMSG alice"), ":bob!bob@swarmhub PRIVMSG alice :hi alice");
  // /me and formatting codes become plain text.
  alice.send(
      "PRIVMSG bob :\x01"
      "ACTION waves\x01");
  EXPECT_EQ(bob.next_event("MSG").text, "alice * waves");
  // Offline messages come after the welcome.
  irc_client carol(tracker.connect());
  carol.send("PASS carol:carol-password");
  carol.send("NICK carol");
  carol.send("USER carol 0 * :Carol");
  carol.expect(" 001 carol ");
  EXPECT_EQ(carol.expect("PRIVMSG carol"), ":bob!bob@swarmhub PRIVMSG carol :while you were away");
}

TEST(Irc, ChatHistoryFromTheStore) {
  tracker_process tracker;
  make_user(tracker, "alice");
  {
    auto bob = tracker.user("bob");
    for (const char* text : {"one", "two", "three"})
      ASSERT_TRUE(bob.request(std::string("say ") + text).ok);
  }
  auto alice = irc_user(tracker, "alice", "batch server-time draft/chathistory");
  alice.send("CHATHISTORY LATEST #lobby * 2");
  const auto start = alice.expect("BATCH +");
  EXPECT_EQ(start, ":swarmhub BATCH +h1 chathistory #lobby");
  const auto two = alice.next();
  const auto three = alice.next();
  EXPECT_TRUE(two.starts_with("@batch=h1;time=20")) << two;
  EXPECT_TRUE(two.ends_with(" :bob!bob@swarmhub PRIVMSG #lobby two")) << two;
  EXPECT_TRUE(three.ends_with(" :bob!bob@swarmhub PRIVMSG #lobby three")) << three;
  EXPECT_EQ(alice.next(), ":swarmhub BATCH -h1");
}

// The tag `name` of an IRC line ("" when it has none).
std::string tag(const std::string& line, const std::string& name) {
  if (!line.starts_with('@')) return {};
  const std::string tags = ";" + line.substr(1, line.find(' ') - 1) + ";";
  const auto at = tags.find(";" + name + "=");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 2;
  return tags.substr(start, tags.find(';', start) - start);
}

// The bodies of one CHATHISTORY batch, after its BATCH + line (which must come next).
std::vector<std::string> batch_bodies(irc_client& c) {
  const auto start = c.expect("BATCH +");
  std::vector<std::string> bodies;
  for (std::string line = c.next(); !line.empty() && line.find(" BATCH -") == std::string::npos;
       line = c.next()) {
    bodies.push_back(line.substr(line.rfind(' ') + 1));
  }
  return bodies;
}

TEST(Irc, ChatHistoryPagesByMsgidAndTimestampInChannelsAndDirectMessages) {
  tracker_process tracker;
  make_user(tracker, "alice");
  auto bob = tracker.user("bob");
  ASSERT_TRUE(bob.request("create_group crew").ok);
  auto alice = irc_user(tracker, "alice", "batch server-time message-tags draft/chathistory");
  ASSERT_TRUE(bob.request("msg alice d1").ok);
  const auto d1 = alice.expect("PRIVMSG alice d1");
  alice.send("PRIVMSG bob d2");
  EXPECT_EQ(bob.next_event("MSG").text, "alice d2");
  // Live messages carry their msgid and stored time: what history gives for them too.
  EXPECT_TRUE(tag(d1, "msgid").starts_with("d")) << d1;
  std::vector<std::string> lobby;  // the live lines of m1..m5
  for (const char* body : {"m1", "m2", "m3", "m4", "m5"}) {
    ASSERT_TRUE(bob.request(std::string("say ") + body).ok);
    lobby.push_back(alice.expect(std::string("PRIVMSG #lobby ") + body));
  }
  using v = std::vector<std::string>;
  const auto id = [&](int i) { return "msgid=" + tag(lobby[i], "msgid"); };
  const auto at = [&](int i) { return "timestamp=" + tag(lobby[i], "time"); };
  alice.send("CHATHISTORY LATEST #lobby * 1");
  alice.expect("BATCH +");
  const auto newest = alice.next();
  EXPECT_EQ(tag(newest, "msgid"), tag(lobby[4], "msgid")) << newest;
  EXPECT_EQ(tag(newest, "time"), tag(lobby[4], "time")) << newest;
  alice.next();  // BATCH -
  alice.send("CHATHISTORY BEFORE #lobby " + id(3) + " 2");
  EXPECT_EQ(batch_bodies(alice), (v{"m2", "m3"}));
  alice.send("CHATHISTORY AFTER #lobby " + id(1) + " 2");
  EXPECT_EQ(batch_bodies(alice), (v{"m3", "m4"}));
  alice.send("CHATHISTORY LATEST #lobby " + id(2) + " 10");
  EXPECT_EQ(batch_bodies(alice), (v{"m4", "m5"}));
  alice.send("CHATHISTORY BETWEEN #lobby " + id(0) + " " + id(4) + " 10");
  EXPECT_EQ(batch_bodies(alice), (v{"m2", "m3", "m4"}));
  alice.send("CHATHISTORY BETWEEN #lobby " + id(4) + " " + id(0) + " 2");  // from the later one
  EXPECT_EQ(batch_bodies(alice), (v{"m3", "m4"}));
  alice.send("CHATHISTORY AROUND #lobby " + id(2) + " 3");
  EXPECT_EQ(batch_bodies(alice), (v{"m2", "m3", "m4"}));
  alice.send("CHATHISTORY AFTER #lobby " + at(4) + " 10");
  EXPECT_TRUE(batch_bodies(alice).empty());
  alice.send("CHATHISTORY BEFORE #lobby " + at(0) + " 10");
  EXPECT_TRUE(batch_bodies(alice).empty());
  alice.send("CHATHISTORY LATEST #lobby * 600");  // served as CHATHISTORY=500
  EXPECT_EQ(batch_bodies(alice), (v{"m1", "m2", "m3", "m4", "m5"}));
  // A nick: the direct messages both ways.
  alice.send("CHATHISTORY LATEST bob * 10");
  EXPECT_TRUE(alice.expect("BATCH +").ends_with(" chathistory bob"));
  const auto first = alice.next();
  EXPECT_EQ(tag(first, "msgid"), tag(d1, "msgid")) << first;
  EXPECT_EQ(tag(first, "time"), tag(d1, "time")) << first;
  EXPECT_TRUE(first.ends_with(" :bob!bob@swarmhub PRIVMSG alice d1")) << first;
  EXPECT_TRUE(alice.next().ends_with(" :alice!alice@swarmhub PRIVMSG bob d2"));
  alice.next();  // BATCH -
  alice.send("CHATHISTORY AFTER bob msgid=" + tag(d1, "msgid") + " 10");
  EXPECT_EQ(batch_bodies(alice), (v{"d2"}));
  // Bad input: each its FAIL.
  alice.send("CHATHISTORY BEFORE #lobby");
  alice.expect("FAIL CHATHISTORY NEED_MORE_PARAMS BEFORE :");
  alice.send("CHATHISTORY BETWEEN #lobby " + id(0) + " 10");
  alice.expect("FAIL CHATHISTORY NEED_MORE_PARAMS BETWEEN :");
  alice.send("CHATHISTORY FROB #lobby * 10");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS FROB :");
  alice.send("CHATHISTORY BEFORE #lobby * 10");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS BEFORE :");
  alice.send("CHATHISTORY LATEST #lobby * 0");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS LATEST :");
  alice.send("CHATHISTORY LATEST #lobby * ten");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS LATEST :");
  alice.send("CHATHISTORY AFTER bob " + id(0) + " 10");  // a room's msgid for a nick
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS AFTER :");
  alice.send("CHATHISTORY LATEST #crew * 10");  // not a member
  alice.expect("FAIL CHATHISTORY INVALID_TARGET LATEST #crew :");
  alice.send("CHATHISTORY LATEST #no-such * 10");
  alice.expect("FAIL CHATHISTORY INVALID_TARGET LATEST #no-such :");
  alice.send("CHATHISTORY LATEST nobody * 10");
  alice.expect("FAIL CHATHISTORY INVALID_TARGET LATEST nobody :");
  alice.send("CHATHISTORY LATEST bad/nick * 10");
  alice.expect("FAIL CHATHISTORY INVALID_TARGET LATEST bad/nick :");
}

// echo-message with message-tags: the echo of one's own message carries the msgid and time
// its recipients get, and history gives again.
TEST(Irc, EchoesCarryTheMsgidAndTimeTheRecipientsGet) {
  tracker_process tracker;
  make_user(tracker, "alice");
  make_user(tracker, "carol");
  auto carol = irc_user(tracker, "carol", "message-tags server-time");
  auto alice =
      irc_user(tracker, "alice", "echo-message message-tags server-time batch draft/chathistory");
  const auto same_stamp = [](const std::string& echo, const std::string& got) {
    EXPECT_FALSE(tag(echo, "msgid").empty()) << echo;
    EXPECT_EQ(tag(echo, "msgid"), tag(got, "msgid")) << echo << "\n" << got;
    EXPECT_EQ(tag(echo, "time"), tag(got, "time")) << echo << "\n" << got;
  };
  // A channel: PRIVMSG and NOTICE (the channel gets both as PRIVMSG).
  alice.send("PRIVMSG #lobby :to everyone");
  const auto echo = alice.expect("PRIVMSG #lobby :to everyone");
  same_stamp(echo, carol.expect("PRIVMSG #lobby :to everyone"));
  alice.send("NOTICE #lobby :a notice");
  const auto notice = alice.expect("NOTICE #lobby :a notice");
  same_stamp(notice, carol.expect("#lobby :a notice"));
  EXPECT_NE(tag(notice, "msgid"), tag(echo, "msgid"));
  // A nick: a direct message's msgid.
  alice.send("PRIVMSG carol :just you");
  const auto direct = alice.expect("PRIVMSG carol :just you");
  same_stamp(direct, carol.expect("PRIVMSG carol :just you"));
  EXPECT_TRUE(tag(direct, "msgid").starts_with("d")) << direct;
  alice.send("NOTICE carol :duly noted");
  same_stamp(alice.expect("NOTICE carol :duly noted"), carol.expect("PRIVMSG carol :duly noted"));
  // The stored message's: history has it under the same msgid and time.
  alice.send("CHATHISTORY LATEST #lobby * 1");
  alice.expect("BATCH +");
  same_stamp(notice, alice.next());
  alice.send("CHATHISTORY BEFORE carol timestamp=2100-01-01T00:00:00.000Z 2");
  alice.expect("BATCH +");
  same_stamp(direct, alice.next());
}

// CHATHISTORY TARGETS: the channels and nicks with messages between two times, each with the
// time of its latest one, oldest first; only what the user may read.
TEST(Irc, ChatHistoryTargetsListsTheConversationsOneMayRead) {
  tracker_process tracker;
  make_user(tracker, "carol");
  {
    auto alice = tracker.user("alice");
    ASSERT_TRUE(alice.request("create_group den").ok);
    ASSERT_TRUE(alice.request("room den").ok);
    ASSERT_TRUE(alice.request("say in the den").ok);
    ASSERT_TRUE(alice.request("logout").ok);
  }
  auto bob = tracker.user("bob");
  ASSERT_TRUE(bob.request("create_group crew").ok);  // alice is no member
  ASSERT_TRUE(bob.request("room crew").ok);
  ASSERT_TRUE(bob.request("say in the crew").ok);
  auto alice = irc_user(tracker, "alice", "batch server-time message-tags draft/chathistory");
  ASSERT_TRUE(bob.request("room lobby").ok);
  ASSERT_TRUE(bob.request("say in the lobby").ok);
  const auto lobby = alice.expect("PRIVMSG #lobby");
  ASSERT_TRUE(bob.request("msg alice just for you").ok);
  const auto direct = alice.expect("PRIVMSG alice");
  ASSERT_TRUE(bob.request("msg carol not for alice").ok);
  alice.send("CHATHISTORY LATEST #den * 1");
  alice.expect("BATCH +");
  const auto den = alice.next();
  alice.next();  // BATCH -
  // The batch's lines, after its BATCH + line (which must come next).
  const auto targets = [&](const std::string& request) {
    alice.send("CHATHISTORY TARGETS " + request);
    const auto start = alice.expect("BATCH +");
    EXPECT_TRUE(start.ends_with(" draft/chathistory-targets")) << start;
    const std::string id =
        start.substr(start.find('+') + 1, start.rfind(' ') - start.find('+') - 1);
    std::vector<std::string> lines;
    for (std::string line = alice.next();
         !line.empty() && line.find(" BATCH -") == std::string::npos; line = alice.next()) {
      const std::string prefix = "@batch=" + id + " :swarmhub CHATHISTORY TARGETS ";
      EXPECT_TRUE(line.starts_with(prefix)) << line;
      lines.push_back(line.substr(std::min(prefix.size(), line.size())));
    }
    return lines;
  };
  const std::string early = "timestamp=2000-01-01T00:00:00.000Z";
  const std::string late = "timestamp=2100-01-01T00:00:00.000Z";
  using v = std::vector<std::string>;
  const v all{"#den " + tag(den, "time"), "#lobby " + tag(lobby, "time"),
              "bob " + tag(direct, "time")};
  EXPECT_EQ(targets(early + " " + late + " 10"), all);
  // The limit keeps those nearest the first bound; the times bound strictly.
  EXPECT_EQ(targets(early + " " + late + " 1"), (v{all[0]}));
  EXPECT_EQ(targets(late + " " + early + " 2"), (v{all[1], all[2]}));
  EXPECT_EQ(targets("timestamp=" + tag(den, "time") + " " + late + " 10"), (v{all[1], all[2]}));
  EXPECT_EQ(targets(early + " timestamp=" + tag(den, "time") + " 10"), v{});
  // Bad input: each its FAIL.
  alice.send("CHATHISTORY TARGETS " + early + " 10");
  alice.expect("FAIL CHATHISTORY NEED_MORE_PARAMS TARGETS :");
  alice.send("CHATHISTORY TARGETS msgid=1 " + late + " 10");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS TARGETS :");
  alice.send("CHATHISTORY TARGETS * * 10");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS TARGETS :");
  alice.send("CHATHISTORY TARGETS " + early + " " + late + " 0");
  alice.expect("FAIL CHATHISTORY INVALID_PARAMS TARGETS :");
  // Without batch: the lines alone. carol reads the lobby and her direct messages with bob.
  auto carol = irc_user(tracker, "carol");
  carol.send("CHATHISTORY TARGETS " + early + " " + late + " 10");
  EXPECT_EQ(carol.expect("CHATHISTORY TARGETS"),
            ":swarmhub CHATHISTORY TARGETS #lobby " + tag(lobby, "time"));
  EXPECT_TRUE(carol.next().starts_with(":swarmhub CHATHISTORY TARGETS bob 20"));
}

TEST(Irc, AwayIsSharedWithEveryKindOfConnection) {
  tracker_process tracker;
  make_user(tracker, "alice");
  auto bob = tracker.user("bob");
  auto alice = irc_user(tracker, "alice", "away-notify");
  EXPECT_EQ(bob.next_event("JOINED").text, "lobby alice");
  // A line user goes away: IRC users with away-notify hear it, WHO says G, PRIVMSG gets 301.
  EXPECT_EQ(bob.request("away out for lunch").text, "you are away: out for lunch");
  EXPECT_EQ(alice.expect(" AWAY "), ":bob!bob@swarmhub AWAY :out for lunch");
  alice.send("WHO #lobby");
  EXPECT_EQ(alice.expect(" 352 alice #lobby bob "),
            ":swarmhub 352 alice #lobby bob swarmhub swarmhub bob G :0 bob");
  alice.send("PRIVMSG bob :are you there?");
  EXPECT_EQ(alice.expect(" 301 "), ":swarmhub 301 alice bob :out for lunch");
  EXPECT_EQ(bob.next_event("MSG").text, "alice are you there?");
  alice.send("WHOIS bob");
  alice.expect(" 311 alice bob ");
  EXPECT_EQ(alice.expect(" 301 "), ":swarmhub 301 alice bob :out for lunch");
  // An IRC user goes away: line users hear it and see it in list.
  alice.send("AWAY :brb");
  alice.expect(" 306 alice ");
  EXPECT_EQ(bob.next_event("AWAY").text, "alice brb");
  const auto online = bob.request("list");
  EXPECT_EQ(online.data, (std::vector<std::string>{"alice away brb", "bob away out for lunch"}));
  alice.send("NAMES #lobby");  // names stay names
  EXPECT_EQ(alice.expect(" 353 "), ":swarmhub 353 alice = #lobby :alice bob");
  alice.send("AWAY");
  alice.expect(" 305 alice ");
  EXPECT_EQ(bob.next_event("AWAY").text, "alice");
  ASSERT_EQ(bob.request("away").text, "you are back");
  EXPECT_EQ(alice.expect(" AWAY"), ":bob!bob@swarmhub AWAY");
  alice.send("WHO bob");
  alice.expect(" 352 alice * bob swarmhub swarmhub bob H ");
  // Too long: refused on both kinds.
  EXPECT_EQ(bob.request("away " + std::string(201, 'x')).code, "MESSAGE_TOO_LONG");
  alice.send("AWAY :" + std::string(201, 'x'));
  alice.expect("FAIL AWAY MESSAGE_TOO_LONG ");
  EXPECT_EQ(bob.request("list").data, (std::vector<std::string>{"alice", "bob"}));
}

// The path of `program` on PATH, or "".
std::string on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string candidate = std::string(rest.substr(0, colon)) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  }
  return {};
}

// Waits until the file `path` (in directory `dir`) holds `text`: woken by inotify whenever a
// file in `dir` is written, so it follows the writer, not a clock.
bool file_comes_to_hold(const std::string& dir, const std::string& path, const std::string& text,
                        std::chrono::milliseconds timeout = 10s) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return false;
  ::inotify_add_watch(fd, dir.c_str(), IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool found = false;
  while (!(found = read_file(path).find(text) != std::string::npos)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
    char events[4096];
    while (::read(fd, events, sizeof events) > 0) {
    }
  }
  ::close(fd);
  return found;
}

// A real IRC client from Debian: WeeChat (headless), over TLS with SASL PLAIN, pinned on the
// tracker's certificate; it joins #lobby and a group's channel and talks with a line client.
TEST(Irc, WeechatOverTlsWithSaslTalksWithASwarmhubClient) {
  const std::string weechat = on_path("weechat-headless");
  if (weechat.empty())
    GTEST_SKIP() << "weechat-headless is not installed (apt install weechat-headless)";
  tracker_process tracker;
  auto bob = tracker.user("bob");
  ASSERT_TRUE(bob.request("create_group crew").ok);
  {
    auto alice = tracker.user("alice");
    ASSERT_TRUE(alice.request("join_group crew").ok);
    EXPECT_EQ(bob.next_event("JOIN_REQUEST").text, "crew alice");
    ASSERT_TRUE(bob.request("accept_request crew alice").ok);
    ASSERT_TRUE(alice.request("logout").ok);
  }
  std::string pin = tracker.tls_fingerprint();
  pin.erase(std::remove(pin.begin(), pin.end(), ':'), pin.end());
  std::transform(pin.begin(), pin.end(), pin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  temp_dir home;
  const std::string logs = home.file("logs");
  std::filesystem::create_directories(logs);
  // `command` runs right after the welcome; the tracker has joined #lobby and #crew by then.
  const std::string setup = fmt::format(
      "/set logger.file.flush_delay 0;/set logger.file.path {};"
      "/server add sh 127.0.0.1/{} -ssl -ssl_fingerprint={} -sasl_mechanism=plain "
      "-sasl_username=alice -sasl_password=alice-password -sasl_fail=disconnect -nicks=alice "
      "-autojoin=#lobby,#crew;"
      "/set irc.server.sh.command \"/msg #lobby,#crew hello from weechat\";/connect sh",
      logs, tracker.port(), pin);
  process client({weechat, "--dir", home.path(), "--run-command", setup}, home.file("stderr"));
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice hello from weechat");
  EXPECT_EQ(bob.next_event("ROOM").text, "crew alice hello from weechat");
  ASSERT_TRUE(bob.request("say hello weechat").ok);
  ASSERT_TRUE(bob.request("room crew").ok);
  ASSERT_TRUE(bob.request("say the crew hears you").ok);
  EXPECT_TRUE(file_comes_to_hold(logs, logs + "/irc.sh.#lobby.weechatlog", "bob\thello weechat"))
      << read_file(logs + "/irc.sh.#lobby.weechatlog");
  EXPECT_TRUE(
      file_comes_to_hold(logs, logs + "/irc.sh.#crew.weechatlog", "bob\tthe crew hears you"))
      << read_file(logs + "/irc.sh.#crew.weechatlog");
}

// A tmux server of its own running one program in a terminal, ended with the test.
class tmux_session {
 public:
  tmux_session(const std::string& socket, const std::string& command) : socket_(socket) {
    run("new-session -d -s t -x 200 -y 50 '" + command + "'");
  }
  ~tmux_session() { run("kill-server"); }
  tmux_session(const tmux_session&) = delete;
  tmux_session& operator=(const tmux_session&) = delete;

 private:
  void run(const std::string& args) {
    (void)std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  std::string socket_;
};

// A real IRC client from Debian: irssi in a terminal (tmux), over TLS pinned on the tracker's
// certificate (which is self-signed: no chain to verify) with SASL PLAIN; it joins #lobby and a
// group's channel, talks with a line client and fetches the lobby's history with CHATHISTORY. Its
// commands are those of the README.
TEST(Irc, IrssiOverTlsWithSaslTalksWithASwarmhubClientAndFetchesHistory) {
  const std::string irssi = on_path("irssi");
  if (irssi.empty()) GTEST_SKIP() << "irssi is not installed (apt install irssi)";
  if (on_path("tmux").empty()) GTEST_SKIP() << "tmux is not installed (apt install tmux)";
  tracker_process tracker;
  make_user(tracker, "alice");
  auto bob = tracker.user("bob");
  ASSERT_TRUE(bob.request("create_group crew").ok);
  {
    auto alice = tracker.user("alice");
    ASSERT_TRUE(alice.request("join_group crew").ok);
    EXPECT_EQ(bob.next_event("JOIN_REQUEST").text, "crew alice");
    ASSERT_TRUE(bob.request("accept_request crew alice").ok);
    ASSERT_TRUE(alice.request("logout").ok);
  }
  // Said while alice is offline: the lobby keeps it for her history, not for her login.
  ASSERT_TRUE(bob.request("say said before irssi came").ok);
  temp_dir home;
  const std::string logs = home.file("logs");
  std::filesystem::create_directories(logs);
  // irssi runs the commands of <home>/startup as it starts, expanding `$` (so `$$0`, the log's
  // target when it opens) and splitting at `;` (so `\;` inside the autosendcmd, which runs
  // after the welcome, when the tracker has joined #lobby and #crew).
  const std::string startup = fmt::format(
      "/set settings_autosave off\n"
      "/set autolog on\n"
      "/set autolog_path {}/$$0.log\n"
      "/network add -sasl_mechanism PLAIN -sasl_username alice -sasl_password alice-password "
      "-nick alice -autosendcmd \"/msg #lobby,#crew hello from irssi\\;"
      "/quote CHATHISTORY LATEST #lobby * 10\" swarmhub\n"
      "/server add -tls -notls_verify -tls_pinned_cert {} -network swarmhub 127.0.0.1 {}\n"
      "/connect swarmhub\n",
      logs, tracker.tls_fingerprint(), tracker.port());
  { std::ofstream(home.file("startup")) << startup; }
  tmux_session terminal("swarmhub-irssi-" + std::to_string(::getpid()),
                        irssi + " --home=" + home.path());
  EXPECT_EQ(bob.next_event("ROOM").text, "lobby alice hello from irssi");
  EXPECT_EQ(bob.next_event("ROOM").text, "crew alice hello from irssi");
  ASSERT_TRUE(bob.request("say hello irssi").ok);
  ASSERT_TRUE(bob.request("room crew").ok);
  ASSERT_TRUE(bob.request("say the crew hears you").ok);
  ASSERT_TRUE(bob.request("msg alice just for you").ok);
  const std::string lobby_log = logs + "/#lobby.log";
  EXPECT_TRUE(file_comes_to_hold(logs, lobby_log, "bob> said before irssi came"))
      << read_file(lobby_log);
  EXPECT_TRUE(file_comes_to_hold(logs, lobby_log, "bob> hello irssi")) << read_file(lobby_log);
  EXPECT_TRUE(file_comes_to_hold(logs, logs + "/#crew.log", "bob> the crew hears you"))
      << read_file(logs + "/#crew.log");
  EXPECT_TRUE(file_comes_to_hold(logs, logs + "/bob.log", "bob> just for you"))
      << read_file(logs + "/bob.log");
}

}  // namespace
}  // namespace swarmhub::test
