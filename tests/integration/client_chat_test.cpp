// The client's chat commands and file notices, end to end in scripted mode: did-you-mean,
// /me, /query, /join, /part, * FILE_ADDED, and --progress.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "client_process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

// The events named `name` that `c` received so far, as their text.
std::vector<std::string> texts(client_process& c, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& e : c.events()) {
    if (e.name == name) out.push_back(e.text);
  }
  return out;
}

class ClientChat : public ::testing::Test {
 protected:
  tracker_process tracker_;
  client_process alice_{tracker_.client_address()};
  client_process bob_{tracker_.client_address()};
  void SetUp() override {
    alice_.log_in("alice");
    bob_.log_in("bob");
  }
  // Bob's events up to now: a ping's reply comes after every event queued before it.
  void sync_bob() { ASSERT_TRUE(bob_.request("ping").ok); }
};

TEST_F(ClientChat, AMistypedCommandIsNotPosted) {
  const auto typo = alice_.request("lsit_files team");
  EXPECT_FALSE(typo.ok);
  EXPECT_EQ(typo.code, "UNKNOWN_COMMAND");
  EXPECT_EQ(typo.text, "did you mean list_files? (use say to post it)");
  EXPECT_TRUE(alice_.request("say lsit_files team").ok);  // said on purpose
  EXPECT_TRUE(alice_.request("hello everyone").ok);       // far from any command: posted
  sync_bob();
  EXPECT_EQ(texts(bob_, "ROOM"), (std::vector<std::string>{"lobby alice lsit_files team",
                                                           "lobby alice hello everyone"}));
}

TEST_F(ClientChat, MeQueryJoinAndPart) {
  EXPECT_TRUE(alice_.request("/me waves").ok);
  EXPECT_TRUE(alice_.request("/query bob").ok);
  EXPECT_TRUE(alice_.request("just for you").ok);
  EXPECT_TRUE(alice_.request("/query").ok);
  EXPECT_TRUE(alice_.request("for everyone").ok);
  sync_bob();
  EXPECT_EQ(texts(bob_, "ROOM"),
            (std::vector<std::string>{"lobby alice /me waves", "lobby alice for everyone"}));
  EXPECT_EQ(texts(bob_, "MSG"), std::vector<std::string>{"alice just for you"});

  ASSERT_TRUE(alice_.request("create_group team").ok);
  const auto asked = bob_.request("/join team");  // not a member: asks to join
  ASSERT_TRUE(asked.ok) << asked.text;
  ASSERT_TRUE(alice_.request("accept_request team bob").ok);
  ASSERT_TRUE(alice_.request("/join team").ok);
  const auto in = bob_.request("/join team");
  ASSERT_TRUE(in.ok) << in.text;
  EXPECT_TRUE(bob_.request("in the team room").ok);
  ASSERT_TRUE(alice_.request("ping").ok);
  EXPECT_EQ(texts(alice_, "ROOM"), std::vector<std::string>{"team bob in the team room"});
  EXPECT_TRUE(bob_.request("/part").ok);
  EXPECT_TRUE(bob_.request("back in the lobby").ok);
  ASSERT_TRUE(alice_.request("/part").ok);
  EXPECT_EQ(texts(alice_, "ROOM").back(), "lobby bob back in the lobby");
}

TEST_F(ClientChat, MembersHearOfANewFileAndScriptsMayFollowProgress) {
  temp_dir dir;
  const std::string file = dir.file("notes one.txt");
  std::ofstream(file) << std::string(300'000, 'x');
  ASSERT_TRUE(alice_.request("create_group team").ok);
  ASSERT_TRUE(bob_.request("join_group team").ok);
  ASSERT_TRUE(alice_.request("accept_request team bob").ok);
  const auto shared = alice_.request("upload_file \"" + file + "\" team");
  ASSERT_TRUE(shared.ok) << shared.text;
  sync_bob();
  EXPECT_EQ(texts(bob_, "FILE_ADDED"),
            std::vector<std::string>{"team \"notes one.txt\" 300000 alice"});
  EXPECT_TRUE(texts(alice_, "FILE_ADDED").empty());  // the uploader has the reply
  // Nobody shares it any more: a download that stays at 0% while --progress reports it.
  ASSERT_TRUE(alice_.request("stop_share team \"notes one.txt\"").ok);
  client_process carol(tracker_.client_address(), {"--progress", "1"});
  carol.log_in("carol");
  ASSERT_TRUE(carol.request("join_group team").ok);
  ASSERT_TRUE(alice_.request("accept_request team carol").ok);
  const auto started = carol.request("download_file team \"notes one.txt\" " + dir.file("got"));
  ASSERT_TRUE(started.ok) << started.text;
  ASSERT_TRUE(carol.wait_for_event("PROGRESS", 20s));
  EXPECT_EQ(texts(carol, "PROGRESS").front().rfind("[team] \"notes one.txt\" 0% of 293.0 KiB", 0),
            0u)
      << texts(carol, "PROGRESS").front();
  EXPECT_TRUE(texts(bob_, "PROGRESS").empty());  // only with --progress
}

}  // namespace
}  // namespace swarmhub::test
