// The IRC message codec (tracker/irc/message.hpp): tags, source, parameters, limits.

#include <gtest/gtest.h>

#include "swarmhub/tracker/irc/message.hpp"

namespace swarmhub::tracker::irc {
namespace {

TEST(IrcMessage, ParsesTagsSourceCommandAndTrailing) {
  const auto p = parse(
      R"(@time=2026-01-01T00:00:00Z;+x=a\sb\:c\\d;flag :nick!u@h PRIVMSG #room :hi there :))");
  ASSERT_TRUE(p.msg);
  const auto& m = *p.msg;
  ASSERT_EQ(m.tags.size(), 3u);
  EXPECT_EQ(m.tags[0], (std::pair<std::string, std::string>{"time", "2026-01-01T00:00:00Z"}));
  EXPECT_EQ(m.tags[1].second, "a b;c\\d");
  EXPECT_EQ(m.tags[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(m.source, "nick!u@h");
  EXPECT_EQ(m.command, "PRIVMSG");
  EXPECT_EQ(m.params, (std::vector<std::string>{"#room", "hi there :)"}));
}

TEST(IrcMessage, MiddleParametersAndRepeatedSpaces) {
  const auto p = parse("USER  alice 0   *  :Alice A");
  ASSERT_TRUE(p.msg);
  EXPECT_EQ(p.msg->params, (std::vector<std::string>{"alice", "0", "*", "Alice A"}));
  EXPECT_EQ(parse("PING :").msg->params, std::vector<std::string>{""});
}

TEST(IrcMessage, LimitsAndEmptyLines) {
  EXPECT_EQ(parse("").problem, parse_problem::empty);
  EXPECT_EQ(parse("@a=b").problem, parse_problem::no_command);
  EXPECT_TRUE(parse("PING " + std::string(max_body - 7, 'x')).msg);  // 510 bytes + CR LF
  EXPECT_EQ(parse("PING " + std::string(max_body - 6, 'x')).problem, parse_problem::too_long);
  EXPECT_TRUE(parse("@a=" + std::string(max_tags - 5, 'x') + " PING x").msg);
  EXPECT_EQ(parse("@a=" + std::string(max_tags - 3, 'x') + " PING x").problem,
            parse_problem::too_long);
}

TEST(IrcMessage, FormatsWithTrailingOnlyWhenNeededAndNoLineBreaks) {
  EXPECT_EQ(format(message{{}, "swarmhub", "PONG", {"swarmhub", "x"}}),
            ":swarmhub PONG swarmhub x\r\n");
  EXPECT_EQ(
      format(message{{{"time", "t"}, {"k", "a b;c"}}, "a!a@h", "PRIVMSG", {"#r", "two words"}}),
      "@time=t;k=a\\sb\\:c :a!a@h PRIVMSG #r :two words\r\n");
  EXPECT_EQ(format(message{{}, {}, "NOTICE", {"n", ":colon"}}), "NOTICE n ::colon\r\n");
  EXPECT_EQ(format(message{{}, {}, "NOTICE", {"n", "a\r\nQUIT"}}), "NOTICE n :a  QUIT\r\n");
  EXPECT_EQ(format(message{{}, {}, "NOTICE", {"n", ""}}), "NOTICE n :\r\n");
  EXPECT_EQ(format(message{{}, {}, "432", {"a b", "", "text"}}), "432 a_b * text\r\n");
}

TEST(IrcMessage, SplitsWordsIntoLinesOfAMaximumLength) {
  using lines = std::vector<std::string>;
  EXPECT_EQ(split_words("", 10), lines{""});
  EXPECT_EQ(split_words("a bb ccc", 100), lines{"a bb ccc"});
  EXPECT_EQ(split_words("aaaa bbbb cccc", 9), (lines{"aaaa bbbb", "cccc"}));
  EXPECT_EQ(split_words("  aaaa   bbbb ", 4), (lines{"aaaa", "bbbb"}));
  EXPECT_EQ(split_words("toolongword x", 4), (lines{"toolongword", "x"}));
}

TEST(IrcMessage, RecognisesHowIrcClientsStart) {
  for (const char* line : {"CAP LS 302", "NICK alice", "USER a 0 * :A", "PASS secret", "CAP"})
    EXPECT_TRUE(starts_irc(line)) << line;
  for (const char* line :
       {"cap ls", "NICKNAME x", "login alice pw", "GET / HTTP/1.1", "PASSWORD x"})
    EXPECT_FALSE(starts_irc(line)) << line;
}

}  // namespace
}  // namespace swarmhub::tracker::irc
