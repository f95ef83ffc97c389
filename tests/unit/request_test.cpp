#include "swarmhub/proto/request.hpp"

#include <gtest/gtest.h>

namespace swarmhub::proto {
namespace {

using strings = std::vector<std::string>;

TEST(SplitVerb, TakesFirstWordAndTrimsTheRest) {
  auto [verb, rest] = split_verb("  login  alice   secret  ");
  EXPECT_EQ(verb, "login");
  EXPECT_EQ(rest, "alice   secret");
  auto only = split_verb("quit");
  EXPECT_EQ(only.verb, "quit");
  EXPECT_EQ(only.rest, "");
}

TEST(SplitArguments, PlainWords) {
  auto a = split_arguments("a  b\tc", 5, false);
  EXPECT_TRUE(a.error.empty());
  EXPECT_EQ(a.values, (strings{"a", "b", "c"}));
}

TEST(SplitArguments, QuotedWordsKeepSpacesAndEscapes) {
  auto a = split_arguments(R"("my file.txt" "say \"hi\"" back\slash "a\\b")", 5, false);
  ASSERT_TRUE(a.error.empty());
  EXPECT_EQ(a.values, (strings{"my file.txt", "say \"hi\"", "back\\slash", "a\\b"}));
}

TEST(SplitArguments, EmptyQuotedArgument) {
  auto a = split_arguments(R"("" x)", 5, false);
  ASSERT_TRUE(a.error.empty());
  EXPECT_EQ(a.values, (strings{"", "x"}));
}

TEST(SplitArguments, UnterminatedQuoteIsAnError) {
  auto a = split_arguments(R"(a "b c)", 5, false);
  EXPECT_EQ(a.error, "unterminated quote");
  EXPECT_TRUE(a.values.empty());
}

TEST(SplitArguments, TextTailTakesTheRestVerbatim) {
  auto a = split_arguments(R"(bob  hello   "world" \ ok )", 2, true);
  ASSERT_TRUE(a.error.empty());
  EXPECT_EQ(a.values, (strings{"bob", R"(hello   "world" \ ok)"}));
  auto only_dest = split_arguments("bob", 2, true);
  EXPECT_EQ(only_dest.values, (strings{"bob"}));
}

// `msg bob ""` is an empty message, not two quote characters; other quotes stay verbatim.
TEST(SplitArguments, AnEmptyQuotedTextTailIsEmpty) {
  EXPECT_EQ(split_arguments(R"(bob "")", 2, true).values, (strings{"bob", ""}));
  EXPECT_EQ(split_arguments(R"(bob "" x)", 2, true).values, (strings{"bob", R"("" x)"}));
}

TEST(QuoteArgument, RoundTrips) {
  for (std::string v : {"plain", "with space", "q\"uote", "back\\slash", ""}) {
    auto a = split_arguments(quote_argument(v), 1, false);
    ASSERT_EQ(a.values.size(), 1u) << v;
    EXPECT_EQ(a.values[0], v);
  }
}

}  // namespace
}  // namespace swarmhub::proto
