// Issue 16: the client checks what its tracker says. A tracker that lies (a fake one here)
// must not crash or hang it, choose a path for it, or reach the terminal with raw controls.

#include <gtest/gtest.h>
#include <sodium.h>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/torrent_info.hpp>

#include <filesystem>

#include "client_process.hpp"
#include "fake_tracker.hpp"
#include "process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

namespace fs = std::filesystem;

const std::string digest(64, 'a');

std::string file_info(const std::string& size) {
  return "- name f.bin\n- size " + size + "\n- info_hash " + digest + "\n- info aGVsbG8=\nOK\n";
}

void log_in(fake_tracker& fake, client_process& client) {
  fake.answer("login", "OK logged in as alice\n* LOGGED_IN alice\n");
  ASSERT_TRUE(client.request("login alice secret1").ok);
}

TEST(ClientDistrust, ANumberThatIsNotOneIsRefusedAndTheClientCarriesOn) {
  fake_tracker fake;
  temp_dir dir;
  client_process client(fake.address());
  log_in(fake, client);
  for (const std::string size : {"abc", "-5", "99999999999999999999999", ""}) {
    fake.answer("file_info", file_info(size));
    const auto r = client.request("download_file g f.bin " + dir.path(), 20s);
    EXPECT_EQ(r.code, "BAD_FILE") << size;
  }
  fake.answer("ping", "OK pong\n");
  EXPECT_TRUE(client.request("ping", 20s).ok);
}

TEST(ClientDistrust, ALoginNamingAPathCannotMakeItWriteOutsideItsDataDir) {
  fake_tracker fake;
  temp_dir dir;
  client_process client(fake.address(), {}, dir.file("data"));
  fake.answer("login", "OK logged in as x\n* LOGGED_IN ../../../escaped\n");
  client.request("login x secret1", 30s);
  fake.answer("ping", "OK pong\n");
  EXPECT_TRUE(client.request("ping", 30s).ok);
  EXPECT_FALSE(fs::exists(dir.file("escaped")));
  for (const auto& e : fs::recursive_directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().string().find("escaped"), std::string::npos) << e.path();
  }
}

TEST(ClientDistrust, ControlsInEventsReachTheTerminalEscaped) {
  fake_tracker fake;
  client_process client(fake.address());
  fake.answer("ping", "* MSG bob \x1b[2Jhi \u202etxt.exe \u009b1m\nOK pong\n");
  ASSERT_TRUE(client.request("ping").ok);
  bool seen = false;
  for (const auto& e : client.events()) {
    if (e.name != "MSG") continue;
    seen = true;
    EXPECT_EQ(e.text, "bob \\x1b[2Jhi \\u202etxt.exe \\x9b1m");
  }
  EXPECT_TRUE(seen);
}

TEST(ClientDistrust, ADownloadNeverWritesThroughASymlink) {
  fake_tracker fake;
  temp_dir dir;
  client_process client(fake.address());
  log_in(fake, client);
  fake.answer("file_info", file_info("5"));
  fs::create_directories(dir.file("got"));
  fs::create_symlink(dir.file("victim"), dir.file("got/f.bin"));  // dangling
  const auto r = client.request("download_file g f.bin " + dir.file("got"));
  EXPECT_EQ(r.code, "FILE_EXISTS");
  EXPECT_NE(r.text.find("symbolic link"), std::string::npos) << r.text;
  const auto named = client.request("download_file g f.bin " + dir.file("got/f.bin"));
  EXPECT_EQ(named.code, "FILE_EXISTS");
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir.file("victim"))));
}

// Issue 16: reply lines are bounded on the client too; a longer one ends the connection
// with the reason said, instead of a request that hangs while the line grows.
TEST(ClientDistrust, ALineOverOneMebibyteEndsTheConnectionWithItsReason) {
  fake_tracker fake;
  fake.answer("ping", "OK " + std::string(2 * 1024 * 1024, 'x') + "\n");
  temp_dir dir;
  process client({client_binary(), fake.address()}, dir.file("stderr"));
  client.write("ping\n");
  std::string said;
  while (const auto line = client.read_line(30s)) said += *line + "\n";
  const auto status = client.wait(30s);
  said += read_file(dir.file("stderr"));  // the client's notices, when it is not interactive
  EXPECT_NE(said.find("a line from the tracker is over 1048576 bytes"), std::string::npos)
      << said.substr(0, 2000);
  EXPECT_EQ(said.find("xxxx"), std::string::npos);  // nothing of the line itself
  ASSERT_TRUE(status);
  EXPECT_NE(*status, 0);
}

