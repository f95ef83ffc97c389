#include "swarmhub/proto/commands.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace swarmhub::proto {
namespace {

TEST(CommandTable, NamesAndAliasesAreUniqueAndLowerCase) {
  std::set<std::string_view> seen;
  for (const auto& spec : command_table()) {
    EXPECT_TRUE(seen.insert(spec.name).second) << spec.name;
    for (auto alias : spec.aliases) {
      if (!alias.empty()) {
        EXPECT_TRUE(seen.insert(alias).second) << alias;
      }
    }
    for (char c : spec.name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << spec.name;
    EXPECT_LE(spec.min_args, spec.max_args) << spec.name;
    EXPECT_NE(spec.allowed, 0) << spec.name;
    EXPECT_TRUE(spec.usage.starts_with(spec.name)) << spec.name;
    EXPECT_FALSE(spec.summary.empty()) << spec.name;
  }
}

TEST(CommandTable, EachIdFindsItsOwnRow) {
  for (const auto& spec : command_table()) {
    EXPECT_EQ(&spec_of(spec.id), &spec) << spec.name;
    EXPECT_EQ(find_command(spec.name), &spec) << spec.name;
  }
}

// find_command looks the folded verb up by name (the names are lower case and short enough:
// a static_assert in commands.hpp); it finds what names_command says, in any case.
TEST(CommandTable, EveryNameAndAliasIsFoundAsNamesCommandSays) {
  for (const auto& spec : command_table()) {
    std::vector<std::string_view> names{spec.name};
    for (const auto alias : spec.aliases) {
      if (!alias.empty()) names.push_back(alias);
    }
    for (const auto name : names) {
      EXPECT_EQ(find_command(name), &spec) << name;
      auto shouted = "/" + std::string(name);
      std::transform(shouted.begin(), shouted.end(), shouted.begin(),
                     [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
      EXPECT_EQ(find_command(shouted), &spec) << shouted;
      EXPECT_TRUE(names_command(shouted, name)) << shouted;
    }
  }
}

TEST(CommandTable, ExactlyThePasswordCommandsCarrySecrets) {
  std::set<std::string_view> secret;
  for (const auto& spec : command_table()) {
    if (carries_secret(spec.id)) secret.insert(spec.name);
  }
  EXPECT_EQ(secret, (std::set<std::string_view>{"auth", "change_password", "create_user", "login",
                                                "resume"}));
}

TEST(CommandTable, FindIgnoresOneSlashAndCase) {
  ASSERT_NE(find_command("quit"), nullptr);
  EXPECT_EQ(find_command("/quit"), find_command("quit"));
  EXPECT_EQ(find_command("exit"), find_command("quit"));
  EXPECT_EQ(find_command("QUIT"), find_command("quit"));
  EXPECT_EQ(find_command("//quit"), nullptr);
  EXPECT_EQ(find_command("/"), nullptr);
  EXPECT_EQ(find_command("nope"), nullptr);
  EXPECT_EQ(find_command(std::string(1000, 'q')), nullptr);
}

TEST(CommandTable, NamesCommandIsTheOneRule) {
  EXPECT_TRUE(names_command("upload_file", "upload_file"));
  EXPECT_TRUE(names_command("Upload_File", "upload_file"));
  EXPECT_TRUE(names_command("/UPLOAD_FILE", "upload_file"));
  EXPECT_FALSE(names_command("//upload_file", "upload_file"));
  EXPECT_FALSE(names_command("upload", "upload_file"));
  EXPECT_FALSE(names_command("", ""));  // an empty alias names nothing
  EXPECT_FALSE(names_command("/", ""));
}

TEST(CommandTable, DescribesStates) {
  EXPECT_EQ(describe_states(any_state), "awaiting_password, anonymous, logged_in");
  EXPECT_EQ(describe_states(mask(session_state::logged_in)), "logged_in");
}

// docs/protocol.md is the contract; its command reference must be the table's.
TEST(CommandTable, ProtocolDocumentHasTheCurrentReference) {
  std::ifstream in(SWARMHUB_SOURCE_DIR "/docs/protocol.md");
  ASSERT_TRUE(in) << "docs/protocol.md is missing";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string begin = "<!-- commands:begin -->\n";
  const std::string end = "<!-- commands:end -->";
  const auto b = doc.find(begin);
  const auto e = doc.find(end);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), render_command_reference())
      << "regenerate it: cmake --build --preset dev --target protocol-doc";
}

}  // namespace
}  // namespace swarmhub::proto
