// The interactive client in a real terminal: tmux runs it, send-keys types, capture-pane
// reads the screen. A terminal has no replies to wait on, so each step waits (with a
// deadline) until the screen shows what it must.

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "client_process.hpp"
#include "tracker_process.hpp"

namespace swarmhub::test {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

bool have_tmux() {
  return std::system("tmux -V >/dev/null 2>&1") == 0;
}

// One client in a tmux session of its own (its own tmux server, ended with the test).
class terminal {
 public:
  explicit terminal(const std::string& tracker_address)
      : socket_("swarmhub-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count_)) {
    const std::string client = client_binary() + " --data-dir " + quoted(dir_.file("data")) + " " +
                               quoted(tracker_address);
    tmux("new-session -d -s t -x 100 -y 24 " + quoted(client));
  }
  ~terminal() { tmux("kill-server"); }

  void type(const std::string& text) { tmux("send-keys -t t -l " + quoted(text)); }
  void press(const std::string& key) { tmux("send-keys -t t " + key); }
  void enter(const std::string& line) {
    type(line);
    press("Enter");
  }

  // The screen's lines, trailing blank ones left out.
  std::vector<std::string> screen() {
    std::istringstream in(output_of("tmux -L " + socket_ + " capture-pane -p -t t"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    while (!lines.empty() && lines.back().find_first_not_of(' ') == std::string::npos)
      lines.pop_back();
    return lines;
  }
  std::string text() {
    std::string out;
    for (const auto& l : screen()) out += l + "\n";
    return out;
  }
  // Waits until the screen holds `what`.
  bool shows(const std::string& what, std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (text().find(what) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);  // the screen has no event to wait on
    }
    return true;
  }
  std::string last_line() {
    const auto lines = screen();
    return lines.empty() ? std::string() : lines.back();
  }
  void log_in(const std::string& name) {
    enter("create_user " + name + " " + name + "-password");
    ASSERT_TRUE(shows("user " + name + " created")) << text();
    enter("login " + name + " " + name + "-password");
    ASSERT_TRUE(shows("logged in as " + name)) << text();
  }

 private:
  void tmux(const std::string& args) {
    (void)std::system(("tmux -L " + socket_ + " " + args + " >/dev/null 2>&1").c_str());
  }
  static inline int count_ = 0;
  temp_dir dir_;
  std::string socket_;
};

class TerminalClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tmux()) GTEST_SKIP() << "tmux is not installed";
  }
  tracker_process tracker_;
};

TEST_F(TerminalClient, APromptAndAHalfTypedLineSurviveIncomingMessages) {
  terminal alice(tracker_.client_address());
  alice.log_in("alice");
  client_process bob(tracker_.client_address());
  bob.log_in("bob");
  alice.type("half typ");
  ASSERT_TRUE(alice.shows("swarmhub> half typ")) << alice.text();
  ASSERT_TRUE(bob.request("hello alice, are you there?").ok);
  ASSERT_TRUE(bob.request("/me knocks").ok);
  ASSERT_TRUE(alice.shows("* bob knocks")) << alice.text();
  const auto lines = alice.screen();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.back(), "swarmhub> half typ") << alice.text();
  EXPECT_NE(lines[lines.size() - 3].find("] [lobby] <bob> hello alice, are you there?"),
            std::string::npos)
      << alice.text();
  EXPECT_EQ(lines[lines.size() - 3].rfind("[", 0), 0u);  // a [HH:MM] first
  alice.type("ed");
  alice.press("Enter");
  ASSERT_TRUE(bob.wait_for_event("ROOM"));
  EXPECT_EQ(bob.events().back().text, "lobby alice half typed");
}

TEST_F(TerminalClient, TabCompletesAGroupNameTheTrackerListed) {
  terminal alice(tracker_.client_address());
  alice.log_in("alice");
  alice.enter("create_group rustaceans");
  alice.enter("list_groups");
  ASSERT_TRUE(alice.shows("1 group")) << alice.text();
  alice.type("list_files ru");
  alice.press("Tab");
  ASSERT_TRUE(alice.shows("swarmhub> list_files rustaceans")) << alice.text();
  alice.press("Enter");
  EXPECT_TRUE(alice.shows("0 files")) << alice.text();
}

TEST_F(TerminalClient, AStatusLineStaysBelowTheChatWhileADownloadRuns) {
  temp_dir dir;
  std::ofstream(dir.file("f.bin")) << std::string(500'000, 'y');
  client_process bob(tracker_.client_address());
  bob.log_in("bob");
  ASSERT_TRUE(bob.request("create_group team").ok);
  ASSERT_TRUE(bob.request("upload_file " + dir.file("f.bin") + " team").ok);
  ASSERT_TRUE(bob.request("stop_share team f.bin").ok);  // the download waits for a seeder
  terminal alice(tracker_.client_address());
  alice.log_in("alice");
  alice.enter("/join team");
  ASSERT_TRUE(alice.shows("asked bob")) << alice.text();
  ASSERT_TRUE(bob.request("accept_request team alice").ok);
  ASSERT_TRUE(alice.shows("you are now a member of team")) << alice.text();
  alice.enter("download_file team f.bin " + dir.file("got.bin"));
  const std::string status = "[team] f.bin 0% of 488.3 KiB 0 B/s ETA ? peers 0";
  ASSERT_TRUE(alice.shows(status)) << alice.text();
  // Lines typed and chat come above it; it is drawn once, right above the prompt.
  alice.enter("ping");
  ASSERT_TRUE(alice.shows("pong")) << alice.text();
  ASSERT_TRUE(bob.request("say the file will come").ok);
  ASSERT_TRUE(alice.shows("<bob> the file will come")) << alice.text();
  alice.type("abc");
  ASSERT_TRUE(alice.shows(status + "\nswarmhub> abc\n")) << alice.text();
  const std::string screen = alice.text();
  EXPECT_EQ(screen.find(status), screen.rfind(status)) << screen;  // one status line only
  EXPECT_LT(screen.find("pong"), screen.find(status)) << screen;
}

}  // namespace
}  // namespace swarmhub::test
