// Issue 15, open groups: a member's own BitTorrent client (Debian's aria2c, transmission-cli,
// qbittorrent-nox) fetches a group file from swarmhub seeders with the .torrent that
// `torrent_file` writes, and with nothing but the link `magnet` gives (the metadata then
// comes from the swarmhub seeder, BEP 9); qbittorrent-nox seeds it to swarmhub clients. Every
// byte is compared. A test whose program is missing is skipped with a message (scripts/install-deps
// installs them).

#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "client_process.hpp"
#include "line_client.hpp"
#include "swarmhub/util/base64.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace fs = std::filesystem;

// Polls (a file, a process) until `done` or the deadline; never a sleep as synchronisation.
template <class F>
bool poll_until(F done, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

// An outside program, its output in `log` (the test prints it when it fails).
std::unique_ptr<process> start(std::vector<std::string> argv, const std::string& log) {
  std::string command = "exec";
  for (const auto& a : argv) command += " '" + a + "'";  // our own paths: no quotes in them
  command += " >'" + log + "' 2>&1 </dev/null";
  return std::make_unique<process>(std::vector<std::string>{"/bin/sh", "-c", command});
}

class OutsideClients : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_.log_in("alice");
    bob_.log_in("bob");
    ASSERT_TRUE(alice_.request("create_group g").ok);
    ASSERT_TRUE(alice_.request("group_mode g open").ok);
    ASSERT_TRUE(bob_.request("join_group g").ok);
    ASSERT_TRUE(alice_.request("accept_request g bob").ok);
    fs::create_directories(path("alice"));
    fs::create_directories(path("out"));
    make_file(path("alice/f.bin"), 3'000'000, 15);
  }

  // Alice shares f.bin; bob writes his .torrent of it and it is returned.
  std::string share_and_get_torrent() {
    const auto up = alice_.request("upload_file " + path("alice/f.bin") + " g");
    EXPECT_TRUE(up.ok) << up.text;
    const auto wrote = bob_.request("torrent_file g f.bin " + dir_.path());
    EXPECT_TRUE(wrote.ok) << wrote.text;
    return path("f.bin.torrent");
  }

  // Alice shares f.bin; bob's magnet link of it is returned.
  std::string share_and_get_magnet() {
    const auto up = alice_.request("upload_file " + path("alice/f.bin") + " g");
    EXPECT_TRUE(up.ok) << up.text;
    const auto magnet = bob_.request("magnet g f.bin");
    EXPECT_TRUE(magnet.ok && magnet.data.size() == 1) << magnet.text;
    return magnet.data.empty() ? std::string() : magnet.data[0];
  }

  // What aria2c is given: a .torrent or a magnet link.
  void aria2c_downloads(const std::string& program, const std::string& source) {
    // Private torrents keep DHT, PEX and LPD off anyway; said here so the run is the same on
    // every aria2 version. --seed-time=0: exit once the file is complete and checked.
    auto aria =
        start({program, "--dir=" + path("out"), "--seed-time=0", "--enable-dht=false",
               "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
               "--listen-port=" + std::to_string(free_port()), "--file-allocation=none",
               "--summary-interval=0", "--console-log-level=warn", source},
              path("aria2c.log"));
    const auto status = aria->wait(90s);
    ASSERT_TRUE(status.has_value()) << "aria2c still running:\n" << read_file(path("aria2c.log"));
    EXPECT_EQ(*status, 0) << read_file(path("aria2c.log"));
    EXPECT_TRUE(arrived(path("out/f.bin")));
  }

  // transmission 3.00 never dials a peer a tracker names on 127.0.0.0/8 ("martian"), but
  // takes connections from one: so here the swarmhub seeder comes after transmission has
  // announced, is told its address and dials it. On a network, transmission dials seeders as
  // usual. `source`: a .torrent or a magnet link, made while alice shared the file.
  void transmission_downloads(const std::string& program, const std::string& source) {
    ASSERT_TRUE(alice_.request("stop_share g f.bin").ok);
    fs::create_directories(path("transmission"));
    // -M: no port mapping. Its NAT-PMP and UPnP search would hold the first announce back
    // for about 8 s here.
    auto transmission = start({program, "-M", "-g", path("transmission"), "-w", path("out"), "-p",
                               std::to_string(free_port()), source},
                              path("transmission.log"));
    // Transmission's announce shows in bob's listing (as a leecher; a magnet link's first
    // announces, before the size is known, may count it as a seeder).
    ASSERT_TRUE(poll_until(
        [&] {
          const auto files = bob_.request("list_files g");
          return !files.data.empty() &&
                 files.data[0].find("seeders=0 leechers=0") == std::string::npos;
        },
        60s))
        << read_file(path("transmission.log"));
    ASSERT_TRUE(alice_.request("upload_file " + path("alice/f.bin") + " g").ok);
    // transmission-cli seeds on after the download: the test ends it once the file is whole.
    EXPECT_TRUE(poll_until([&] { return arrived(path("out/f.bin")); }, 90s))
        << read_file(path("transmission.log"));
    transmission->signal(SIGTERM);
    EXPECT_TRUE(transmission->wait(20s).has_value());
  }

  bool arrived(const std::string& file) {
    return fs::exists(file) && fs::file_size(file) == fs::file_size(path("alice/f.bin")) &&
           read_file(file) == read_file(path("alice/f.bin"));
  }

  std::string path(const std::string& name) { return dir_.file(name); }

  temp_dir dir_;
  tracker_process tracker_;
  client_process alice_{tracker_.client_address()};
  client_process bob_{tracker_.client_address()};
};

