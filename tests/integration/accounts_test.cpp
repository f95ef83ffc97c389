// A1, A2, T5: accounts, one live login per user, the server password.

#include <gtest/gtest.h>

#include <fstream>

#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

TEST(Accounts, CreateLoginWhoamiLogout) {
  tracker_process tracker;
  auto c = tracker.connect();
  EXPECT_EQ(c.request("whoami").text, "not logged in");
  EXPECT_TRUE(c.request("create_user alice s3cret!").ok);
  EXPECT_EQ(c.request("whoami").text, "not logged in");
  auto login = c.request("login ALICE s3cret!");
  ASSERT_TRUE(login.ok) << login.text;
  EXPECT_EQ(login.text, "logged in as alice");    // the name as it was created
  EXPECT_EQ(c.read_line(), "* LOGGED_IN alice");  // right after the OK, for programs
  EXPECT_EQ(c.request("whoami").text, "logged in as alice");
  EXPECT_EQ(c.request("create_user bob xxxxxx").code, "ALREADY_LOGGED_IN");
  EXPECT_EQ(c.request("login alice s3cret!").code, "ALREADY_LOGGED_IN");
  EXPECT_TRUE(c.request("logout").ok);
  EXPECT_EQ(c.request("logout").code, "NOT_LOGGED_IN");
  EXPECT_EQ(c.request("list_groups").code, "NOT_LOGGED_IN");
}

TEST(Accounts, BadNamesPasswordsAndDuplicates) {
  tracker_process tracker;
  auto c = tracker.connect();
  EXPECT_EQ(c.request("create_user _bad secret1").code, "BAD_NAME");
  EXPECT_EQ(c.request("create_user \"two words\" secret1").code, "BAD_NAME");
  EXPECT_EQ(c.request("create_user " + std::string(33, 'x') + " secret1").code, "BAD_NAME");
  EXPECT_EQ(c.request("create_user alice 12345").code, "BAD_PASSWORD");
  EXPECT_EQ(c.request("create_user alice").code, "BAD_ARGUMENTS");
  EXPECT_EQ(c.request("create_user alice a b").code, "BAD_ARGUMENTS");
  EXPECT_TRUE(c.request("create_user alice \"pass with spaces\"").ok);
  EXPECT_EQ(c.request("create_user Alice other-pass").code, "USER_EXISTS");
  EXPECT_TRUE(c.request("login alice \"pass with spaces\"").ok);
}

TEST(Accounts, WrongPasswordAndUnknownUserLookTheSame) {
  tracker_process tracker;
  auto c = tracker.connect();
  ASSERT_TRUE(c.request("create_user alice secret1").ok);
  auto wrong = c.request("login alice secret2");
  auto unknown = c.request("login nobody secret1");
  EXPECT_EQ(wrong.code, "LOGIN_FAILED");
  EXPECT_EQ(unknown.code, "LOGIN_FAILED");
  EXPECT_EQ(wrong.text, unknown.text);
}

TEST(Accounts, RepeatedFailuresAreSlowedDown) {
  tracker_process tracker;
  auto c = tracker.connect();
  ASSERT_TRUE(c.request("create_user alice secret1").ok);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(c.request("login alice wrong-password").code, "LOGIN_FAILED");
  // Locked now, even with the right password, and from another connection too.
  EXPECT_EQ(c.request("login alice secret1").code, "RATE_LIMITED");
  auto other = tracker.connect();
  auto r = other.request("login alice secret1");
  EXPECT_EQ(r.code, "RATE_LIMITED");
  EXPECT_NE(r.text.find("try again in"), std::string::npos);
}

TEST(Accounts, SecondLiveLoginIsRefusedAndTheFirstIsUntouched) {
  tracker_process tracker;
  auto first = tracker.user("alice");
  auto second = tracker.connect();
  auto r = second.request("login alice alice-password");
  EXPECT_EQ(r.code, "ALREADY_ONLINE");
  EXPECT_NE(r.text.find("already logged in"), std::string::npos);
  // Seed 004: an identifier in use gets an error and that connection is closed.
  EXPECT_EQ(second.next_event("CLOSING").text, "duplicate alice is already logged in");
  EXPECT_TRUE(second.closed_within());
  EXPECT_EQ(first.request("whoami").text, "logged in as alice");
  // Once the first leaves (logout, or quit), the name is free again.
  ASSERT_TRUE(first.request("logout").ok);
  auto third = tracker.connect();
  ASSERT_TRUE(third.request("login alice alice-password").ok);
  ASSERT_TRUE(third.request("quit").ok);
  EXPECT_TRUE(first.request("login alice alice-password").ok);
}

class ServerPassword : public ::testing::Test {
 protected:
  ServerPassword() {
    std::ofstream(dir_.file("pw")) << "open sesame\n";
    tracker_ = std::make_unique<tracker_process>(
        std::vector<std::string>{"--password-file", dir_.file("pw")});
  }
  temp_dir dir_;
  std::unique_ptr<tracker_process> tracker_;
};

TEST_F(ServerPassword, NothingButHelpPingQuitBeforeIt) {
  line_client c(tracker_->port(), false);
  auto hello = c.read_event();
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->text, "swarmhub 1 auth=required");
  EXPECT_EQ(c.request("create_user alice secret1").code, "AUTH_REQUIRED");
  EXPECT_EQ(c.request("login alice secret1").code, "AUTH_REQUIRED");
  EXPECT_EQ(c.request("just chatting").code, "AUTH_REQUIRED");
  EXPECT_TRUE(c.request("help").ok);
  EXPECT_TRUE(c.request("ping").ok);
  auto ok = c.request("auth open sesame");
  EXPECT_TRUE(ok.ok) << ok.text;
  EXPECT_EQ(c.request("auth open sesame").code, "ALREADY_AUTHENTICATED");
  EXPECT_TRUE(c.request("create_user alice secret1").ok);
}

TEST_F(ServerPassword, ThreeWrongTriesClose) {
  line_client c(tracker_->port());
  auto r1 = c.request("auth nope");
  EXPECT_EQ(r1.code, "AUTH_FAILED");
  EXPECT_NE(r1.text.find("2 tries left"), std::string::npos);
  EXPECT_EQ(c.request("auth Open Sesame").code, "AUTH_FAILED");
  EXPECT_EQ(c.request("auth open sesame!").code, "AUTH_FAILED");
  auto e = c.read_event();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "CLOSING");
  EXPECT_TRUE(e->text.starts_with("auth"));
  EXPECT_TRUE(c.closed_within());
}

TEST_F(ServerPassword, ClientGivesItFromAFile) {
  process client(
      {client_binary(), "--server-password-file", dir_.file("pw"), tracker_->client_address()});
  client.write("create_user bob secret1\nlogin bob secret1\n");
  client.close_stdin();
  const std::string out = client.read_all();
  EXPECT_EQ(client.wait(), 0) << out;
  EXPECT_NE(out.find("OK welcome"), std::string::npos) << out;
  EXPECT_NE(out.find("OK logged in as bob"), std::string::npos) << out;
}

TEST(TrackerPasswordFlags, UnreadablePasswordFileIsRefused) {
  process tracker(
      {tracker_binary(), "--listen", "127.0.0.1:0", "--password-file", "/nonexistent/pw"});
  EXPECT_EQ(tracker.wait(), 2);
}

}  // namespace
}  // namespace swarmhub::test
