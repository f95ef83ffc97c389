#include "swarmhub/proto/reply.hpp"

#include <gtest/gtest.h>

namespace swarmhub::proto {
namespace {

TEST(ReplyBuilder, DataLinesThenOk) {
  reply_builder b;
  b.data("first");
  b.data("second");
  b.ok("2 things");
  EXPECT_TRUE(b.finished());
  EXPECT_EQ(b.take(), "- first\n- second\nOK 2 things\n");
}

TEST(ReplyBuilder, ErrorCarriesItsWireCode) {
  reply_builder b;
  b.error(error_code::bad_arguments, "usage: x");
  EXPECT_EQ(b.take(), "ERR BAD_ARGUMENTS usage: x\n");
}

TEST(ReplyBuilder, TextCannotForgeALine) {
  reply_builder b;
  b.data("a\nOK forged");
  b.ok("b\r\n* EVENT");
  EXPECT_EQ(b.take(), "- a OK forged\nOK b  * EVENT\n");
  EXPECT_EQ(format_event("MSG", "x\ny"), "* MSG x y\n");
}

TEST(ReplyParser, ParsesWhatTheBuilderMakes) {
  reply_builder b;
  b.data("line one");
  b.error(error_code::not_logged_in, "log in first");
  reply_parser p;
  std::string all = b.take();
  std::vector<parsed_line> results;
  std::size_t start = 0;
  for (auto lf = all.find('\n'); lf != std::string::npos; lf = all.find('\n', start)) {
    results.push_back(p.feed(std::string_view(all).substr(start, lf - start)));
    start = lf + 1;
  }
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(results[0]));
  const auto& r = std::get<reply>(results[1]);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "NOT_LOGGED_IN");
  EXPECT_EQ(r.text, "log in first");
  EXPECT_EQ(r.data, std::vector<std::string>{"line one"});
}

TEST(ReplyParser, EventsAndBareOk) {
  reply_parser p;
  auto e = std::get<event>(p.feed("* CLOSING shutdown server is closing"));
  EXPECT_EQ(e.name, "CLOSING");
  EXPECT_EQ(e.text, "shutdown server is closing");
  auto ok = std::get<reply>(p.feed("OK"));
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.text, "");
  EXPECT_TRUE(std::holds_alternative<protocol_violation>(p.feed("garbage")));
}

TEST(ErrorCodes, WireNamesAreUpperSnakeCase) {
  for (auto code :
       {error_code::unknown_command, error_code::bad_arguments, error_code::line_too_long,
        error_code::bad_encoding, error_code::auth_required, error_code::not_logged_in,
        error_code::already_logged_in, error_code::internal}) {
    for (char c : wire_name(code)) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_');
  }
}

}  // namespace
}  // namespace swarmhub::proto
