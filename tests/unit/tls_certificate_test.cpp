// The tracker's own certificate: made once, private, kept; fingerprints as openssl prints them.

#include "swarmhub/net/tls_certificate.hpp"

#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <regex>

#include "process.hpp"
#include "swarmhub/net/fingerprint.hpp"
#include "swarmhub/net/secure_files.hpp"

namespace swarmhub::net {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// The SHA-256 of the DER encoding, computed apart from fingerprint_sha256.
std::string independent_fingerprint(X509* cert) {
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert, &der);
  EXPECT_GT(size, 0);
  unsigned char digest[32];
  unsigned int digest_size = 0;
  EXPECT_EQ(
      EVP_Digest(der, static_cast<std::size_t>(size), digest, &digest_size, EVP_sha256(), nullptr),
      1);
  OPENSSL_free(der);
  std::string out;
  char byte[4];
  for (unsigned i = 0; i < digest_size; ++i) {
    std::snprintf(byte, sizeof byte, i == 0 ? "%02X" : ":%02X", digest[i]);
    out += byte;
  }
  return out;
}

TEST(TlsCertificate, SelfSignedIsMadePrivateOnceAndKept) {
  test::temp_dir dir;
  const mode_t old_umask = ::umask(0);  // only the modes the code asks for count
  const auto first = ensure_self_signed(dir.path());
  ::umask(old_umask);
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.cert_path, dir.file("tls/cert.pem"));
  EXPECT_EQ(first.key_path, dir.file("tls/key.pem"));
  EXPECT_EQ(mode_of(dir.file("tls")), 0700u);
  EXPECT_EQ(mode_of(first.cert_path), 0600u);
  EXPECT_EQ(mode_of(first.key_path), 0600u);
  const auto fingerprint = fingerprint_sha256_of_file(first.cert_path);
  const auto key_text = test::read_file(first.key_path);

  const auto second = ensure_self_signed(dir.path());
  EXPECT_FALSE(second.created);
  EXPECT_EQ(fingerprint_sha256_of_file(second.cert_path), fingerprint);
  EXPECT_EQ(test::read_file(second.key_path), key_text);
}

TEST(TlsCertificate, SelfSignedSaysWhatTheIssueAsks) {
  test::temp_dir dir;
  const auto files = ensure_self_signed(dir.path());
  const auto cert = read_certificate_file(files.cert_path);
  ASSERT_TRUE(cert);
  char common_name[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, common_name,
                            sizeof common_name);
  EXPECT_STREQ(common_name, "swarmhub tracker");
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(cert.get())), EVP_PKEY_EC);
  // Self-signed: its own issuer, and its signature checks with its own key.
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);
  EXPECT_EQ(X509_verify(cert.get(), X509_get0_pubkey(cert.get())), 1);
  std::time_t in_nine_years = std::time(nullptr) + 9L * 365 * 24 * 3600;
  std::time_t in_eleven_years = std::time(nullptr) + 11L * 365 * 24 * 3600;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_nine_years), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_eleven_years), 0);
  EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);

  // Two trackers never share a serial number or a key by accident.
  test::temp_dir other;
  const auto cert2 = read_certificate_file(ensure_self_signed(other.path()).cert_path);
  EXPECT_NE(
      ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()), X509_get0_serialNumber(cert2.get())), 0);
  EXPECT_NE(fingerprint_sha256(cert.get()), fingerprint_sha256(cert2.get()));
}

TEST(TlsCertificate, HalfAPair) {
  test::temp_dir dir;
  const auto files = ensure_self_signed(dir.path());
  const auto fingerprint = fingerprint_sha256_of_file(files.cert_path);
  // A key alone (a start that died between the two writes) is replaced by a new pair.
  ASSERT_EQ(::unlink(files.cert_path.c_str()), 0);
  EXPECT_TRUE(ensure_self_signed(dir.path()).created);
  EXPECT_NE(fingerprint_sha256_of_file(files.cert_path), fingerprint);
  // A certificate alone is the operator's to sort out: a new key would not match it.
  ASSERT_EQ(::unlink(files.key_path.c_str()), 0);
  EXPECT_THROW(ensure_self_signed(dir.path()), std::runtime_error);
}

TEST(TlsCertificate, FingerprintsLookLikeOpensslsAndAreTheDerDigest) {
  const auto key = make_ec_key();
  certificate_spec spec;
  spec.common_name = "test";
  const auto cert = issue_certificate(spec, key.get(), nullptr, key.get());
  const auto fingerprint = fingerprint_sha256(cert.get());
  EXPECT_TRUE(std::regex_match(fingerprint, std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")))
      << fingerprint;
  EXPECT_EQ(fingerprint, independent_fingerprint(cert.get()));
  test::temp_dir dir;
  ASSERT_EQ(write_private_file(dir.file("c.pem"), to_pem(cert.get())), "");
  EXPECT_EQ(fingerprint_sha256_of_file(dir.file("c.pem")), fingerprint);
  EXPECT_EQ(fingerprint_sha256_of_file(dir.file("missing.pem")), "");
}

TEST(TlsCertificate, FingerprintTextForms) {
  const std::string canonical =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"
      "67:89";
  std::string bare;
  for (const char c : canonical)
    if (c != ':') bare += static_cast<char>(std::tolower(c));
  EXPECT_EQ(parse_sha256_fingerprint(canonical), canonical);
  EXPECT_EQ(parse_sha256_fingerprint(bare), canonical);
  EXPECT_EQ(parse_sha256_fingerprint("sha256=" + bare), canonical);
  EXPECT_EQ(parse_sha256_fingerprint("SHA256 Fingerprint=" + canonical), canonical);
  EXPECT_EQ(parse_sha256_fingerprint(canonical.substr(3)), std::nullopt);  // 31 bytes
  EXPECT_EQ(parse_sha256_fingerprint(canonical + ":00"), std::nullopt);
  EXPECT_EQ(parse_sha256_fingerprint("zz" + canonical.substr(2)), std::nullopt);
  EXPECT_EQ(parse_sha256_fingerprint(""), std::nullopt);
  EXPECT_EQ(format_sha256_fingerprint(std::string("\x01\xab\xff", 3)), "01:AB:FF");
}

}  // namespace
}  // namespace swarmhub::net