#define REQUIRE_PROGRAM(name)                     \
  const std::string program = find_program(name); \
  if (program.empty()) GTEST_SKIP() << name " is not installed (scripts/install-deps)"

TEST_F(OutsideClients, Aria2cDownloadsFromASwarmhubSeeder) {
  REQUIRE_PROGRAM("aria2c");
  aria2c_downloads(program, share_and_get_torrent());
}

TEST_F(OutsideClients, Aria2cDownloadsFromAMagnetLinkAlone) {
  REQUIRE_PROGRAM("aria2c");
  aria2c_downloads(program, share_and_get_magnet());
}

TEST_F(OutsideClients, TransmissionDownloadsFromASwarmhubSeeder) {
  REQUIRE_PROGRAM("transmission-cli");
  transmission_downloads(program, share_and_get_torrent());
}

TEST_F(OutsideClients, TransmissionDownloadsFromAMagnetLinkAlone) {
  REQUIRE_PROGRAM("transmission-cli");
  transmission_downloads(program, share_and_get_magnet());
}

// A qBittorrent profile of its own: the legal notice accepted, fixed ports, nothing shared
// with the user's.
void qbittorrent_profile(const std::string& dir, std::uint16_t port, std::uint16_t web_port) {
  fs::create_directories(dir + "/qBittorrent/config");
  std::ofstream(dir + "/qBittorrent/config/qBittorrent.conf")
      << "[LegalNotice]\nAccepted=true\n\n[BitTorrent]\nSession\\Port=" << port
      << "\n\n[Preferences]\nConnection\\PortRangeMin=" << port << "\nWebUI\\Port=" << web_port
      << "\nWebUI\\LocalHostAuth=false\n";
}

// What qBittorrent printed, then its own log (which says whether it could listen).
std::string qbittorrent_logs(const std::string& output, const std::string& profile) {
  return read_file(output) + "\n" + read_file(profile + "/qBittorrent/data/logs/qbittorrent.log");
}

TEST_F(OutsideClients, QbittorrentDownloadsFromASwarmhubSeederAndSeedsToASwarmhubClient) {
  REQUIRE_PROGRAM("qbittorrent-nox");
  const auto torrent = share_and_get_torrent();
  const auto web_port = free_port();
  qbittorrent_profile(path("qbittorrent"), free_port(), web_port);
  auto qbittorrent =
      start({program, "--profile=" + path("qbittorrent"), "--save-path=" + path("out"),
             "--webui-port=" + std::to_string(web_port), torrent},
            path("qbittorrent.log"));
  ASSERT_TRUE(poll_until([&] { return arrived(path("out/f.bin")); }, 90s))
      << qbittorrent_logs(path("qbittorrent.log"), path("qbittorrent"));

  // Alice stops: qBittorrent is the only seeder left, and carol, a member with a swarmhub
  // client, gets the file from it.
  ASSERT_TRUE(alice_.request("stop_share g f.bin").ok);
  client_process carol(tracker_.client_address());
  carol.log_in("carol");
  ASSERT_TRUE(carol.request("join_group g").ok);
  ASSERT_TRUE(alice_.request("accept_request g carol").ok);
  fs::create_directories(path("carol"));
  ASSERT_TRUE(carol.request("download_file g f.bin " + path("carol")).ok);
  const auto waited = carol.request("wait_downloads 90", 120s);
  EXPECT_TRUE(waited.ok) << waited.text << "\n"
                         << qbittorrent_logs(path("qbittorrent.log"), path("qbittorrent"));
  EXPECT_TRUE(arrived(path("carol/f.bin")));
  qbittorrent->signal(SIGTERM);
  EXPECT_TRUE(qbittorrent->wait(20s).has_value());
}

