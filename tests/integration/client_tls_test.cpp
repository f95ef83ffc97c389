// The client over TLS (issue 14): trust on first use with known_trackers, pins, CA-signed
// certificates, a changed certificate refused, failover checking each tracker the same way,
// plaintext only to loopback, and a relay that sees the password and chat only encrypted.
// Until the tracker speaks TLS itself, test::tls_relay puts TLS in front of it.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <array>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "client_process.hpp"
#include "swarmhub/net/asio.hpp"
#include "swarmhub/net/tls_certificate.hpp"
#include "tls_relay.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

struct run_result {
  int status;
  std::string err;
};

// Runs the client to the end of `input`; its status and what it wrote to stderr.
run_result run_client(std::vector<std::string> args, const std::string& input,
                      const std::string& err_path) {
  args.insert(args.begin(), client_binary());
  process client(args, err_path);
  try {
    client.write(input);
  } catch (const std::runtime_error&) {
    // It refused and exited before reading its input (a plaintext host that is not
    // loopback, say): its status and what it printed are what the test checks.
  }
  client.close_stdin();
  client.read_all(30s);
  return {client.wait(30s).value_or(-1), read_file(err_path)};
}

class ClientTls : public ::testing::Test {
 protected:
  ClientTls()
      : cert_a_(net::ensure_self_signed(dir_.file("a"))),
        cert_b_(net::ensure_self_signed(dir_.file("b"))),
        fp_a_(net::fingerprint_sha256_of_file(cert_a_.cert_path)),
        fp_b_(net::fingerprint_sha256_of_file(cert_b_.cert_path)) {}

  std::unique_ptr<tls_relay> relay(const net::self_signed_files& files) {
    return std::make_unique<tls_relay>(files.cert_path, files.key_path, tracker_.port());
  }

  temp_dir dir_;
  tracker_process tracker_;
  net::self_signed_files cert_a_;
  net::self_signed_files cert_b_;
  std::string fp_a_;
  std::string fp_b_;
};

// The everyday path: the client, given HOST:PORT, speaks TLS to the tracker itself and
// trusts its self-signed certificate on first use; the second run finds it known.
TEST_F(ClientTls, TheClientSpeaksTlsToTheTrackerItselfByDefault) {
  const std::string data = dir_.file("data");
  for (int run = 0; run < 2; ++run) {
    client_process alice(tracker_.address(), {}, data);
    alice.log_in("alice");
    ASSERT_TRUE(alice.request("say over TLS").ok);
    ASSERT_TRUE(alice.request("logout").ok);
  }
  std::ifstream known(data + "/known_trackers");
  std::string line;
  std::getline(known, line);
  EXPECT_EQ(line, tracker_.address() + " sha256=" + tracker_.tls_fingerprint());
  EXPECT_FALSE(std::getline(known, line)) << "recorded twice: " << line;
}

// The client ends TLS in order when it leaves: the tracker sees its close_notify.
TEST_F(ClientTls, TheClientSendsCloseNotifyWhenItLeaves) {
  {
    client_process alice(tracker_.address(), {}, dir_.file("data"));
    alice.log_in("alice");
  }  // its input ends: it quits and exits
  EXPECT_TRUE(tracker_.eventually_stats([&](const std::string&) {
    return tracker_.log().find("user=alice peer_close_notify=yes") != std::string::npos;
  })) << tracker_.log();
}

TEST_F(ClientTls, FirstUseIsRecordedAndThePasswordAndChatNeverCrossInClear) {
  auto front = relay(cert_a_);
  const std::string data = dir_.file("data");
  {
    client_process alice("tls://" + front->address(), {}, data);
    alice.log_in("alice");
    ASSERT_TRUE(alice.request("say a line nobody else may read").ok);
    EXPECT_NE(alice.log_tail().find("trusting tls://" + front->address() +
                                    " on first use, certificate sha256=" + fp_a_),
              std::string::npos)
        << alice.log_tail();
  }
  // The tracker got them; the wire carried TLS records only.
  EXPECT_NE(front->tracker_bytes().find("alice-password"), std::string::npos);
  EXPECT_NE(front->tracker_bytes().find("a line nobody else may read"), std::string::npos);
  const std::string wire = front->wire_bytes();
  ASSERT_FALSE(wire.empty());
  EXPECT_EQ(wire[0], '\x16');  // a TLS handshake record
  EXPECT_EQ(wire.find("alice-password"), std::string::npos);
  EXPECT_EQ(wire.find("nobody else"), std::string::npos);
  EXPECT_EQ(wire.find("login"), std::string::npos);

  // known_trackers holds the one line, private, in a private data directory.
  const std::string known = data + "/known_trackers";
  EXPECT_EQ(read_file(known), front->address() + " sha256=" + fp_a_ + "\n");
  EXPECT_EQ(mode_of(known), 0600u);
  EXPECT_EQ(mode_of(data), 0700u);

  // The next time the certificate is known: nothing is added.
  {
    client_process again("tls://" + front->address(), {}, data);
    EXPECT_TRUE(again.request("ping").ok);
    EXPECT_EQ(again.log_tail().find("first use"), std::string::npos) << again.log_tail();
  }
  EXPECT_EQ(read_file(known), front->address() + " sha256=" + fp_a_ + "\n");
}

