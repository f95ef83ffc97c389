// --plaintext: who may connect without TLS, as a pure function of the address and the mode.

#include <gtest/gtest.h>

#include "swarmhub/tracker/conn/plaintext_rule.hpp"

namespace swarmhub::tracker {
namespace {

bool allowed(const char* address, plaintext_mode mode) {
  return plaintext_allowed(asio::ip::make_address(address), mode);
}

TEST(PlaintextRule, ModesParseAndNothingElse) {
  EXPECT_EQ(parse_plaintext_mode("allow"), plaintext_mode::allow);
  EXPECT_EQ(parse_plaintext_mode("loopback"), plaintext_mode::loopback);
  EXPECT_EQ(parse_plaintext_mode("refuse"), plaintext_mode::refuse);
  EXPECT_FALSE(parse_plaintext_mode("Loopback"));
  EXPECT_FALSE(parse_plaintext_mode(""));
  EXPECT_FALSE(parse_plaintext_mode("yes"));
}

TEST(PlaintextRule, LoopbackServesOnlyThisMachine) {
  for (const char* local : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(allowed(local, plaintext_mode::loopback)) << local;
  }
  for (const char* remote : {"10.0.0.1", "192.168.1.20", "8.8.8.8", "128.0.0.1", "::2",
                             "2001:db8::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0"}) {
    EXPECT_FALSE(allowed(remote, plaintext_mode::loopback)) << remote;
  }
}

TEST(PlaintextRule, AllowAndRefuseIgnoreTheAddress) {
  for (const char* address : {"127.0.0.1", "::1", "10.0.0.1", "2001:db8::1"}) {
    EXPECT_TRUE(allowed(address, plaintext_mode::allow)) << address;
    EXPECT_FALSE(allowed(address, plaintext_mode::refuse)) << address;
  }
}

}  // namespace
}  // namespace swarmhub::tracker