TEST_F(OutsideClients, QbittorrentDownloadsFromAMagnetLinkAlone) {
  REQUIRE_PROGRAM("qbittorrent-nox");
  const auto magnet = share_and_get_magnet();
  const auto web_port = free_port();
  qbittorrent_profile(path("qbittorrent"), free_port(), web_port);
  auto qbittorrent =
      start({program, "--profile=" + path("qbittorrent"), "--save-path=" + path("out"),
             "--webui-port=" + std::to_string(web_port), magnet},
            path("qbittorrent.log"));
  EXPECT_TRUE(poll_until([&] { return arrived(path("out/f.bin")); }, 90s))
      << qbittorrent_logs(path("qbittorrent.log"), path("qbittorrent"));
  qbittorrent->signal(SIGTERM);
  EXPECT_TRUE(qbittorrent->wait(20s).has_value());
}

// The body of `GET target` on the tracker (a connection of its own, closed after).
std::string http_get(std::uint16_t port, const std::string& target) {
  line_client http(port, false);
  http.send_raw("GET " + target + " HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n");
  std::size_t length = 0;
  while (auto header = http.read_line()) {
    if (*header == "\r") break;
    if (header->starts_with("Content-Length: ")) length = std::stoul(header->substr(16));
  }
  return http.read_bytes(length);
}

// new_passkey: the client announces everything again with the new key at once (the tracker
// dropped the peers of the old one), and what was made with the old key stops working.
TEST_F(OutsideClients, NewPasskeyAnnouncesAnewAndEndsTheOldTorrent) {
  const auto torrent = read_file(share_and_get_torrent());
  const auto seeded = [&] {
    return alice_.request("list_files g").data.at(0).find("seeders=1 ") != std::string::npos;
  };
  ASSERT_TRUE(poll_until(seeded, 30s));
  const auto alices = alice_.request("new_passkey");
  ASSERT_TRUE(alices.ok) << alices.text;
  EXPECT_TRUE(poll_until(seeded, 30s)) << "alice's client did not announce with the new key";

  // Bob's .torrent announces to .../announce/g?pk=<old key>: refused from now on.
  const auto at = torrent.find("/announce/g?pk=");
  ASSERT_NE(at, std::string::npos);
  const auto old_target = torrent.substr(at, std::string("/announce/g?pk=").size() + 32);
  const auto bobs = bob_.request("new_passkey");
  ASSERT_TRUE(bobs.ok) << bobs.text;
  const std::string announce = old_target + "&info_hash=" + std::string(20, 'x') +
                               "&peer_id=" + std::string(20, 'b') + "&port=7000&left=0";
  EXPECT_NE(http_get(tracker_.port(), announce).find("unknown passkey"), std::string::npos);
  const auto magnet = bob_.request("magnet g f.bin");
  ASSERT_TRUE(magnet.ok) << magnet.text;
  EXPECT_NE(magnet.data.at(0).find("pk%3D" + bobs.text), std::string::npos) << magnet.data.at(0);
}

