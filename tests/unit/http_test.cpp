#include "swarmhub/proto/http.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>

namespace swarmhub::proto::http {
namespace {

std::string value(const query_params& q, std::string_view key) {
  std::string scratch;
  return std::string(q.get(key, scratch));
}

TEST(Response, HeadKeepsTheHeadersAndTheLengthOnly) {
  std::string r = proto::http::response(200, "OK", "text/plain", "ok\n", true);
  proto::http::keep_headers_only(r);
  EXPECT_EQ(r,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(PercentDecode, EscapesPlusAndMalformedEscapes) {
  EXPECT_EQ(percent_decode("a%20b+c%2B"), "a b c+");
  EXPECT_EQ(percent_decode("%00%ff%FF"), std::string("\0\xff\xff", 3));
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("ab%4"));
  EXPECT_FALSE(percent_decode("%g0"));
  EXPECT_FALSE(percent_decode("%0g"));
}

TEST(PercentDecodeExact, OnlyTheWantedSize) {
  std::array<char, 4> out{};
  EXPECT_TRUE(percent_decode_exact("%00a+%FF", out));
  EXPECT_EQ(std::string_view(out.data(), out.size()), std::string_view("\0a \xff", 4));
  EXPECT_FALSE(percent_decode_exact("abc", out));    // short
  EXPECT_FALSE(percent_decode_exact("abcde", out));  // long
  EXPECT_FALSE(percent_decode_exact("%41%42%43%44%45", out));
  EXPECT_FALSE(percent_decode_exact("abc%4", out));  // malformed
  EXPECT_FALSE(percent_decode_exact("ab%zz", out));
  EXPECT_FALSE(percent_decode_exact("", out));
  std::array<char, 0> none{};
  EXPECT_TRUE(percent_decode_exact("", none));
}

TEST(QueryParams, ReadsAnAnnounceInPlace) {
  const std::string query =
      "info_hash=%12%34V%78%9a%BC%de%f0%00%11%22%33%44%55%66%77%88%99%aa%bb&peer_id=-BN0001-"
      "000000000042&port=6881&left=0&compact=1&numwant=50&pk=0123abcd";
  const auto q = query_params::parse(query);
  ASSERT_TRUE(q);
  std::array<char, 20> hash{};
  ASSERT_TRUE(percent_decode_exact(*q->raw("info_hash"), hash));
  EXPECT_EQ(std::string_view(hash.data(), 3), "\x12\x34V");
  EXPECT_EQ(value(*q, "peer_id"), "-BN0001-000000000042");
  EXPECT_EQ(value(*q, "port"), "6881");
  EXPECT_EQ(value(*q, "pk"), "0123abcd");
  // A plain value is a view of the query itself: nothing copied.
  std::string scratch;
  const auto port = q->get("port", scratch);
  EXPECT_GE(port.data(), query.data());
  EXPECT_LT(port.data(), query.data() + query.size());
  EXPECT_TRUE(scratch.empty());
}

TEST(QueryParams, MissingKeysAndEmptyValues) {
  const auto q = query_params::parse("a=1&empty=&bare&&=novalue&");
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->raw("missing"));
  EXPECT_FALSE(q->contains("missing"));
  EXPECT_EQ(value(*q, "missing"), "");
  EXPECT_TRUE(q->contains("empty"));
  EXPECT_EQ(*q->raw("empty"), "");
  EXPECT_TRUE(q->contains("bare"));  // a key without '=' has the empty value
  EXPECT_EQ(*q->raw("bare"), "");
  EXPECT_TRUE(q->contains(""));  // "=novalue": the empty key
  EXPECT_EQ(value(*q, ""), "novalue");
  EXPECT_FALSE(q->contains("a=1"));
  EXPECT_EQ(value(*q, "a"), "1");
  ASSERT_TRUE(query_params::parse(""));
  EXPECT_FALSE(query_params::parse("")->contains(""));
}

TEST(QueryParams, ARepeatedKeyKeepsItsFirstValue) {
  const auto q = query_params::parse("port=1&port=2&p%6Frt=3&left=&left=5");
  ASSERT_TRUE(q);
  EXPECT_EQ(value(*q, "port"), "1");
  EXPECT_EQ(value(*q, "left"), "");  // the first one, empty as it is
  const auto encoded_first = query_params::parse("p%6Frt=3&port=1");
  ASSERT_TRUE(encoded_first);
  EXPECT_EQ(value(*encoded_first, "port"), "3");  // keys compare decoded
}

TEST(QueryParams, KeysAndValuesArePercentDecoded) {
  const auto q = query_params::parse("info%5Fhash=x&a+b=c+d&%65vent=stop%70ed&e=%3D%26");
  ASSERT_TRUE(q);
  EXPECT_EQ(value(*q, "info_hash"), "x");
  EXPECT_FALSE(q->contains("info%5Fhash"));
  EXPECT_EQ(value(*q, "a b"), "c d");
  EXPECT_FALSE(q->contains("a+b"));
  EXPECT_EQ(value(*q, "event"), "stopped");
  EXPECT_EQ(value(*q, "e"), "=&");  // escaped separators stay in the value
  EXPECT_EQ(*q->raw("e"), "%3D%26");
  // A value may hold '=' unescaped: only the first one splits.
  EXPECT_EQ(value(*query_params::parse("k=a=b"), "k"), "a=b");
}

TEST(QueryParams, AMalformedEscapeAnywhereRefusesTheQuery) {
  for (const char* bad : {"%", "a=%", "a=%4", "a=%4g", "a=%g4", "a=1&b=%zz", "%zz=1", "a%=1",
                          "a=1&info_hash=%1", "a=%%41", "a=%4&b=1", "a=b%"}) {
    EXPECT_FALSE(query_params::parse(bad)) << bad;
    EXPECT_FALSE(parse_query(bad)) << bad;
  }
}

// The in-place reader and parse_query agree on every query: random ones from a small
// alphabet rich in separators and escapes.
TEST(QueryParams, AgreesWithParseQuery) {
  constexpr std::string_view alphabet = "ab=&%+4F1g";
  const std::array<std::string_view, 6> keys{"a", "b", "ab", "a b", "", "O"};
  std::mt19937 random(11);
  for (int round = 0; round < 20000; ++round) {
    std::string query;
    const auto n = random() % 14;
    for (std::size_t i = 0; i < n; ++i) query += alphabet[random() % alphabet.size()];
    const auto map = parse_query(query);
    const auto q = query_params::parse(query);
    ASSERT_EQ(map.has_value(), q.has_value()) << query;
    if (!map) continue;
    for (const auto key : keys) {
      const auto it = map->find(std::string(key));
      ASSERT_EQ(it != map->end(), q->contains(key)) << query << " key '" << key << "'";
      if (it != map->end()) {
        ASSERT_EQ(value(*q, key), it->second) << query;
      }
    }
  }
}

}  // namespace
}  // namespace swarmhub::proto::http
