// tracker_info.txt: every accepted form, and an error naming the line for anything else.

#include <gtest/gtest.h>

#include <fstream>

#include "process.hpp"
#include "swarmhub/net/tracker_list.hpp"

namespace swarmhub::net {
namespace {

std::vector<std::string> addresses(std::string_view text) {
  const auto list = parse_tracker_list(text);
  EXPECT_EQ(list.error, "") << text;
  std::vector<std::string> out;
  for (const auto& t : list.trackers) out.push_back(t.to_string());
  return out;
}

std::string error_of(std::string_view text) {
  const auto list = parse_tracker_list(text);
  EXPECT_TRUE(list.trackers.empty()) << text;
  return list.error;
}

TEST(TrackerList, EveryAcceptedForm) {
  EXPECT_EQ(addresses("127.0.0.1:9001\n127.0.0.1 9002\n3 127.0.0.1:9003\n4 127.0.0.1 9004\n"),
            (std::vector<std::string>{"127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003",
                                      "127.0.0.1:9004"}));
  EXPECT_EQ(addresses("[::1]:9001\n::1 9002\nlocalhost:9003"),
            (std::vector<std::string>{"[::1]:9001", "[::1]:9002", "localhost:9003"}));
}

TEST(TrackerList, BlankLinesCommentsSpacesAndCrlfAreIgnored) {
  EXPECT_EQ(addresses("# the trackers\r\n\r\n   \n\t1\t127.0.0.1:9001   # first\r\n"
                      "2 127.0.0.1:9002"),
            (std::vector<std::string>{"127.0.0.1:9001", "127.0.0.1:9002"}));
}

TEST(TrackerList, ErrorsNameTheLine) {
  EXPECT_EQ(error_of(""), "no tracker is listed");
  EXPECT_EQ(error_of("# nothing\n\n"), "no tracker is listed");
  EXPECT_EQ(error_of("127.0.0.1:9001\nhello world again\n"),
            "line 2: expected HOST:PORT, HOST PORT, or a tracker number before either");
  EXPECT_EQ(error_of("127.0.0.1:99999"),
            "line 1: '127.0.0.1:99999': port must be a number from 0 to 65535");
  EXPECT_EQ(error_of("\n\n127.0.0.1 port"),
            "line 3: expected HOST:PORT, HOST PORT, or a tracker number before either");
  EXPECT_EQ(error_of("9001"), "line 1: '9001': a host is needed");
  EXPECT_EQ(error_of("1 9001"), "line 1: '1:9001': a host is needed");
  EXPECT_EQ(error_of("127.0.0.1:0"), "line 1: '127.0.0.1:0': port 0 is not a tracker");
  EXPECT_EQ(error_of("2 127.0.0.1:9001"),
            "line 1: tracker number 2 is out of order (this is tracker 1)");
  EXPECT_EQ(error_of("127.0.0.1:9001\n127.0.0.1 9001"), "line 2: 127.0.0.1:9001 is listed twice");
  EXPECT_EQ(error_of("::1:9001"), "line 1: '::1:9001': an IPv6 host needs brackets");
}

TEST(TrackerList, ReadingAFileNamesIt) {
  test::temp_dir dir;
  const auto path = dir.file("tracker_info.txt");
  std::ofstream(path) << "1 127.0.0.1:9001\n2 127.0.0.1:9002\n";
  EXPECT_EQ(read_tracker_list(path).trackers.size(), 2u);
  std::ofstream(path) << "oops\n";
  EXPECT_EQ(read_tracker_list(path).error, path + ": line 1: '" + std::string("oops") +
                                               "': port must be a number from 0 to 65535");
  EXPECT_EQ(read_tracker_list(dir.file("missing.txt")).error,
            dir.file("missing.txt") + ": cannot be read");
}

const std::string pin_a =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:"
    "89";

TEST(TrackerList, APinMayFollowEveryForm) {
  const auto lower = "sha256=abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
  const auto list =
      parse_tracker_list("127.0.0.1:9001 sha256=" + pin_a + "\n127.0.0.1 9002\n" +
                         "3 127.0.0.1:9003 " + lower + "\n4 ::1 9004 " + lower + "  # pinned\n");
  ASSERT_EQ(list.error, "");
  ASSERT_EQ(list.trackers.size(), 4u);
  EXPECT_EQ(list.trackers[3].to_string(), "[::1]:9004");
  EXPECT_EQ(list.pins, (std::vector<std::string>{pin_a, "", pin_a, pin_a}));
}

TEST(TrackerList, ABadPinNamesTheLine) {
  EXPECT_EQ(error_of("127.0.0.1:9001\n127.0.0.1:9002 sha256=AB:CD"),
            "line 2: 'sha256=AB:CD' is not a SHA-256 fingerprint (32 bytes of hex)");
  EXPECT_EQ(error_of("sha256=" + pin_a),
            "line 1: 'sha256=" + pin_a + "': an IPv6 host needs brackets");
  EXPECT_TRUE(parse_tracker_list("127.0.0.1:9001 sha256=zz").pins.empty());
}

TEST(TrackerList, AnAddressMaySayTlsOrTcp) {
  const auto list = parse_tracker_list(
      "tls://host.example:9001\n2 tcp://127.0.0.1:9002\n3 tcp://127.0.0.1 9003\n"
      "127.0.0.1:9004 sha256=" +
      std::string(64, 'A') + "\n");
  ASSERT_EQ(list.error, "");
  ASSERT_EQ(list.trackers.size(), 4u);
  EXPECT_EQ(list.trackers[0].to_string(), "host.example:9001");
  EXPECT_EQ(list.trackers[2].to_string(), "127.0.0.1:9003");
  EXPECT_EQ(list.schemes,
            (std::vector<tracker_scheme>{tracker_scheme::tls, tracker_scheme::plaintext,
                                         tracker_scheme::plaintext, tracker_scheme::tls}));
  EXPECT_EQ(error_of("udp://127.0.0.1:9001\n"),
            "line 1: unknown scheme 'udp' (use tls:// or tcp://)");
}

}  // namespace
}  // namespace swarmhub::net
