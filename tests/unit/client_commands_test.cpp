// How the client reads the lines its user gives (client/commands.hpp).

#include "swarmhub/client/commands.hpp"
#include "swarmhub/client/readable.hpp"

#include <gtest/gtest.h>

#include <set>

namespace swarmhub::client {
namespace {

TEST(ClientCommands, OwnCommandsFollowTheTrackersNamingRule) {
  const auto upload = read_command_line("Upload_File x g");
  ASSERT_TRUE(upload);
  ASSERT_NE(upload->local, nullptr);
  EXPECT_EQ(upload->local->id, local_command_id::upload_file);
  EXPECT_EQ(upload->tracker, nullptr);
  EXPECT_EQ(upload->args.values, (std::vector<std::string>{"x", "g"}));

  const auto slashed = read_command_line("/SHOW_DOWNLOADS");
  ASSERT_TRUE(slashed && slashed->local);
  EXPECT_EQ(slashed->local->id, local_command_id::show_downloads);
  const auto twice = read_command_line("//show_downloads");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->local, nullptr);  // one slash only, as for the tracker's commands
  EXPECT_EQ(twice->tracker, nullptr);
}

TEST(ClientCommands, TrackerCommandsChatAndBlankLines) {
  const auto login = read_command_line("  LOGIN alice \"a secret\"  ");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->text, "LOGIN alice \"a secret\"");
  EXPECT_TRUE(login->is(proto::command_id::login));
  EXPECT_TRUE(login->carries_secret());
  EXPECT_EQ(login->args.values, (std::vector<std::string>{"alice", "a secret"}));

  const auto msg = read_command_line("msg bob hello there");
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->is(proto::command_id::msg));
  EXPECT_FALSE(msg->carries_secret());
  EXPECT_EQ(msg->args.values, (std::vector<std::string>{"bob", "hello there"}));

  const auto chat = read_command_line("hello everyone");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->local, nullptr);
  EXPECT_EQ(chat->tracker, nullptr);
  EXPECT_EQ(chat->text, "hello everyone");

  EXPECT_FALSE(read_command_line(""));
  EXPECT_FALSE(read_command_line(" \t "));
  EXPECT_FALSE(read_command_line("# a comment"));
}

TEST(ClientCommands, OwnCommandsDoNotShadowTheTrackers) {
  std::set<std::string_view> seen;
  for (const auto& c : local_commands()) {
    EXPECT_TRUE(seen.insert(c.name).second) << c.name;
    EXPECT_EQ(proto::find_command(c.name), nullptr) << c.name;
    // The irssi-style chat commands are shown as typed, with their slash.
    const std::string_view usage = c.usage.starts_with('/') ? c.usage.substr(1) : c.usage;
    EXPECT_TRUE(usage.starts_with(c.name)) << c.name;
    EXPECT_LE(c.min_args, c.max_args) << c.name;
  }
}

// list_files shows sizes for people; file_info keeps the bytes.
TEST(ReadableSizes, ListFilesLines) {
  EXPECT_EQ(readable_file_line("movie.mkv size=4823449 uploader=alice seeders=1 leechers=0"),
            "movie.mkv 4.6 MiB uploader=alice seeders=1 leechers=0");
  EXPECT_EQ(readable_file_line("\"a size=1 b\" size=10 uploader=bob seeders=0 leechers=0"),
            "\"a size=1 b\" 10 B uploader=bob seeders=0 leechers=0");
  EXPECT_EQ(readable_file_line("no sizes here"), "no sizes here");
  EXPECT_EQ(readable_file_line("x size=12ab uploader=a"), "x size=12ab uploader=a");
}

}  // namespace
}  // namespace swarmhub::client
