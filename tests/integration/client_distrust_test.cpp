// Issue 16: the client checks what its tracker says. A tracker that lies (a fake one here)
// must not crash or hang it, choose a path for it, or reach the terminal with raw controls.

#include <gtest/gtest.h>

#include <filesystem>

#include "client_process.hpp"
#include "fake_tracker.hpp"
#include "process.hpp"

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

}  // namespace
}  // namespace swarmhub::test
