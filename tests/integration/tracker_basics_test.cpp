// The tracker as telnet sees it (T1, T2, T3): replies, help, quit, plain lines.

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <csignal>

#include "swarmhub/proto/commands.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

TEST(TrackerBasics, PrintsBoundAddressAndGreets) {
  tracker_process tracker;
  EXPECT_NE(tracker.port(), 0);
  line_client c(tracker.port(), false);
  auto hello = c.read_event();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->name, "HELLO");
  EXPECT_EQ(hello->text, "swarmhub 1 auth=none");
}

TEST(TrackerBasics, PingGetsPong) {
  tracker_process tracker;
  auto c = tracker.connect();
  auto r = c.request("ping");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.text, "pong");
}

TEST(TrackerBasics, HelpListsEveryCommandOfTheTable) {
  tracker_process tracker;
  auto c = tracker.connect();
  auto r = c.request("help");
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.data.size(), proto::command_table().size());
  for (std::size_t i = 0; i < r.data.size(); ++i) {
    EXPECT_TRUE(r.data[i].starts_with(proto::command_table()[i].usage)) << r.data[i];
  }
  auto one = c.request("help quit");
  ASSERT_TRUE(one.ok);
  EXPECT_EQ(one.data.at(0), "usage: quit");
  auto unknown = c.request("help nothing");
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.code, "BAD_ARGUMENTS");
  auto extra = c.request("help quit ping");
  EXPECT_EQ(extra.code, "BAD_ARGUMENTS");
  EXPECT_NE(extra.text.find("too many arguments"), std::string::npos);
}

TEST(TrackerBasics, EveryQuitSpellingSaysByeAndCloses) {
  tracker_process tracker;
  for (std::string word : {"quit", "exit", "/quit", "/exit", "QUIT"}) {
    auto c = tracker.connect();
    auto r = c.request(word);
    EXPECT_TRUE(r.ok) << word;
    EXPECT_EQ(r.text, "Bye.") << word;
    EXPECT_TRUE(c.closed_within()) << word;
  }
}

TEST(TrackerBasics, QuitWithArgumentsIsAnErrorAndKeepsTheConnection) {
  tracker_process tracker;
  auto c = tracker.connect();
  EXPECT_EQ(c.request("quit now").code, "BAD_ARGUMENTS");
  EXPECT_TRUE(c.request("ping").ok);
}

TEST(TrackerBasics, PlainLineIsAcknowledgedUnknownSlashCommandIsNot) {
  tracker_process tracker;
  auto c = tracker.connect();
  auto plain = c.request("hello there, tracker");
  EXPECT_TRUE(plain.ok);
  EXPECT_EQ(plain.text, "Received your msg.");
  auto unknown = c.request("/frobnicate x");
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.code, "UNKNOWN_COMMAND");
  EXPECT_NE(unknown.text.find("/frobnicate"), std::string::npos);
  auto empty = c.request("");
  EXPECT_TRUE(empty.ok);
}

TEST(TrackerBasics, CrLfAndPipelinedRequestsGetRepliesInOrder) {
  tracker_process tracker;
  auto c = tracker.connect();
  c.send_raw("ping\r\nhelp quit\r\nx\nping\n");
  EXPECT_EQ(c.read_reply().text, "pong");
  EXPECT_EQ(c.read_reply().data.at(0), "usage: quit");
  EXPECT_EQ(c.read_reply().text, "Received your msg.");
  EXPECT_EQ(c.read_reply().text, "pong");
}

TEST(TrackerBasics, LastLineWithoutNewlineIsAnsweredWhenThePeerCloses) {
  tracker_process tracker;
  auto c = tracker.connect();
  c.send_raw("ping");
  shutdown(c.fd(), SHUT_WR);
  auto r = c.read_reply();
  EXPECT_EQ(r.text, "pong");
  EXPECT_TRUE(c.closed_within());
}

TEST(TrackerBasics, LogsConnectAndDisconnectWithAddressAndReason) {
  tracker_process tracker;
  {
    auto c = tracker.connect();
    c.request("quit");
    EXPECT_TRUE(c.closed_within());
  }
  tracker.proc().signal(SIGTERM);
  ASSERT_EQ(tracker.proc().wait(), 0);
  const std::string log = tracker.log();
  EXPECT_NE(log.find("connect 127.0.0.1:"), std::string::npos) << log;
  EXPECT_NE(log.find("reason=\"quit\""), std::string::npos) << log;
}

TEST(TrackerBasics, RefusesABusyPortAndBadArguments) {
  tracker_process first;
  process second({tracker_binary(), "--listen", first.address()});
  EXPECT_EQ(second.wait(), 1);
  process bad_port({tracker_binary(), "99999"});
  EXPECT_EQ(bad_port.wait(), 2);
  process both({tracker_binary(), "7000", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(both.wait(), 2);
}

}  // namespace
}  // namespace swarmhub::test
