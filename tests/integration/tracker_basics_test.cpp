// The tracker as telnet sees it (T1, T2, T3): replies, help, quit, plain lines.

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "swarmhub/proto/commands.hpp"
#include "swarmhub/util/cpu_affinity.hpp"
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

// Both programs say their version, the one in CMake's project(), and exit at once.
TEST(TrackerBasics, BothProgramsTellTheirVersion) {
  for (const auto& [binary, name] :
       {std::pair{tracker_binary(), "tracker"}, std::pair{client_binary(), "client"}}) {
    process p({binary, "--version"});
    EXPECT_EQ(p.read_all(), fmt::format("swarmhub {} {}\n", name, SWARMHUB_VERSION));
    EXPECT_EQ(p.wait(), 0) << name;
  }
}

// The cores each of `pid`'s threads may run on, as /proc says ("0-1", "1", ...).
std::vector<std::string> thread_core_lists(pid_t pid) {
  std::vector<std::string> out;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid))) {
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("Cpus_allowed_list:")) out.push_back(line.substr(line.find('\t') + 1));
    }
  }
  return out;
}

// With one I/O thread per core (the default count), each is bound to a core of its own; with
// --no-bind-threads, or another count, none is.
TEST(TrackerBasics, IoThreadsAreBoundToACoreEachUnlessToldNot) {
  const auto cores = util::allowed_cpus();
  if (cores.size() < 2) GTEST_SKIP() << "one core: nothing to bind";
  std::set<std::string> expected;
  for (const int core : cores) expected.insert(std::to_string(core));
  // The threads of `pid` bound to one of the cores, by core.
  const auto bound = [&](pid_t pid) {
    std::multiset<std::string> out;
    for (const auto& list : thread_core_lists(pid)) {
      if (expected.contains(list)) out.insert(list);
    }
    return out;
  };
  {
    tracker_process tracker({"--threads", "0"});
    // Each I/O thread binds itself as it starts: the tracker answers before the last may have.
    std::multiset<std::string> seen;
    EXPECT_TRUE(tracker.eventually_stats([&](const std::string&) {
      seen = bound(tracker.pid());
      return seen.size() >= cores.size();
    }));
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
    EXPECT_EQ(seen.size(), cores.size()) << "one I/O thread per core, and no other bound";
  }
  for (const auto& args : {std::vector<std::string>{"--threads", "0", "--no-bind-threads"},
                           std::vector<std::string>{"--threads", std::to_string(cores.size())}}) {
    tracker_process unbound(args);
    EXPECT_TRUE(unbound.connect().request("ping").ok);  // every I/O thread runs by now
    EXPECT_TRUE(bound(unbound.pid()).empty()) << args.back();
  }
}

TEST(TrackerBasics, PingGetsPong) {
  tracker_process tracker;
  auto c = tracker.connect();
  auto r = c.request("ping");
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.text, "pong");
}

// `help` groups the commands by topic, as typed, and keeps the internal ones (what clients
// send on their user's behalf) for `help all`.
TEST(TrackerBasics, HelpGroupsCommandsByTopicInternalOnesUnderHelpAll) {
  tracker_process tracker;
  auto c = tracker.connect();
  const auto shown = [](const proto::reply& r, std::string_view usage) {
    return std::count_if(r.data.begin(), r.data.end(), [&](const std::string& line) {
      return line.starts_with("  " + std::string(usage) + " ");
    });
  };
  auto r = c.request("help");
  ASSERT_TRUE(r.ok);
  std::size_t everyday = 0;
  for (const auto& spec : proto::command_table()) {
    const bool internal = spec.topic == proto::help_topic::internal;
    everyday += internal ? 0 : 1;
    EXPECT_EQ(shown(r, spec.usage), internal ? 0 : 1) << spec.name;
  }
  const std::vector<std::string> topics{"basics:", "accounts:", "groups:", "chat:", "files:"};
  std::vector<std::string> headers;
  for (const auto& line : r.data)
    if (!line.starts_with("  ")) headers.push_back(line);
  EXPECT_EQ(headers, topics);
  EXPECT_EQ(r.data.size(), topics.size() + everyday);
  for (const auto* internal : {"add_file", "resume_token", "file_info", "passkey", "resume"}) {
    EXPECT_EQ(proto::find_command(internal)->topic, proto::help_topic::internal) << internal;
  }
  auto all = c.request("help all");
  ASSERT_TRUE(all.ok);
  for (const auto& spec : proto::command_table()) EXPECT_EQ(shown(all, spec.usage), 1) << spec.name;
  EXPECT_EQ(all.data.size(), topics.size() + 1 + proto::command_table().size());
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
