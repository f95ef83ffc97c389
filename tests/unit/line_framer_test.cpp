#include "swarmhub/proto/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarmhub::proto {
namespace {

std::vector<frame> drain(line_framer& f) {
  std::vector<frame> out;
  while (auto fr = f.next()) out.push_back(std::move(*fr));
  return out;
}

TEST(LineFramer, SplitsOnLfAndCrLf) {
  line_framer f;
  f.append("one\ntwo\r\nthree");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text, "one");
  EXPECT_EQ(frames[1].text, "two");
  EXPECT_EQ(f.buffered(), 5u);
  f.append("\n");
  frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].text, "three");
}

TEST(LineFramer, LineSplitAcrossManyAppends) {
  line_framer f;
  for (char c : std::string("hello world\r")) {
    f.append(std::string(1, c));
    EXPECT_FALSE(f.next());
  }
  f.append("\n");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].text, "hello world");
}

TEST(LineFramer, EmptyLinesAreLines) {
  line_framer f;
  f.append("\n\r\n");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text, "");
  EXPECT_EQ(frames[1].text, "");
}

TEST(LineFramer, LineAtTheLimitPasses) {
  line_framer f(8);
  f.append("12345678\r\n");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].what, frame::kind::line);
}

TEST(LineFramer, OverlongLineInOneChunkIsOneTooLong) {
  line_framer f(8);
  f.append("123456789\nnext\n");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].what, frame::kind::too_long);
  EXPECT_EQ(frames[1].text, "next");
}

TEST(LineFramer, OverlongLineIsReportedEarlyAndItsRestDropped) {
  line_framer f(8);
  f.append("123456789");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].what, frame::kind::too_long);
  EXPECT_EQ(f.buffered(), 0u);
  // However long the line goes on, nothing more is held and nothing more is reported.
  for (int i = 0; i < 1000; ++i) {
    f.append(std::string(4096, 'x'));
    EXPECT_FALSE(f.next());
    EXPECT_EQ(f.buffered(), 0u);
  }
  f.append("tail\nafter\n");
  frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].text, "after");
}

TEST(LineFramer, ReleasingKeepsAnUnfinishedLine) {
  line_framer f;
  f.append("done\nhalf of a longer line than the small string buffer");
  ASSERT_EQ(drain(f).size(), 1u);
  f.release_if_empty();  // not empty: nothing is lost
  EXPECT_EQ(f.buffered(), 50u);
  f.append(" ends\n");
  const auto frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].text, "half of a longer line than the small string buffer ends");
}

TEST(LineFramer, AReleasedFramerGoesOnAsBefore) {
  line_framer f(8);
  f.append("one\n");
  ASSERT_EQ(drain(f).size(), 1u);
  f.release_if_empty();
  EXPECT_EQ(f.buffered(), 0u);
  f.append("two\r");
  f.release_if_empty();  // a CR that may begin a CRLF is held, not released
  f.append("\nthree\n");
  auto frames = drain(f);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text, "two");
  EXPECT_EQ(frames[1].text, "three");
  // Inside an overlong line, a release does not forget that the line's rest is dropped.
  f.append("123456789");
  ASSERT_EQ(drain(f).size(), 1u);
  f.release_if_empty();
  f.append("rest\nnext\n");
  frames = drain(f);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].text, "next");
}

}  // namespace
}  // namespace swarmhub::proto
