// The tracker as a sealed group's certificate authority (net/group_ca.hpp): what it signs,
// for how long, and what it refuses to sign.

#include <gtest/gtest.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <stdexcept>

#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/net/tls_certificate.hpp"

namespace swarmhub::net {
namespace {

using namespace std::chrono_literals;

x509_ptr parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return x509_ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of `leaf` against `root` alone, for TLS peers of `purpose`.
int verify(X509* leaf, X509* root, int purpose) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  X509_STORE_add_cert(store.get(), root);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

std::time_t not_after(X509* cert) {
  std::tm tm{};
  ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
  return timegm(&tm);
}

TEST(GroupCa, AMembersCertificateIsSignedByItsGroupForBothEndsOfAPeerConnection) {
  const auto ca = make_group_ca("rust");
  const auto key = make_member_key();
  const auto member = issue_member_certificate(ca, key.public_der, "bob", 1h);
  const auto root = parse(ca.cert_pem);
  const auto leaf = parse(member.cert_pem);
  ASSERT_TRUE(root && leaf);
  // Peers dial and accept: the certificate serves a TLS client and a TLS server.
  EXPECT_EQ(verify(leaf.get(), root.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(verify(leaf.get(), root.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  // libtorrent takes a DNS name "*" for "every torrent of this root".
  EXPECT_EQ(X509_check_host(leaf.get(), "*", 1, X509_CHECK_FLAG_NO_WILDCARDS, nullptr), 1);
  // Another group's authority does not vouch for it.
  const auto other = parse(make_group_ca("rust").cert_pem);
  EXPECT_NE(verify(leaf.get(), other.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST(GroupCa, TheCertificateLivesAsLongAsTheTrackerSays) {
  const auto ca = make_group_ca("g");
  const auto key = make_member_key();
  const auto now = std::time(nullptr);
  const auto member = issue_member_certificate(ca, key.public_der, "bob", 600s);
  EXPECT_NEAR(static_cast<double>(member.expires), static_cast<double>(now + 600), 2);
  const auto leaf = parse(member.cert_pem);
  EXPECT_NEAR(static_cast<double>(not_after(leaf.get())), static_cast<double>(now + 600), 2);
  // An expired one is refused by a peer's check.
  const auto old = issue_member_certificate(ca, key.public_der, "bob", -10s);
  EXPECT_EQ(verify(parse(old.cert_pem).get(), parse(ca.cert_pem).get(), X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(GroupCa, OnlyAP256PublicKeyIsSigned) {
  const auto ca = make_group_ca("g");
  EXPECT_THROW(issue_member_certificate(ca, "not a key", "bob", 1h), std::invalid_argument);
  auto key = make_member_key().public_der;
  EXPECT_THROW(issue_member_certificate(ca, key + "x", "bob", 1h), std::invalid_argument);
  pkey_ptr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  unsigned char* der = nullptr;
  const int size = i2d_PUBKEY(ed.get(), &der);
  const std::string ed_der(reinterpret_cast<char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  EXPECT_THROW(issue_member_certificate(ca, ed_der, "bob", 1h), std::invalid_argument);
}

TEST(GroupCa, DiffieHellmanParametersForLibtorrentAreThere) {
  EXPECT_NE(dh_params_pem().find("BEGIN DH PARAMETERS"), std::string::npos);
}

}  // namespace
}  // namespace swarmhub::net
