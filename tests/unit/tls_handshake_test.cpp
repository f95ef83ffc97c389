// Real TLS handshakes over loopback between tls_server_context and a client checked by
// tls_trust: pins, trust on first use, a small CA of the test's own, and reload().
// Everything runs on one io_context in this thread; run_for only bounds a broken test.

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <memory>

#include "process.hpp"
#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/net/tls_certificate.hpp"
#include "swarmhub/net/tls_server_context.hpp"
#include "swarmhub/net/tls_trust.hpp"

namespace swarmhub::net {
namespace {

using namespace std::chrono_literals;
using tls_stream = ssl::stream<tcp::socket>;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One connection: both ends after their handshakes.
struct connection {
  std::shared_ptr<ssl::context> server_context;  // kept for the connection's life
  std::unique_ptr<tls_stream> server;
  std::unique_ptr<tls_stream> client;
  std::optional<error_code> server_result;
  std::optional<error_code> client_result;
};

class TlsHandshake : public ::testing::Test {
 protected:
  // Connects over 127.0.0.1 and runs both handshakes to their end.
  std::unique_ptr<connection> connect(const tls_server_context& server, tls_trust& trust,
                                      ssl::context& client_context) {
    tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client_socket(io_);
    client_socket.connect(acceptor.local_endpoint());
    auto c = std::make_unique<connection>();
    c->server_context = server.current();
    c->server = std::make_unique<tls_stream>(acceptor.accept(), *c->server_context);
    c->client = std::make_unique<tls_stream>(std::move(client_socket), client_context);
    trust.install(*c->client);
    auto* raw = c.get();
    raw->server->async_handshake(ssl::stream_base::server, [raw](error_code ec) {
      raw->server_result = ec;
      if (ec) raw->server->lowest_layer().close();
    });
    raw->client->async_handshake(ssl::stream_base::client, [raw](error_code ec) {
      raw->client_result = ec;
      if (ec) raw->client->lowest_layer().close();
    });
    io_.restart();
    io_.run_for(10s);
    EXPECT_TRUE(c->server_result && c->client_result) << "a handshake did not finish";
    return c;
  }

  bool succeeded(const connection& c) {
    return c.client_result && !*c.client_result && c.server_result && !*c.server_result;
  }

  // Sends `line` from the client and reads it back on the server, through TLS.
  std::string round_trip(connection& c, const std::string& line) {
    std::string received;
    asio::async_write(*c.client, asio::buffer(line), [](error_code, std::size_t) {});
    asio::async_read_until(*c.server, asio::dynamic_buffer(received), '\n',
                           [](error_code, std::size_t) {});
    io_.restart();
    io_.run_for(10s);
    return received;
  }

