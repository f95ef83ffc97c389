// Tracker addresses with a scheme: tls:// and bare HOST:PORT are TLS, tcp:// is plaintext.

#include "swarmhub/net/tracker_endpoint.hpp"

#include <gtest/gtest.h>

namespace swarmhub::net {
namespace {

TEST(TrackerEndpoint, SchemesAndTheBareForm) {
  const auto bare = parse_tracker_address("example.org:9001");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->scheme, tracker_scheme::tls);
  EXPECT_EQ(bare->address.host, "example.org");
  EXPECT_EQ(bare->address.port, 9001);
  EXPECT_EQ(bare->to_string(), "tls://example.org:9001");

  const auto tls = parse_tracker_address("tls://[::1]:9002");
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->scheme, tracker_scheme::tls);
  EXPECT_EQ(tls->to_string(), "tls://[::1]:9002");

  const auto tcp = parse_tracker_address("tcp://127.0.0.1:9003");
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->scheme, tracker_scheme::plaintext);
  EXPECT_EQ(tcp->to_string(), "tcp://127.0.0.1:9003");
}

TEST(TrackerEndpoint, ErrorsSayWhy) {
  const auto error_of = [](std::string_view text) {
    std::string why;
    EXPECT_FALSE(parse_tracker_address(text, &why)) << text;
    return why;
  };
  EXPECT_EQ(error_of("http://127.0.0.1:9001"), "unknown scheme 'http' (use tls:// or tcp://)");
  EXPECT_EQ(error_of("tls://9001"), "a host is needed");
  EXPECT_EQ(error_of("tcp://127.0.0.1:0"), "port 0 is not a tracker");
  EXPECT_EQ(error_of("tls://127.0.0.1"), "port must be a number from 0 to 65535");
  EXPECT_EQ(error_of("tls://::1:9001"), "an IPv6 host needs brackets");
  EXPECT_EQ(error_of(""), "port must be a number from 0 to 65535");
}

TEST(TrackerEndpoint, LoopbackHosts) {
  for (const char* host : {"localhost", "127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (const char* host :
       {"10.0.0.1", "example.org", "::", "0.0.0.0", "::ffff:10.0.0.1", "localhost.example.org", ""})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

}  // namespace
}  // namespace swarmhub::net
