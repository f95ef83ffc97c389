#include "swarmhub/net/host_port.hpp"

#include <gtest/gtest.h>

namespace swarmhub::net {
namespace {

TEST(HostPort, ParsesTheForms) {
  auto a = parse_host_port("127.0.0.1:7070");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7070);
  auto b = parse_host_port("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->to_string(), "[::1]:0");
  auto c = parse_host_port("9000");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "");
  auto d = parse_host_port("localhost:65535");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 65535);
}

TEST(HostPort, RejectsBadInputWithAReason) {
  std::string why;
  EXPECT_FALSE(parse_host_port("host:65536", &why));
  EXPECT_NE(why.find("port"), std::string::npos);
  EXPECT_FALSE(parse_host_port("host:", &why));
  EXPECT_FALSE(parse_host_port(":80", &why));
  EXPECT_FALSE(parse_host_port("::1:80", &why));
  EXPECT_FALSE(parse_host_port("[::1]80", &why));
  EXPECT_FALSE(parse_host_port("host:8o", &why));
  EXPECT_FALSE(parse_host_port("", &why));
}

}  // namespace
}  // namespace swarmhub::net
