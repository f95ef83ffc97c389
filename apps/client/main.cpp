// client: parses flags, picks a terminal or a script console, runs the client app.

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "swarmhub/client/app.hpp"
#include "swarmhub/client/tracker_target.hpp"
#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/net/host_port.hpp"
#include "swarmhub/net/secure_files.hpp"
#include "swarmhub/net/tracker_list.hpp"
#include "swarmhub/util/paths.hpp"

namespace {

// $XDG_DATA_HOME/swarmhub, or ~/.local/share/swarmhub.
std::string default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/swarmhub";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/swarmhub";
  return ".swarmhub";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace swarmhub;
  CLI::App app{"swarmhub client: chat and share files through a swarmhub tracker"};
  app.set_version_flag("--version", "swarmhub client " SWARMHUB_VERSION);
  std::string tracker_arg;
  bool force_script = false;
  app.add_option("tracker", tracker_arg,
                 "the tracker, as tls://HOST:PORT (or just HOST:PORT), tcp://HOST:PORT (plaintext, "
                 "loopback only), or a tracker_info.txt of trackers to move between when one "
                 "fails")
      ->required();
  std::string pin;
  app.add_option("--pin", pin,
                 "accept only the TLS certificate with this SHA-256 fingerprint (sha256=AB:CD:…), "
                 "for every tracker without a pin in tracker_info.txt");
  std::string ca_file;
  app.add_option("--ca-file", ca_file,
                 "trust the certificate authorities in this PEM file instead of the system's");
  std::string password_file;
  app.add_option("--server-password-file", password_file,
                 "the tracker's server password (first line of FILE), given when it asks");
  std::string p2p_listen;
  bool stay = false;
  std::string data_dir = default_data_dir();
  int download_limit = 0;
  int upload_limit = 0;
  int stall_timeout = 60;
  app.add_option("--data-dir", data_dir,
                 "where each user's list of shared files and known_trackers are kept (0700)")
      ->capture_default_str();
  app.add_option("--download-limit", download_limit, "bytes per second for downloads (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--upload-limit", upload_limit,
                 "bytes per second for uploads to other clients (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--stall-timeout", stall_timeout,
                 "seconds a download may go without a verified byte before it fails")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--p2p-listen", p2p_listen,
                 "HOST:PORT other clients connect to for file pieces (default: port 0 of the "
                 "address that reaches the tracker)");
  app.add_flag("--stay", stay,
               "at the end of the input keep running, sharing files, until SIGINT or SIGTERM");
  int progress = 0;
  app.add_option("--progress", progress,
                 "scripted mode: print `* PROGRESS` lines for running downloads every SECONDS "
                 "(0: never; a terminal always shows a live status line)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--script", force_script,
               "read commands from stdin and print raw protocol lines even on a terminal");
  CLI11_PARSE(app, argc, argv);
  // Every path as the shell would have expanded it, `~` included (quoted, or after `=`).
  data_dir = util::expand_tilde(data_dir);
  password_file = util::expand_tilde(password_file);
  ca_file = util::expand_tilde(ca_file);

  auto targets = client::resolve_trackers(tracker_arg, pin);
  if (!targets.error.empty()) {
    std::cerr << "client: " << targets.error << "\n";
    return client::exit_connection;
  }
  // The data directory holds known_trackers and the lists of shares: the user's only.
  try {
    if (auto warning = net::make_private_dir(data_dir); !warning.empty())
      std::cerr << "client: warning: " << warning << "\n";
  } catch (const std::exception& e) {
    std::cerr << "client: --data-dir: " << e.what() << "\n";
    return client::exit_connection;
  }

  client::client_options options;
  options.trackers = std::move(targets.trackers);
  options.ca_file = ca_file;
  options.p2p_listen = p2p_listen;
  options.stay = stay;
  options.data_dir = data_dir;
  options.download_limit = download_limit;
  options.upload_limit = upload_limit;
  options.stall_timeout = std::chrono::seconds(stall_timeout);
  options.progress = std::chrono::seconds(progress);
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    if (!in || !std::getline(in, options.server_password) || options.server_password.empty()) {
      std::cerr << "client: --server-password-file " << password_file
                << ": cannot read a password from its first line\n";
      return client::exit_connection;
    }
    if (options.server_password.ends_with('\r')) options.server_password.pop_back();
  }

  asio::io_context io;
  const bool interactive = !force_script && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
  auto user = interactive ? client::make_terminal_console(io.get_executor(), data_dir + "/history")
                          : client::make_script_console(io.get_executor());
  client::client_app client(io.get_executor(), options, std::move(user));

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](error_code ec, int) {
    if (!ec) client.leave();
  });
  std::signal(SIGPIPE, SIG_IGN);

  int status = client::exit_connection;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        status = co_await client.run();
        signals.cancel();
      },
      net::detached_logged{"client"});
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      // A bug in a handler must not take the user's session down: report it and carry on.
      std::cerr << "client: internal error: " << e.what() << "\n";
    }
  }
  return status;
}
