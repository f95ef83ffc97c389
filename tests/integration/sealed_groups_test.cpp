// Issue 15, sealed groups: members' peers prove membership to each other (libtorrent's SSL
// torrents, the tracker as each group's certificate authority) before any piece moves.
// Real tracker, real clients; the outsiders are a libtorrent session of this test and a raw
// socket, both given a member's seeder address by hand.

#include <gtest/gtest.h>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "client_process.hpp"
#include "line_client.hpp"
#include "swarmhub/net/group_ca.hpp"
#include "swarmhub/proto/bencode_reader.hpp"
#include "swarmhub/proto/request.hpp"
#include "swarmhub/util/base64.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace fs = std::filesystem;

// The TCP ports process `pid` listens on (its peer-wire listeners: plain and TLS).
std::vector<std::uint16_t> listening_ports(pid_t pid) {
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const auto target = fs::read_symlink(fd.path(), ec).string();
    if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::vector<std::uint16_t> out;
  std::istringstream lines(read_file("/proc/net/tcp"));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    if (state == "0A" && inodes.contains(inode))
      out.push_back(
          static_cast<std::uint16_t>(std::stoul(local.substr(local.find(':') + 1), nullptr, 16)));
  }
  return out;
}

struct file_meta {
  std::string info;       // the bencoded info dictionary
  std::string swarm_key;  // hex: the truncated SHA-256 a v2 peer uses as info-hash
};

file_meta meta_of(client_process& member, const std::string& group, const std::string& name) {
  const auto reply = member.request("file_info " + group + " " + name);
  EXPECT_TRUE(reply.ok) << reply.text;
  file_meta out;
  for (const auto& line : reply.data) {
    const auto [key, value] = proto::split_verb(line);
    if (key == "info") out.info = util::from_base64(value).value_or("");
    if (key == "info_hash") out.swarm_key = std::string(value.substr(0, 40));
  }
  return out;
}

std::string sha1_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha1(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 15];
  }
  return out;
}

std::string raw_hash(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// A libtorrent peer outside swarmhub: given the torrent and, maybe, a certificate, it
// connects to `ports` on loopback and reports how many payload bytes it got once every
// connection it made has ended, or once it has the whole file.
struct outsider_result {
  std::int64_t payload = 0;
  bool complete = false;
  int disconnects = 0;
  std::string events;  // what libtorrent said of its peers, for a failure's message
};
outsider_result outsider(const file_meta& meta, const std::vector<std::uint16_t>& ports,
                         const std::string& dir, const std::string& cert_pem = {},
                         const std::string& key_pem = {}) {
  lt::settings_pack p;
  p.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0,127.0.0.1:0s");
  p.set_bool(lt::settings_pack::enable_dht, false);
  p.set_bool(lt::settings_pack::enable_lsd, false);
  p.set_bool(lt::settings_pack::enable_upnp, false);
  p.set_bool(lt::settings_pack::enable_natpmp, false);
  p.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  p.set_bool(lt::settings_pack::enable_incoming_utp, false);
  p.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  p.set_int(lt::settings_pack::alert_mask, lt::alert_category::status | lt::alert_category::error |
                                               lt::alert_category::connect |
                                               lt::alert_category::peer);
  lt::session session(lt::session_params{p});
  lt::add_torrent_params params;
  const std::string wrapped = "d4:info" + meta.info + "e";
  params.ti = std::make_shared<lt::torrent_info>(
      lt::span<char const>(wrapped.data(), static_cast<long>(wrapped.size())), lt::from_span);
  params.save_path = dir;
  auto handle = session.add_torrent(params);
  outsider_result out;
  bool connected = false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    session.wait_for_alert(std::chrono::seconds(1));
    std::vector<lt::alert*> alerts;
    session.pop_alerts(&alerts);
    for (lt::alert* a : alerts) {
      if (lt::alert_cast<lt::torrent_need_cert_alert>(a) && !connected) {
        if (!cert_pem.empty())
          handle.set_ssl_certificate_buffer(cert_pem, key_pem, net::dh_params_pem());
        for (const auto port : ports)
          handle.connect_peer({boost::asio::ip::make_address("127.0.0.1"), port});
        connected = true;
      } else if (lt::alert_cast<lt::peer_disconnected_alert>(a)) {
        ++out.disconnects;
        out.events += a->message() + "\n";
      } else if (lt::alert_cast<lt::peer_error_alert>(a) ||
                 lt::alert_cast<lt::torrent_error_alert>(a)) {
        out.events += a->message() + "\n";
      } else if (lt::alert_cast<lt::torrent_finished_alert>(a)) {
        out.complete = true;
      }
    }
    out.payload = handle.status().total_payload_download;
    if (out.complete || (connected && out.disconnects >= static_cast<int>(ports.size()))) break;
  }
  EXPECT_TRUE(connected) << "a sealed torrent asks for a certificate";
  return out;
}

