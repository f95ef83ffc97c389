// The client binary in scripted mode (stdin not a terminal).

#include <gtest/gtest.h>

#include <csignal>

#include "client_process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

struct client_run {
  int status;
  std::string out;
};

client_run run_client(const std::string& address, const std::string& input) {
  process client({client_binary(), address});
  client.write(input);
  client.close_stdin();
  std::string out = client.read_all(30s);
  return {client.wait(30s).value_or(-1), out};
}

TEST(ClientScript, PrintsEachReplyAndExitsZeroWhenAllSucceed) {
  tracker_process tracker;
  auto run = run_client(tracker.client_address(), "ping\nhelp quit\n# a comment\n\nquit\n");
  EXPECT_EQ(run.status, 0) << run.out;
  EXPECT_EQ(run.out,
            "* HELLO swarmhub 1 auth=none\n"
            "OK pong\n"
            "- usage: quit\n"
            "- allowed when: awaiting_password, anonymous, logged_in\n"
            "OK say goodbye (reply 'OK Bye.') and close the connection\n"
            "OK Bye.\n");
}

// The client's help is the tracker's topics with its own commands under files; the internal
// commands only under `help all`.
TEST(ClientScript, HelpByTopicWithTheClientsOwnCommands) {
  tracker_process tracker;
  auto run = run_client(tracker.client_address(), "help\nhelp all\nhelp upload_file\n");
  EXPECT_EQ(run.status, 0) << run.out;
  const auto help = run.out.substr(0, run.out.find("\nOK "));
  const auto files = help.find("- files:\n");
  ASSERT_NE(files, std::string::npos) << run.out;
  EXPECT_NE(help.find("-   upload_file <path> <group>", files), std::string::npos) << help;
  EXPECT_NE(help.find("-   list_files <group>", files), std::string::npos) << help;
  EXPECT_EQ(help.find("add_file"), std::string::npos) << help;
  EXPECT_EQ(help.find("resume_token"), std::string::npos) << help;
  const auto all = run.out.substr(help.size());
  EXPECT_NE(all.find("-   add_file "), std::string::npos) << all;
  EXPECT_NE(all.find("-   upload_file "), std::string::npos) << all;
  EXPECT_NE(run.out.find("- usage: upload_file <path> <group> [--hybrid]\n"), std::string::npos)
      << run.out;
}

TEST(ClientScript, EndOfInputLeavesCleanly) {
  tracker_process tracker;
  auto run = run_client(tracker.client_address(), "ping");  // no newline, no quit
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.out, "* HELLO swarmhub 1 auth=none\nOK pong\nOK Bye.\n");
}

TEST(ClientScript, AFailedCommandMakesTheExitStatusOne) {
  tracker_process tracker;
  auto run = run_client(tracker.client_address(), "/nope\nping\n");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("ERR UNKNOWN_COMMAND"), std::string::npos);
  EXPECT_NE(run.out.find("OK pong"), std::string::npos);  // it went on after the failure
}

TEST(ClientScript, NoTrackerMeansExitStatusTwo) {
  std::uint16_t dead_port = 0;
  {
    tracker_process tracker;
    dead_port = tracker.port();
  }  // stopped: nothing listens there now
  auto run = run_client("tcp://127.0.0.1:" + std::to_string(dead_port), "ping\n");
  EXPECT_EQ(run.status, 2);
}

TEST(ClientScript, BadTrackerAddressIsRefused) {
  process client({client_binary(), "nonsense:port"});
  EXPECT_EQ(client.wait(), 2);
}

TEST(ClientScript, TrackerGoingAwayIsReportedAndTheClientExits) {
  tracker_process tracker;
  process client({client_binary(), tracker.client_address()});
  client.write("ping\n");
  ASSERT_EQ(client.read_line(), "* HELLO swarmhub 1 auth=none");
  ASSERT_EQ(client.read_line(), "OK pong");
  tracker.proc().signal(SIGTERM);  // the client is idle, waiting on stdin
  EXPECT_EQ(client.read_line(), "* CLOSING shutdown server is closing");
  EXPECT_EQ(client.wait(), 2);
  EXPECT_EQ(tracker.proc().wait(), 0);
}

// The client's own commands are named by the tracker's rule: letter case and one leading '/'
// do not matter, so such a line is never posted to the room as chat.
TEST(ClientScript, OwnCommandsIgnoreLetterCaseAndASlash) {
  tracker_process tracker;
  client_process c(tracker.client_address());
  c.log_in("alice");
  const auto upload = c.request("Upload_File /no/such/file g");
  EXPECT_EQ(upload.code, "BAD_FILE") << upload.text;  // it reached upload_file
  const auto shown = c.request("/SHOW_DOWNLOADS");
  EXPECT_TRUE(shown.ok) << shown.text;
  EXPECT_EQ(shown.text, "0 transfers");
  EXPECT_EQ(c.request("Wait_Downloads x").code, "BAD_ARGUMENTS");
}

TEST(ClientScript, SigintLeavesCleanly) {
  tracker_process tracker;
  process client({client_binary(), tracker.client_address()});
  client.write("ping\n");
  ASSERT_EQ(client.read_line(), "* HELLO swarmhub 1 auth=none");
  ASSERT_EQ(client.read_line(), "OK pong");
  client.signal(SIGINT);
  EXPECT_EQ(client.read_line(), "OK Bye.");
  EXPECT_EQ(client.wait(), 0);
}

}  // namespace
}  // namespace swarmhub::test