TEST_F(OutsideClients, TorrentFileAndMagnetAreForOpenGroupsOnly) {
  ASSERT_TRUE(alice_.request("upload_file " + path("alice/f.bin") + " g").ok);
  const auto key = bob_.request("passkey").text;
  const auto url = "http://" + tracker_.address() + "/announce/g?pk=" + key;
  EXPECT_NE(bob_.request("list_files g").data.at(0).find(" mode=open "), std::string::npos);

  ASSERT_TRUE(bob_.request("torrent_file g f.bin " + path("out")).ok);
  const auto torrent = read_file(path("out/f.bin.torrent"));
  EXPECT_TRUE(
      torrent.starts_with("d8:announce" + std::to_string(url.size()) + ":" + url + "4:info"))
      << torrent.substr(0, 120);
  // Files of open groups are v1: no "meta version", SHA-1 pieces.
  EXPECT_EQ(torrent.find("12:meta version"), std::string::npos);
  EXPECT_NE(torrent.find("6:pieces"), std::string::npos);
  EXPECT_EQ(bob_.request("torrent_file g f.bin " + path("out")).code, "FILE_EXISTS");
  ASSERT_TRUE(bob_.request("torrent_file g f.bin " + path("out/named.torrent")).ok);
  EXPECT_EQ(read_file(path("out/named.torrent")), torrent);

  const auto magnet = bob_.request("magnet g f.bin");
  ASSERT_TRUE(magnet.ok) << magnet.text;
  ASSERT_EQ(magnet.data.size(), 1u);
  const auto& link = magnet.data[0];
  EXPECT_TRUE(link.starts_with("magnet:?xt=urn:btih:")) << link;
  EXPECT_EQ(link.find("urn:btmh:"), std::string::npos) << link;  // v1 only
  EXPECT_NE(link.find("&dn=f.bin&tr=http%3A%2F%2F"), std::string::npos) << link;
  EXPECT_NE(link.find("%2Fannounce%2Fg%3Fpk%3D" + key), std::string::npos) << link;
  EXPECT_NE(link.find("&xs=http%3A%2F%2F"), std::string::npos) << link;
  EXPECT_NE(link.find("%2Ftorrents%2Fg%2Ff.bin%3Fpk%3D" + key), std::string::npos) << link;

  // Sealed: swarmhub clients only. Not a member, no such file: the tracker's own errors.
  ASSERT_TRUE(alice_.request("group_mode g sealed").ok);
  EXPECT_EQ(bob_.request("torrent_file g f.bin " + path("out/sealed.torrent")).code,
            "GROUP_SEALED");
  EXPECT_FALSE(fs::exists(path("out/sealed.torrent")));
  EXPECT_EQ(bob_.request("magnet g f.bin").code, "GROUP_SEALED");
  ASSERT_TRUE(alice_.request("group_mode g open").ok);
  EXPECT_EQ(bob_.request("magnet g nothing.bin").code, "NO_SUCH_FILE");
  EXPECT_EQ(bob_.request("magnet nogroup f.bin").code, "NO_SUCH_GROUP");
  client_process eve(tracker_.client_address());
  eve.log_in("eve");
  EXPECT_EQ(eve.request("magnet g f.bin").code, "NOT_MEMBER");
  EXPECT_EQ(eve.request("magnet g").code, "BAD_ARGUMENTS");
}

// Sealed groups keep v2 (or hybrid, when asked), with the group's ssl-cert: only open ones
// get v1. Such a file stays sealed when its group is opened: listed so, and no .torrent or
// magnet link, which no BitTorrent client outside the group could use.
TEST_F(OutsideClients, FilesSharedWhileSealedStaySealed) {
  ASSERT_TRUE(alice_.request("create_group s").ok);
  ASSERT_TRUE(alice_.request("upload_file " + path("alice/f.bin") + " s").ok);
  ASSERT_TRUE(alice_.request("group_mode s open").ok);  // existing files keep their format
  const auto listed = alice_.request("list_files s");
  ASSERT_TRUE(listed.ok) << listed.text;
  EXPECT_NE(listed.data.at(0).find(" mode=sealed "), std::string::npos) << listed.data.at(0);
  std::string info;
  for (const auto& line : alice_.request("file_info s f.bin").data) {
    if (line.starts_with("info ")) info = util::from_base64(line.substr(5)).value_or("");
  }
  EXPECT_NE(info.find("12:meta versioni2e"), std::string::npos);
  EXPECT_NE(info.find("8:ssl-cert"), std::string::npos);

  const auto torrent = alice_.request("torrent_file s f.bin " + path("out"));
  EXPECT_EQ(torrent.code, "GROUP_SEALED");
  EXPECT_EQ(torrent.text,
            "f.bin was shared while s was sealed: it is for swarmhub clients only (download_file "
            "fetches it)");
  EXPECT_FALSE(fs::exists(path("out/f.bin.torrent")));
  EXPECT_EQ(alice_.request("magnet s f.bin").code, "GROUP_SEALED");
  const auto key = alice_.request("passkey").text;
  EXPECT_EQ(http_get(tracker_.port(), "/torrents/s/f.bin?pk=" + key),
            "the file was shared while the group was sealed: swarmhub clients only\n");
}

}  // namespace
}  // namespace swarmhub::test
