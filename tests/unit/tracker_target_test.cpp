// The client's trackers from its command line: TLS by default, plaintext only to loopback,
// pins from --pin or the list, and the announce URL each tracker gets.

#include "swarmhub/client/tracker_target.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "process.hpp"

namespace swarmhub::client {
namespace {

const std::string fp_a = "sha256=" + std::string(64, 'a');
const std::string canonical_a = [] {
  std::string out;
  for (int i = 0; i < 32; ++i) out += i == 0 ? "AA" : ":AA";
  return out;
}();

TEST(TrackerTarget, OneAddressIsTlsUnlessItSaysTcp) {
  const auto bare = resolve_trackers("tracker.example:9001");
  ASSERT_EQ(bare.error, "");
  ASSERT_EQ(bare.trackers.size(), 1u);
  EXPECT_TRUE(bare.trackers[0].uses_tls());
  EXPECT_EQ(bare.trackers[0].to_string(), "tls://tracker.example:9001");

  const auto plain = resolve_trackers("tcp://127.0.0.1:9002");
  ASSERT_EQ(plain.error, "");
  EXPECT_FALSE(plain.trackers[0].uses_tls());
  EXPECT_EQ(resolve_trackers("tcp://[::1]:9002").error, "");
  EXPECT_EQ(resolve_trackers("tcp://localhost:9002").error, "");
}

TEST(TrackerTarget, PlaintextToAnotherHostIsRefusedSayingWhatToUse) {
  EXPECT_EQ(resolve_trackers("tcp://192.0.2.7:9001").error,
            "tcp://192.0.2.7:9001: plaintext (tcp://) is allowed only to a loopback address; "
            "use tls://192.0.2.7:9001");
  test::temp_dir dir;
  std::ofstream(dir.file("list")) << "tcp://127.0.0.1:9001\ntcp://tracker.example:9002\n";
  EXPECT_NE(resolve_trackers(dir.file("list")).error.find("tcp://tracker.example:9002: plaintext"),
            std::string::npos);
}

TEST(TrackerTarget, PinsComeFromTheFlagOrTheList) {
  const auto flagged = resolve_trackers("127.0.0.1:9001", fp_a);
  ASSERT_EQ(flagged.error, "");
  EXPECT_EQ(flagged.trackers[0].pin, canonical_a);

  test::temp_dir dir;
  const std::string own = "sha256=" + std::string(64, 'b');
  std::ofstream(dir.file("list")) << "127.0.0.1:9001 " << own
                                  << "\ntls://127.0.0.1:9002\ntcp://127.0.0.1:9003\n";
  const auto listed = resolve_trackers(dir.file("list"), fp_a);
  ASSERT_EQ(listed.error, "");
  ASSERT_EQ(listed.trackers.size(), 3u);
  EXPECT_EQ(listed.trackers[0].pin.substr(0, 5), "BB:BB");  // its own pin wins
  EXPECT_EQ(listed.trackers[1].pin, canonical_a);           // the flag's for the rest
  EXPECT_EQ(listed.trackers[2].pin, "");                    // plaintext has no certificate

  EXPECT_NE(resolve_trackers("127.0.0.1:9001", "sha256=AB:CD").error.find("not a SHA-256"),
            std::string::npos);
  EXPECT_EQ(resolve_trackers("tcp://127.0.0.1:9001", fp_a).error,
            "tcp://127.0.0.1:9001: a pin needs TLS (tls://)");
}

TEST(TrackerTarget, NeitherAnAddressNorAListSaysBoth) {
  const auto bad = resolve_trackers("/nonexistent/tracker_info.txt");
  EXPECT_TRUE(bad.trackers.empty());
  EXPECT_NE(bad.error.find("expected [tls://|tcp://]HOST:PORT"), std::string::npos);
  EXPECT_NE(bad.error.find("cannot be read"), std::string::npos);
}

TEST(TrackerTarget, AnnouncesToTlsTrackersGoThroughTheRelay) {
  const auto base = [](const std::string& address) {
    return announce_base(resolve_trackers(address).trackers.at(0), "http://127.0.0.1:5555");
  };
  EXPECT_EQ(base("tracker.example:9001"), "http://127.0.0.1:5555");
  EXPECT_EQ(base("tls://127.0.0.1:9001"), "http://127.0.0.1:5555");
  EXPECT_EQ(base("tcp://[::1]:9001"), "http://[::1]:9001");
  EXPECT_EQ(announce_url(base("tcp://127.0.0.1:9001"), "g", "k"),
            "http://127.0.0.1:9001/announce/g?pk=k");
}

TEST(TrackerTarget, OtherClientsAnnounceOverHttpsToRemoteTlsTrackersOnly) {
  const auto url = [](const std::string& address) {
    return public_announce_url(resolve_trackers(address).trackers.at(0), "g", "k");
  };
  EXPECT_EQ(url("tracker.example:9001"), "https://tracker.example:9001/announce/g?pk=k");
  EXPECT_EQ(url("tls://127.0.0.1:9001"), "http://127.0.0.1:9001/announce/g?pk=k");
  EXPECT_EQ(url("tcp://[::1]:9001"), "http://[::1]:9001/announce/g?pk=k");
}

}  // namespace
}  // namespace swarmhub::client