  asio::io_context io_;
  test::temp_dir dir_;
};

// A certificate and key on disk for a tls_server_context; `issuer` null means self-signed.
struct cert_files {
  std::string cert_path;
  std::string key_path;
  std::string fingerprint;
};

cert_files write_cert(const std::string& dir, const std::string& name, certificate_spec spec,
                      X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr) {
  const auto key = make_ec_key();
  const auto cert = issue_certificate(spec, key.get(), issuer, issuer ? issuer_key : key.get());
  cert_files files{dir + "/" + name + ".pem", dir + "/" + name + ".key",
                   fingerprint_sha256(cert.get())};
  // A chain: the leaf, then its issuer.
  const std::string chain = to_pem(cert.get()) + (issuer ? to_pem(issuer) : "");
  EXPECT_EQ(write_private_file(files.cert_path, chain), "");
  EXPECT_EQ(write_private_file(files.key_path, to_pem(key.get())), "");
  return files;
}

certificate_spec localhost_spec() {
  certificate_spec spec;
  spec.common_name = "localhost";
  spec.dns_names = {"localhost"};
  spec.ip_addresses = {"127.0.0.1"};
  return spec;
}

TEST_F(TlsHandshake, TheRightPinPassesOverTls13) {
  const auto files = ensure_self_signed(dir_.path());
  tls_server_context server(files.cert_path, files.key_path);
  auto client_context = make_tls_client_context();
  auto trust = tls_trust::for_tracker("127.0.0.1:9001", "sha256=" + server.fingerprint(), "");
  const auto c = connect(server, trust, client_context);
  ASSERT_TRUE(succeeded(*c)) << trust.error();
  EXPECT_EQ(trust.outcome(), trust_outcome::pinned);
  EXPECT_EQ(trust.fingerprint(), server.fingerprint());
  EXPECT_EQ(trust.error(), "");
  EXPECT_EQ(SSL_version(c->client->native_handle()), TLS1_3_VERSION);
  EXPECT_EQ(round_trip(*c, "hello\n"), "hello\n");
}

TEST_F(TlsHandshake, AWrongPinIsRefusedSayingBothFingerprints) {
  const auto files = ensure_self_signed(dir_.path());
  tls_server_context server(files.cert_path, files.key_path);
  test::temp_dir other;
  const auto other_fingerprint =
      fingerprint_sha256_of_file(ensure_self_signed(other.path()).cert_path);
  auto client_context = make_tls_client_context();
  auto trust = tls_trust::for_tracker("127.0.0.1:9001", other_fingerprint, "");
  const auto c = connect(server, trust, client_context);
  EXPECT_FALSE(succeeded(*c));
  EXPECT_EQ(trust.outcome(), trust_outcome::none);
  EXPECT_TRUE(contains(trust.error(), "does not match its pin")) << trust.error();
  EXPECT_TRUE(contains(trust.error(), "pinned:  sha256=" + other_fingerprint)) << trust.error();
  EXPECT_TRUE(contains(trust.error(), "offered: sha256=" + server.fingerprint())) << trust.error();

  auto garbled = tls_trust::for_tracker("127.0.0.1:9001", "sha256=12:34", "");
  EXPECT_FALSE(succeeded(*connect(server, garbled, client_context)));
  EXPECT_TRUE(contains(garbled.error(), "is not a SHA-256 fingerprint")) << garbled.error();
}

TEST_F(TlsHandshake, APinAcceptsItsLeafWhateverItsDates) {
  certificate_spec expired = localhost_spec();
  expired.not_before = -48h;
  expired.not_after = -24h;
  const auto files = write_cert(dir_.path(), "expired", expired);
  tls_server_context server(files.cert_path, files.key_path);
  auto client_context = make_tls_client_context();
  auto trust = tls_trust::for_tracker("127.0.0.1:9001", files.fingerprint, "");
  EXPECT_TRUE(succeeded(*connect(server, trust, client_context))) << trust.error();
  EXPECT_EQ(trust.outcome(), trust_outcome::pinned);
}

TEST_F(TlsHandshake, TrustOnFirstUseRecordsThenRefusesAChangedCertificate) {
  const auto known = dir_.file("known_trackers");
  const auto files = ensure_self_signed(dir_.file("a"));
  tls_server_context server(files.cert_path, files.key_path);
  auto client_context = make_tls_client_context();

  auto first = tls_trust::for_tracker("127.0.0.1:9001", "", known);
  ASSERT_TRUE(succeeded(*connect(server, first, client_context))) << first.error();
  EXPECT_EQ(first.outcome(), trust_outcome::first_use);
  EXPECT_EQ(test::read_file(known), "");  // nothing is written before commit()
  EXPECT_EQ(first.commit(), "");
  EXPECT_EQ(first.commit(), "");  // once only
  EXPECT_EQ(test::read_file(known), "127.0.0.1:9001 sha256=" + server.fingerprint() + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(known.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);

  auto again = tls_trust::for_tracker("127.0.0.1:9001", "", known);
  ASSERT_TRUE(succeeded(*connect(server, again, client_context))) << again.error();
  EXPECT_EQ(again.outcome(), trust_outcome::known);

  // Another tracker on the same file is a first use of its own.
  auto neighbour = tls_trust::for_tracker("127.0.0.1:9002", "", known);
  ASSERT_TRUE(succeeded(*connect(server, neighbour, client_context)));
  EXPECT_EQ(neighbour.outcome(), trust_outcome::first_use);
  EXPECT_EQ(neighbour.commit(), "");

  const auto replaced = ensure_self_signed(dir_.file("b"));
  tls_server_context impostor(replaced.cert_path, replaced.key_path);
  auto changed = tls_trust::for_tracker("127.0.0.1:9001", "", known);
  EXPECT_FALSE(succeeded(*connect(impostor, changed, client_context)));
  EXPECT_EQ(changed.outcome(), trust_outcome::none);
  const auto& error = changed.error();
  EXPECT_TRUE(contains(error, "HAS CHANGED")) << error;
  EXPECT_TRUE(contains(error, "known:   sha256=" + server.fingerprint())) << error;
  EXPECT_TRUE(contains(error, "offered: sha256=" + impostor.fingerprint())) << error;
  EXPECT_TRUE(contains(error, "remove line 1 of " + known)) << error;
  EXPECT_EQ(changed.commit(), "");
  EXPECT_EQ(test::read_file(known), "127.0.0.1:9001 sha256=" + server.fingerprint() +
                                        "\n127.0.0.1:9002 sha256=" + server.fingerprint() + "\n");
}

class TlsWithTestCa : public TlsHandshake {
 protected:
  void SetUp() override {
    ca_key_ = make_ec_key();
    certificate_spec spec;
    spec.common_name = "swarmhub test CA";
    spec.is_ca = true;
    ca_ = issue_certificate(spec, ca_key_.get(), nullptr, ca_key_.get());
    ASSERT_EQ(write_private_file(dir_.file("ca.pem"), to_pem(ca_.get())), "");
  }

  cert_files leaf(const std::string& name, const certificate_spec& spec) {
    return write_cert(dir_.path(), name, spec, ca_.get(), ca_key_.get());
  }

  // The handshake's outcome for a CA-only client that trusts the test CA.
  tls_trust ca_only(const cert_files& files, const std::string& tracker = "localhost:9001") {
    tls_server_context server(files.cert_path, files.key_path);
    auto client_context = make_tls_client_context(dir_.file("ca.pem"));
    auto trust =
        tls_trust::for_tracker(tracker, "", dir_.file("known_trackers"), trust_mode::ca_only);
    const auto c = connect(server, trust, client_context);
    EXPECT_EQ(succeeded(*c), trust.error().empty()) << trust.error();
    return trust;
  }

  pkey_ptr ca_key_;
  x509_ptr ca_;
};

TEST_F(TlsWithTestCa, ASignedCertificateForTheNamePasses) {
  const auto files = leaf("good", localhost_spec());
  const auto by_name = ca_only(files);
  EXPECT_EQ(by_name.outcome(), trust_outcome::ca_signed) << by_name.error();
  const auto by_ip = ca_only(files, "127.0.0.1:9001");
  EXPECT_EQ(by_ip.outcome(), trust_outcome::ca_signed) << by_ip.error();
  EXPECT_EQ(test::read_file(dir_.file("known_trackers")), "");  // the CA vouches; no record

  // The default mode takes a CA's word too, and records nothing.
  tls_server_context server(files.cert_path, files.key_path);
  auto client_context = make_tls_client_context(dir_.file("ca.pem"));
  auto automatic = tls_trust::for_tracker("localhost:9001", "", dir_.file("known_trackers"));
  ASSERT_TRUE(succeeded(*connect(server, automatic, client_context)));
  EXPECT_EQ(automatic.outcome(), trust_outcome::ca_signed);
  EXPECT_EQ(automatic.commit(), "");
  EXPECT_EQ(test::read_file(dir_.file("known_trackers")), "");
}

TEST_F(TlsWithTestCa, AnExpiredCertificateIsRefused) {
  certificate_spec spec = localhost_spec();
  spec.not_before = -48h;
  spec.not_after = -24h;
  const auto trust = ca_only(leaf("expired", spec));
  EXPECT_EQ(trust.outcome(), trust_outcome::none);
  EXPECT_EQ(trust.error(),
            "the certificate of localhost:9001 is not trusted: certificate has expired");
}

TEST_F(TlsWithTestCa, AWrongNameIsRefused) {
  certificate_spec spec = localhost_spec();
  spec.dns_names = {"other.example"};
  spec.ip_addresses = {"192.0.2.1"};
  const auto files = leaf("wrong-name", spec);
  const auto by_name = ca_only(files);
  EXPECT_EQ(by_name.error(),
            "the certificate of localhost:9001 is not trusted: it is not valid for the name "
            "localhost");
  const auto by_ip = ca_only(files, "127.0.0.1:9001");
  EXPECT_EQ(by_ip.outcome(), trust_outcome::none);
  EXPECT_TRUE(contains(by_ip.error(), "not valid for the name 127.0.0.1")) << by_ip.error();
}

TEST_F(TlsWithTestCa, AnUnknownIssuerIsRefused) {
  const auto self_signed = ensure_self_signed(dir_.file("self"));
  const auto trust = ca_only({self_signed.cert_path, self_signed.key_path, ""});
  EXPECT_EQ(trust.outcome(), trust_outcome::none);
  EXPECT_TRUE(contains(trust.error(), "is not trusted: self-signed certificate")) << trust.error();
}

TEST_F(TlsHandshake, ReloadServesTheNewCertificateAndKeepsLiveConnections) {
  const auto files = ensure_self_signed(dir_.path());
  tls_server_context server(files.cert_path, files.key_path);
  const auto old_fingerprint = server.fingerprint();
  auto client_context = make_tls_client_context();
  auto old_trust = tls_trust::for_tracker("127.0.0.1:9001", "", dir_.file("known_trackers"));
  const auto old = connect(server, old_trust, client_context);
  ASSERT_TRUE(succeeded(*old)) << old_trust.error();

  // New files in place, as an operator (or certbot) would put them, then SIGHUP's reload().
  const auto fresh = write_cert(dir_.file("tls"), "fresh", localhost_spec());
  ASSERT_EQ(::rename(fresh.cert_path.c_str(), files.cert_path.c_str()), 0);
  ASSERT_EQ(::rename(fresh.key_path.c_str(), files.key_path.c_str()), 0);
  EXPECT_EQ(server.reload(), "");
  EXPECT_EQ(server.fingerprint(), fresh.fingerprint);
  EXPECT_NE(fresh.fingerprint, old_fingerprint);

  auto new_trust = tls_trust::for_tracker("127.0.0.1:9001", fresh.fingerprint, "");
  const auto renewed = connect(server, new_trust, client_context);
  ASSERT_TRUE(succeeded(*renewed)) << new_trust.error();
  EXPECT_EQ(new_trust.fingerprint(), fresh.fingerprint);

  EXPECT_EQ(round_trip(*old, "still here\n"), "still here\n");
  EXPECT_EQ(old_trust.fingerprint(), old_fingerprint);
}

TEST_F(TlsHandshake, AFailedReloadKeepsTheOldCertificate) {
  const auto files = ensure_self_signed(dir_.path());
  tls_server_context server(files.cert_path, files.key_path);
  const auto fingerprint = server.fingerprint();
  ASSERT_EQ(write_private_file(files.cert_path, "not a certificate\n"), "");
  const auto error = server.reload();
  EXPECT_TRUE(contains(error, files.cert_path)) << error;
  EXPECT_EQ(server.fingerprint(), fingerprint);

  // A key that does not match the certificate is refused too.
  const auto other = ensure_self_signed(dir_.file("other"));
  ASSERT_EQ(::rename(other.cert_path.c_str(), files.cert_path.c_str()), 0);
  const auto mismatch = server.reload();
  EXPECT_TRUE(contains(mismatch, files.key_path)) << mismatch;
  EXPECT_EQ(server.fingerprint(), fingerprint);

  auto client_context = make_tls_client_context();
  auto trust = tls_trust::for_tracker("127.0.0.1:9001", fingerprint, "");
  EXPECT_TRUE(succeeded(*connect(server, trust, client_context))) << trust.error();
  EXPECT_THROW(tls_server_context(dir_.file("missing.pem"), files.key_path), std::runtime_error);
}

TEST_F(TlsHandshake, ServerRefusesOldProtocolsAndWeakCiphers) {
  const auto files = ensure_self_signed(dir_.path());
  tls_server_context server(files.cert_path, files.key_path);
  auto trust = tls_trust::for_tracker("127.0.0.1:9001", server.fingerprint(), "");

  ssl::context tls11(ssl::context::tls_client);
  SSL_CTX_set_security_level(tls11.native_handle(), 0);
  SSL_CTX_set_max_proto_version(tls11.native_handle(), TLS1_1_VERSION);
  EXPECT_FALSE(succeeded(*connect(server, trust, tls11)));

  ssl::context cbc(ssl::context::tls_client);
  SSL_CTX_set_max_proto_version(cbc.native_handle(), TLS1_2_VERSION);
  ASSERT_EQ(SSL_CTX_set_cipher_list(cbc.native_handle(), "ECDHE-ECDSA-AES128-SHA256"), 1);
  EXPECT_FALSE(succeeded(*connect(server, trust, cbc)));

  ssl::context tls12(ssl::context::tls_client);
  SSL_CTX_set_max_proto_version(tls12.native_handle(), TLS1_2_VERSION);
  const auto c = connect(server, trust, tls12);
  ASSERT_TRUE(succeeded(*c)) << trust.error();
  EXPECT_EQ(SSL_version(c->client->native_handle()), TLS1_2_VERSION);
  EXPECT_TRUE(contains(SSL_get_cipher_name(c->client->native_handle()), "ECDHE-ECDSA"))
      << SSL_get_cipher_name(c->client->native_handle());
}

}  // namespace
}  // namespace swarmhub::net