std::string base64(const std::string& data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

// A v2 torrent of the file at `path` made by libtorrent: its info dictionary and piece layer.
struct made_torrent {
  std::string info;
  std::string layer;
};
made_torrent torrent_of(const std::string& path) {
  lt::file_storage files;
  lt::add_files(files, path);
  lt::create_torrent maker(files, 16384, lt::create_torrent::v2_only);
  lt::set_piece_hashes(maker, fs::path(path).parent_path().string());
  std::string whole;
  lt::bencode(std::back_inserter(whole), maker.generate());
  const lt::torrent_info ti(whole, lt::from_span);
  const auto info = ti.info_section();
  const auto layer = ti.piece_layer(lt::file_index_t{0});
  return {std::string(info.data(), static_cast<std::size_t>(info.size())),
          std::string(layer.data(), static_cast<std::size_t>(layer.size()))};
}

std::string file_info_of(const std::string& name, std::size_t size, const std::string& info) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(info.data()), info.size());
  static const char* hex = "0123456789abcdef";
  std::string hex_digest;
  for (const unsigned char c : digest) {
    hex_digest += hex[c >> 4];
    hex_digest += hex[c & 15];
  }
  return "- name " + name + "\n- size " + std::to_string(size) + "\n- info_hash " + hex_digest +
         "\n- info " + base64(info) + "\nOK\n";
}

// Issue 16: a download takes the tracker's piece layer only when libtorrent finds it to be
// the file's (its Merkle root is the pieces root in the info dictionary); a wrong one, or
// none, leaves the hashes to come from peers, each checked the same way.
TEST(ClientDistrust, APieceLayerThatIsNotTheFilesIsNotTaken) {
  ASSERT_GE(sodium_init(), 0);
  fake_tracker fake;
  temp_dir dir;
  client_process client(fake.address());
  log_in(fake, client);
  fs::create_directories(dir.file("src"));
  fs::create_directories(dir.file("got"));
  unsigned seed = 20;  // other content for each file
  const auto expect_hashes = [&](const std::string& name, const std::string& layers_reply,
                                 const std::string& word) {
    make_file(dir.file("src/" + name), 200'000, ++seed);
    const auto made = torrent_of(dir.file("src/" + name));
    fake.answer("file_info", file_info_of(name, 200'000, made.info));
    fake.answer("piece_layers", layers_reply.empty() ? "OK\n" : layers_reply);
    const auto r = client.request("download_file g " + name + " " + dir.file("got"));
    ASSERT_TRUE(r.ok) << r.code << " " << r.text;
    bool shown = false;
    for (const auto& line : client.request("show_downloads").data) {
      if (line.find(" " + name + " ") == std::string::npos) continue;
      shown = true;
      EXPECT_TRUE(line.ends_with(" hashes=" + word)) << line;
    }
    EXPECT_TRUE(shown) << name;
  };
  // The right layer (with no seeder the download waits: enough to see how it started).
  make_file(dir.file("src/right.bin"), 200'000, 9);
  const auto right = torrent_of(dir.file("src/right.bin"));
  ASSERT_EQ(right.layer.size(), 13u * 32);
  fake.answer("file_info", file_info_of("right.bin", 200'000, right.info));
  fake.answer("piece_layers", "- 0 " + base64(right.layer) + "\nOK\n");
  ASSERT_TRUE(client.request("download_file g right.bin " + dir.file("got")).ok);
  const auto listed = client.request("show_downloads");
  ASSERT_EQ(listed.data.size(), 1u);
  EXPECT_TRUE(listed.data[0].ends_with(" hashes=known")) << listed.data[0];
  // Another file's layer, of the same length: libtorrent refuses it, the download goes on.
  expect_hashes("wrong.bin", "- 0 " + base64(right.layer) + "\nOK\n", "peers");
  // None at all, or one that does not hold together.
  expect_hashes("none.bin", "", "peers");
  expect_hashes("broken.bin", "- 5 " + base64(right.layer) + "\nOK\n", "peers");
  expect_hashes("short.bin", "- 0 " + base64(right.layer.substr(0, 5 * 32)) + "\nOK\n", "peers");
  fake.answer("ping", "OK pong\n");
  EXPECT_TRUE(client.request("ping").ok);
}

}  // namespace
}  // namespace swarmhub::test