TEST_F(ClientTls, AChangedCertificateIsRefusedLoudly) {
  auto front = relay(cert_b_);
  const std::string data = dir_.file("data");
  ASSERT_EQ(::mkdir(data.c_str(), 0700), 0);
  std::ofstream(data + "/known_trackers") << front->address() << " sha256=" << fp_a_ << "\n";
  const auto run = run_client({"--data-dir", data, front->address()}, "ping\n", dir_.file("err"));
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("HAS CHANGED"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("known:   sha256=" + fp_a_), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("offered: sha256=" + fp_b_), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("remove line 1 of " + data + "/known_trackers"), std::string::npos);
  EXPECT_EQ(front->tracker_bytes(), "");  // not one line was sent
}

TEST_F(ClientTls, APinIsAllTheTrustNeededAndAWrongPinIsRefused) {
  auto front = relay(cert_a_);
  {
    client_process pinned("tls://" + front->address(), {"--pin", "sha256=" + fp_a_});
    EXPECT_TRUE(pinned.request("ping").ok);
    EXPECT_EQ(read_file(pinned.data_dir() + "/known_trackers"), "");  // a pin is not recorded
  }
  const auto wrong =
      run_client({"--data-dir", dir_.file("data"), "--pin", "sha256=" + fp_b_, front->address()},
                 "ping\n", dir_.file("err"));
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("does not match its pin"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("offered: sha256=" + fp_a_), std::string::npos) << wrong.err;
}

TEST_F(ClientTls, ACaSignedCertificateForTheAddressNeedsNoPinAndIsNotRecorded) {
  const auto ca_key = net::make_ec_key();
  net::certificate_spec ca_spec;
  ca_spec.common_name = "test CA";
  ca_spec.is_ca = true;
  const auto ca = net::issue_certificate(ca_spec, ca_key.get(), nullptr, ca_key.get());
  const auto key = net::make_ec_key();
  net::certificate_spec spec;
  spec.common_name = "tracker";
  spec.ip_addresses = {"127.0.0.1"};
  const auto leaf = net::issue_certificate(spec, key.get(), ca.get(), ca_key.get());
  std::ofstream(dir_.file("ca.pem")) << net::to_pem(ca.get());
  std::ofstream(dir_.file("cert.pem")) << net::to_pem(leaf.get()) << net::to_pem(ca.get());
  std::ofstream(dir_.file("key.pem")) << net::to_pem(key.get());
  tls_relay front(dir_.file("cert.pem"), dir_.file("key.pem"), tracker_.port());

  client_process c("tls://" + front.address(), {"--ca-file", dir_.file("ca.pem")});
  EXPECT_TRUE(c.request("ping").ok);
  EXPECT_EQ(read_file(c.data_dir() + "/known_trackers"), "");
}

TEST_F(ClientTls, FailoverChecksTheNextTrackerTheSameWay) {
  auto first = relay(cert_a_);
  auto impostor = relay(cert_b_);
  auto third = relay(cert_a_);
  const auto list = dir_.file("tracker_info.txt");
  std::ofstream(list) << "tls://" << first->address() << "\n"
                      << impostor->address() << "\n"
                      << third->address() << "\n";
  client_process alice(list, {"--pin", "sha256=" + fp_a_});
  alice.log_in("alice");
  first.reset();  // the connection ends as if the tracker had died

  bool moved = false;
  for (const auto deadline = std::chrono::steady_clock::now() + 30s;
       !moved && std::chrono::steady_clock::now() < deadline;) {
    alice.request("ping");
    for (const auto& e : alice.events()) {
      moved = moved || (e.name == "NOTICE" &&
                        e.text.find("now on tls://" + third->address() +
                                    ", logged in again as alice") != std::string::npos);
    }
  }
  EXPECT_TRUE(moved) << alice.log_tail();
  EXPECT_NE(alice.log_tail().find("tracker " + impostor->address() +
                                  " offered a certificate that does not match its pin"),
            std::string::npos)
      << alice.log_tail();
  EXPECT_EQ(impostor->tracker_bytes(), "");
}

TEST(ClientPlaintext, ATrackerThatAnswersTlsWithPlaintextGetsAHint) {
  // A tracker that speaks only plaintext (as before issue 14): it greets whatever comes.
  asio::io_context io;
  tcp::acceptor plain(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::thread server([&] {
    tcp::socket s(io);
    plain.accept(s);
    error_code ec;
    asio::write(s, asio::buffer(std::string("* HELLO swarmhub 1 auth=none\n")), ec);
    std::array<char, 4096> hello{};
    s.read_some(asio::buffer(hello), ec);  // the ClientHello, answered by nothing more
  });
  const std::string address = "127.0.0.1:" + std::to_string(plain.local_endpoint().port());
  temp_dir dir;
  const auto run = run_client({"--data-dir", dir.file("data"), address}, "ping\n", dir.file("err"));
  server.join();
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("if that tracker speaks plaintext, use tcp://" + address),
            std::string::npos)
      << run.err;
}

TEST(ClientPlaintext, IsRefusedToAHostThatIsNotLoopback) {
  temp_dir dir;
  const auto run = run_client({"--data-dir", dir.file("data"), "tcp://192.0.2.1:9001"}, "ping\n",
                              dir.file("err"));
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("tcp://192.0.2.1:9001: plaintext (tcp://) is allowed only to a loopback "
                         "address; use tls://192.0.2.1:9001"),
            std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace swarmhub::test
