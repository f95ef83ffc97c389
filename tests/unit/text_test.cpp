#include "swarmhub/util/text.hpp"

#include <gtest/gtest.h>
#include <limits>

#include "swarmhub/util/time.hpp"

namespace swarmhub::util {
namespace {

TEST(IsoTime, ParsesWhatItWrites) {
  for (const std::int64_t ms : {std::int64_t{0}, std::int64_t{1764633600123},
                                std::int64_t{951782400999}, std::int64_t{4102444799000}}) {
    EXPECT_EQ(parse_iso_utc_ms(iso_utc_ms(ms)), ms) << iso_utc_ms(ms);
  }
  EXPECT_EQ(parse_iso_utc_ms("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(parse_iso_utc_ms("1970-01-01T00:00:01.5Z"), 1500);
  for (const char* bad :
       {"", "1970-01-01T00:00:01", "1970-01-01 00:00:01Z", "1970-13-01T00:00:01Z",
        "1970-01-01T00:00:01.1234Z", "1970-01-01T00:00:01,5Z", "197x-01-01T00:00:01Z", "*"}) {
    EXPECT_FALSE(parse_iso_utc_ms(bad)) << bad;
  }
}

TEST(Utf8, AcceptsAsciiAndMultibyte) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("hello"));
  EXPECT_TRUE(is_valid_utf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("a\x80z"));            // lone continuation byte
}

TEST(ControlChars, TabIsFineEscapeAndNulAreNot) {
  EXPECT_FALSE(has_control_chars("a\tb"));
  EXPECT_TRUE(has_control_chars("a\x1b[2Jb"));
  EXPECT_TRUE(has_control_chars(std::string_view("a\0b", 3)));
  EXPECT_TRUE(has_control_chars("del\x7f"));
}

TEST(ControlChars, C1ControlsAndBidiFormattingAreRefusedToo) {
  EXPECT_TRUE(has_control_chars("\u0085"));             // NEL
  EXPECT_TRUE(has_control_chars("a\u009b2Jb"));         // CSI
  EXPECT_TRUE(has_control_chars("file\u202etxt.exe"));  // RIGHT-TO-LEFT OVERRIDE
  for (const char* bidi :
       {"\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"}) {
    EXPECT_TRUE(has_control_chars(bidi)) << bidi;
  }
  EXPECT_FALSE(has_control_chars("\u00a0\u00e9\u2029\u206a\u05e9"));  // neighbours are fine
}

TEST(Escaped, EveryUnsafeCharacterShowsAsAnEscape) {
  EXPECT_EQ(escaped("plain caf\u00e9"), "plain caf\u00e9");
  EXPECT_EQ(escaped("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(escaped("x\u202ey"), "x\\u202ey");
  EXPECT_EQ(escaped("\u009b"), "\\x9b");
  EXPECT_EQ(escaped("\xff"), "\\xff");
  EXPECT_EQ(escaped("tab\tok"), "tab\tok");
  EXPECT_EQ(escaped_lines("a\x07\nb\n"), "a\\x07\nb\n");
}

TEST(PathComponent, OnlyOneNameInsideAFolder) {
  EXPECT_TRUE(is_path_component("shares.json"));
  EXPECT_TRUE(is_path_component("alice"));
  for (const char* bad : {"", ".", "..", "../../x", "a/b", "a\\b", "x\u202e", "x\n"}) {
    EXPECT_FALSE(is_path_component(bad)) << bad;
  }
  EXPECT_FALSE(is_path_component(std::string(256, 'a')));
}

TEST(Printable, ReplacesBadBytesAndCutsOnCharacterBoundary) {
  EXPECT_EQ(printable("ok"), "ok");
  EXPECT_EQ(printable("a\x1b[0m"), "a?[0m");
  EXPECT_EQ(printable("\xFF"), "?");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("a\xC3\xA9", 2), "a...");  // é does not fit, and is not split
}

TEST(Trim, RemovesSpacesAndTabsAtBothEnds) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(trim(" \t "), "");
}

}  // namespace
TEST(AsciiCase, FoldsAsciiLettersOnly) {
  EXPECT_EQ(util::ascii_lower("Alice_01.Z-x"), "alice_01.z-x");
  EXPECT_EQ(util::ascii_lower("\xC3\x89t\xC3\xA9"), "\xC3\x89t\xC3\xA9");  // É stays É
  EXPECT_EQ(util::ascii_lower('Q'), 'q');
  EXPECT_EQ(util::ascii_lower('@'), '@');  // the byte before 'A'
  EXPECT_EQ(util::ascii_lower('['), '[');  // the byte after 'Z'
  EXPECT_TRUE(util::iequals_ascii("Content-LENGTH", "content-length"));
  EXPECT_FALSE(util::iequals_ascii("lobby", "lobby "));
  EXPECT_FALSE(util::iequals_ascii("@", "`"));  // differ by 0x20 but are no letters
}

TEST(ParseCount, DigitsOnlyTheWholeTextWithinRange) {
  EXPECT_EQ(parse_count("0"), 0);
  EXPECT_EQ(parse_count("1024"), 1024);
  EXPECT_EQ(parse_count("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  for (const std::string_view bad :
       {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "9223372036854775808"}) {
    EXPECT_FALSE(parse_count(bad)) << bad;
  }
}

}  // namespace swarmhub::util