class SealedGroups : public ::testing::Test {
 protected:
  explicit SealedGroups(std::vector<std::string> tracker_args = {})
      : tracker_(std::move(tracker_args)) {}

  // Group "g" (sealed, the default) owned by alice with bob in it.
  void SetUp() override {
    alice_.log_in("alice");
    bob_.log_in("bob");
    ASSERT_TRUE(alice_.request("create_group g").ok);
    ASSERT_TRUE(bob_.request("join_group g").ok);
    ASSERT_TRUE(alice_.request("accept_request g bob").ok);
    make_file(dir_.file("f.bin"), 300'000, 3);
    auto up = alice_.request("upload_file " + dir_.file("f.bin") + " g");
    ASSERT_TRUE(up.ok) << up.code << " " << up.text;
  }

  std::vector<std::uint16_t> alice_ports() {
    std::vector<std::uint16_t> ports;
    // The TLS listener comes with the plain one; paced by the client's answers.
    for (int i = 0; i < 200 && ports.size() < 2; ++i) {
      EXPECT_TRUE(alice_.request("show_downloads").ok);
      ports = listening_ports(alice_.proc().pid());
    }
    return ports;
  }

  // The certificate the tracker gives `member` for g and `key`, and when it expires (unix
  // seconds); empty when refused.
  struct granted_certificate {
    std::string cert_pem;
    std::int64_t expires = 0;
  };
  granted_certificate certificate_for(client_process& member, const net::member_key& key) {
    const auto granted = member.request("group_cert g " + util::to_base64(key.public_der));
    EXPECT_TRUE(granted.ok) << granted.text;
    granted_certificate out;
    for (const auto& line : granted.data) {
      const auto [k, v] = proto::split_verb(line);
      if (k == "cert") out.cert_pem = util::from_base64(v).value_or("");
      if (k == "expires") out.expires = std::stoll(std::string(v));
    }
    return out;
  }

  // An outsider learns no address from the tracker: it waits, as a member's peer would,
  // until the seeder has announced, i.e. started (libtorrent's queue starts a torrent up to
  // a second after it was added, and a sealed one only once it has its certificate). Until
  // then the seeder refuses connections, and libtorrent waits a minute before it tries a
  // peer again.
  bool seeded() {
    for (const auto deadline = std::chrono::steady_clock::now() + 30s;
         std::chrono::steady_clock::now() < deadline;) {
      if (alice_.request("list_files g").data.at(0).find("seeders=1") != std::string::npos)
        return true;
    }
    return false;
  }

  temp_dir dir_;
  tracker_process tracker_;
  client_process alice_{tracker_.client_address()};
  client_process bob_{tracker_.client_address()};
};

TEST_F(SealedGroups, TwoMembersTransferOverTheirGroupsTls) {
  const auto meta = meta_of(bob_, "g", "f.bin");
  // The info-hash commits to the group: its root certificate is in the info dictionary.
  EXPECT_NE(meta.info.find("8:ssl-cert"), std::string::npos);
  ASSERT_TRUE(bob_.request("download_file g f.bin " + dir_.file("got.bin")).ok);
  const auto waited = bob_.request("wait_downloads 60");
  ASSERT_TRUE(waited.ok) << waited.text << "\n" << bob_.log_tail();
  EXPECT_EQ(read_file(dir_.file("got.bin")), read_file(dir_.file("f.bin")));
}

TEST_F(SealedGroups, OutsidersPeersAreRefusedByAMembersSeeder) {
  const auto meta = meta_of(bob_, "g", "f.bin");
  const auto ports = alice_ports();
  ASSERT_EQ(ports.size(), 2u);
  fs::create_directories(dir_.file("x"));
  fs::create_directories(dir_.file("y"));
  fs::create_directories(dir_.file("z"));
  // A libtorrent peer with a certificate the tracker gave a member downloads (and so the
  // seeder is serving): what refuses the next ones is their certificate.
  const auto key = net::make_member_key();
  const auto cert = certificate_for(bob_, key).cert_pem;
  ASSERT_FALSE(cert.empty());
  ASSERT_TRUE(seeded()) << alice_.log_tail();
  const auto member = outsider(meta, ports, dir_.file("z"), cert, key.private_pem);
  ASSERT_TRUE(member.complete) << member.events << alice_.log_tail();
  EXPECT_TRUE(read_file(dir_.file("z/f.bin")) == read_file(dir_.file("f.bin")));
  // Without a certificate.
  const auto bare = outsider(meta, ports, dir_.file("x"));
  EXPECT_EQ(bare.payload, 0);
  EXPECT_FALSE(bare.complete);
  // With a certificate of an authority of its own, for a key of its own.
  const auto own_ca = net::make_group_ca("g");
  const auto own_key = net::make_member_key();
  const auto forged = net::issue_member_certificate(own_ca, own_key.public_der, "mallory", 1h);
  const auto refused = outsider(meta, ports, dir_.file("y"), forged.cert_pem, own_key.private_pem);
  EXPECT_EQ(refused.payload, 0);
  EXPECT_FALSE(refused.complete);
}

TEST_F(SealedGroups, APlainBitTorrentHandshakeGetsNoAnswer) {
  const auto meta = meta_of(bob_, "g", "f.bin");
  const auto ports = alice_ports();
  ASSERT_EQ(ports.size(), 2u);
  // A member's download first: the seeder's torrent is started and serving.
  ASSERT_TRUE(bob_.request("download_file g f.bin " + dir_.file("got.bin")).ok);
  ASSERT_TRUE(bob_.request("wait_downloads 60").ok);
  const auto handshake = [](const std::string& swarm_key) {
    // Reserved bit 0x10 of the last byte: "I speak v2" (BEP 52), as the torrents are v2.
    return std::string(
               "\x13"
               "BitTorrent protocol") +
           std::string(7, '\0') + "\x10" + raw_hash(swarm_key) + std::string("-XX0001-") +
           std::string(12, '7');
  };
  const std::string protocol = std::string("\x13") + "BitTorrent protocol";
  for (const auto port : ports) {
    line_client raw(port);
    raw.send_raw(handshake(meta.swarm_key));
    const auto answer = raw.read_bytes(68);
    EXPECT_EQ(answer.find(protocol), std::string::npos) << "port " << port;
    EXPECT_TRUE(raw.closed_within()) << "port " << port;
  }
  // The same handshake for a file that is not sealed is answered: the refusal is the seal's.
  ASSERT_TRUE(alice_.request("create_group o").ok);
  ASSERT_TRUE(alice_.request("group_mode o open").ok);
  make_file(dir_.file("open.bin"), 100'000, 4);
  ASSERT_TRUE(alice_.request("upload_file " + dir_.file("open.bin") + " o").ok);
  const auto open = meta_of(alice_, "o", "open.bin");
  EXPECT_EQ(open.info.find("8:ssl-cert"), std::string::npos);
  // Open groups' files are v1: peers know them by the SHA-1 of the info dictionary.
  const std::string open_key = sha1_hex(open.info);
  ASSERT_EQ(open_key.size(), 40u);
  // A torrent just added accepts peers once libtorrent has started it: asked again until one
  // listener (the plain one) answers, each try a whole exchange.
  int answered = 0;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       answered == 0 && std::chrono::steady_clock::now() < deadline;) {
    for (const auto port : ports) {
      line_client raw(port);
      auto greeting = handshake(open_key);
      greeting[27] = '\0';  // a v1 torrent: no "I speak v2" bit
      raw.send_raw(greeting);
      if (raw.read_bytes(68).starts_with(protocol)) ++answered;
    }
  }
  EXPECT_EQ(answered, 1);
}

// One peer-wire message from `raw` (length-prefixed; keep-alives skipped).
std::string read_message(line_client& raw) {
  for (;;) {
    const auto prefix = raw.read_bytes(4);
    if (prefix.size() < 4) return {};
    std::uint32_t length = 0;
    for (const char c : prefix) length = (length << 8) | static_cast<unsigned char>(c);
    if (length > 0) return raw.read_bytes(length);
  }
}

// The next BEP 10 extended message with extended id `id`: its payload.
std::string read_extended(line_client& raw, int id) {
  for (int i = 0; i < 50; ++i) {
    const auto m = read_message(raw);
    if (m.empty()) return {};
    if (m.size() >= 2 && m[0] == 20 && static_cast<unsigned char>(m[1]) == id) return m.substr(2);
  }
  return {};
}

void send_extended(line_client& raw, int id, const std::string& payload) {
  const auto length = static_cast<std::uint32_t>(payload.size() + 2);
  std::string m;
  for (int shift = 24; shift >= 0; shift -= 8) m += static_cast<char>((length >> shift) & 0xFF);
  m += static_cast<char>(20);
  m += static_cast<char>(id);
  raw.send_raw(m + payload);
}

// BEP 9 from the serving side, byte by byte: a swarmhub seeder of an open group's file offers
// ut_metadata in its extended handshake, sends the info dictionary for block 0 and rejects a
// block that does not exist. (A sealed file's seeder answers no plain handshake at all: the
// test above.)
TEST_F(SealedGroups, AnOpenFilesSeederServesItsMetadataAndRejectsTheRest) {
  ASSERT_TRUE(alice_.request("create_group o").ok);
  ASSERT_TRUE(alice_.request("group_mode o open").ok);
  make_file(dir_.file("open.bin"), 100'000, 4);
  ASSERT_TRUE(alice_.request("upload_file " + dir_.file("open.bin") + " o").ok);
  const auto open = meta_of(alice_, "o", "open.bin");
  ASSERT_LT(open.info.size(), 16'384u);  // one block
  const auto ports = alice_ports();
  ASSERT_EQ(ports.size(), 2u);
  // Reserved bit 0x10 of byte 5: "I speak the extension protocol" (BEP 10).
  const std::string protocol = std::string("\x13") + "BitTorrent protocol";
  const std::string greeting = protocol + std::string(5, '\0') + "\x10" + std::string(2, '\0') +
                               raw_hash(sha1_hex(open.info)) + "-XX0001-" + std::string(12, '8');
  std::optional<line_client> peer;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s;
       !peer && std::chrono::steady_clock::now() < deadline;) {
    for (const auto port : ports) {
      line_client raw(port);
      raw.send_raw(greeting);
      if (raw.read_bytes(68).starts_with(protocol)) {
        peer.emplace(std::move(raw));
        break;
      }
    }
  }
  ASSERT_TRUE(peer) << "the seeder answered no handshake";
  constexpr int ours = 3;  // the id we ask the seeder to send ut_metadata messages with
  send_extended(*peer, 0, "d1:md11:ut_metadatai" + std::to_string(ours) + "eee");
  const auto handshake = proto::bencode::parse(read_extended(*peer, 0));
  ASSERT_TRUE(handshake && handshake->as_dict());
  const auto* size = handshake->find("metadata_size");
  const auto* m = handshake->find("m");
  const auto* theirs = m ? m->find("ut_metadata") : nullptr;
  ASSERT_TRUE(size && size->as_int() && theirs && theirs->as_int());
  EXPECT_EQ(*size->as_int(), static_cast<std::int64_t>(open.info.size()));
  const int id = static_cast<int>(*theirs->as_int());

  send_extended(*peer, id, "d8:msg_typei0e5:piecei0ee");
  EXPECT_EQ(read_extended(*peer, ours), "d8:msg_typei1e5:piecei0e10:total_sizei" +
                                            std::to_string(open.info.size()) + "ee" + open.info);
  send_extended(*peer, id, "d8:msg_typei0e5:piecei1ee");
  EXPECT_EQ(read_extended(*peer, ours), "d8:msg_typei2e5:piecei1ee");
  // Each block goes to one connection at most twice; then it is refused too.
  send_extended(*peer, id, "d8:msg_typei0e5:piecei0ee");
  EXPECT_TRUE(read_extended(*peer, ours).starts_with("d8:msg_typei1e5:piecei0e"));
  send_extended(*peer, id, "d8:msg_typei0e5:piecei0ee");
  EXPECT_EQ(read_extended(*peer, ours), "d8:msg_typei2e5:piecei0ee");
}

// The info-hash commits to the group: a sealed file's info dictionary registered in another
// group (issue 15's first attack) is refused there, since its root is not that group's.
TEST_F(SealedGroups, ASealedFileCannotBeRegisteredInAnotherGroup) {
  const auto meta = meta_of(alice_, "g", "f.bin");
  ASSERT_TRUE(alice_.request("create_group h").ok);
  const auto info_hash = [&] {
    for (const auto& line : alice_.request("file_info g f.bin").data) {
      const auto [k, v] = proto::split_verb(line);
      if (k == "info_hash") return std::string(v);
    }
    return std::string();
  }();
  const auto line = "f.bin 300000 " + info_hash + " " + util::to_base64(meta.info);
  const auto elsewhere = alice_.request("add_file h " + line);
  EXPECT_EQ(elsewhere.code, "BAD_FILE") << elsewhere.text;
  EXPECT_TRUE(alice_.request("add_file g " + line).ok);  // where it belongs: already there
}

TEST_F(SealedGroups, ALeaverGetsNoNewCertificate) {
  const auto key = util::to_base64(net::make_member_key().public_der);
  EXPECT_TRUE(bob_.request("group_cert g " + key).ok);
  ASSERT_TRUE(bob_.request("leave_group g").ok);
  EXPECT_EQ(bob_.request("group_cert g " + key).code, "NOT_MEMBER");
  client_process eve(tracker_.client_address());
  eve.log_in("eve");
  EXPECT_EQ(eve.request("group_cert g " + key).code, "NOT_MEMBER");
  EXPECT_EQ(alice_.request("group_cert g bm90IGEga2V5").code, "BAD_ARGUMENTS");
}

TEST_F(SealedGroups, ARemovedMemberGetsNoNewCertificate) {
  const auto key = net::make_member_key();
  EXPECT_FALSE(certificate_for(bob_, key).cert_pem.empty());
  ASSERT_TRUE(alice_.request("remove_member g bob").ok);
  EXPECT_EQ(bob_.request("group_cert g " + util::to_base64(key.public_der)).code, "NOT_MEMBER");
}

// Certificates that live 30 s: short enough to wait out, long enough for a download before
// the end on a loaded machine under a sanitizer (the shortest allowed, 10 s, is not).
class SealedGroupsWithShortCertificates : public SealedGroups {
 protected:
  SealedGroupsWithShortCertificates() : SealedGroups({"--member-cert-lifetime", "30"}) {}
};

// A removed member keeps the certificate they hold until it expires (the lifetime is the
// bound), gets no new one, and is then refused by a member's seeder.
TEST_F(SealedGroupsWithShortCertificates, ARemovedMemberIsShutOutOnceTheirCertificateExpires) {
  const auto meta = meta_of(bob_, "g", "f.bin");
  const auto ports = alice_ports();
  ASSERT_EQ(ports.size(), 2u);
  ASSERT_TRUE(seeded()) << alice_.log_tail();
  const auto key = net::make_member_key();
  const auto bobs = certificate_for(bob_, key);
  ASSERT_FALSE(bobs.cert_pem.empty());
  ASSERT_TRUE(alice_.request("remove_member g bob").ok);
  EXPECT_EQ(bob_.request("group_cert g " + util::to_base64(key.public_der)).code, "NOT_MEMBER");
  // Still valid: the seeder serves it (so what refuses it below is its age, not the rest).
  fs::create_directories(dir_.file("before"));
  const auto before = outsider(meta, ports, dir_.file("before"), bobs.cert_pem, key.private_pem);
  ASSERT_TRUE(before.complete) << before.events << alice_.log_tail();
  // What is tested is the passing of the certificate's own end, a time on the clock: nothing
  // to wait for but the clock. Meanwhile alice's client renews hers (at half the lifetime).
  std::this_thread::sleep_until(std::chrono::system_clock::from_time_t(bobs.expires) + 1s);
  fs::create_directories(dir_.file("after"));
  const auto after = outsider(meta, ports, dir_.file("after"), bobs.cert_pem, key.private_pem);
  EXPECT_EQ(after.payload, 0) << after.events;
  EXPECT_FALSE(after.complete);
  // And a member with a fresh certificate still gets the file from the same seeder.
  ASSERT_TRUE(bob_.request("join_group g").ok);
  ASSERT_TRUE(alice_.request("accept_request g bob").ok);
  const auto again = certificate_for(bob_, key);
  fs::create_directories(dir_.file("again"));
  const auto renewed = outsider(meta, ports, dir_.file("again"), again.cert_pem, key.private_pem);
  EXPECT_TRUE(renewed.complete) << renewed.events << alice_.log_tail();
}

}  // namespace
}  // namespace swarmhub::test
