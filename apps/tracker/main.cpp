// tracker: parses flags, builds the server, prints the bound address, serves.

#include <pthread.h>
#include <sys/stat.h>
#include <termios.h>

#include <unistd.h>
#include <csignal>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "swarmhub/net/host_port.hpp"
#include "swarmhub/net/tracker_list.hpp"
#include "swarmhub/tracker/conn/server.hpp"
#include "swarmhub/tracker/sibling_check.hpp"

namespace {

using namespace swarmhub;

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// The first line of `path`, without its line end; nullopt when it cannot be read.
std::optional<std::string> first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  if (line.ends_with('\r')) line.pop_back();
  return line;
}

// Asks for the server password on the terminal without echoing it (seed 003's prompt).
std::optional<std::string> ask_password() {
  if (!::isatty(STDIN_FILENO)) return std::nullopt;
  termios saved{};
  tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  std::cerr << "server password for this tracker: " << std::flush;
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  std::cerr << "\n";
  if (!ok) return std::nullopt;
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the tracker creates (data directory, database and its WAL, lock, chat log,
  // TLS key and certificate) is for its owner only.
  ::umask(077);
  tracker::tracker_options options;
  CLI::App app{"swarmhub tracker: accounts, groups, chat and the registry of shared files"};
  app.set_version_flag("--version", "swarmhub tracker " SWARMHUB_VERSION);
  std::vector<std::string> positional;
  std::string listen_arg;
  double idle_seconds = 300;
  double write_seconds = 30;
  double grace_seconds = 5;
  std::string log_level = "info";
  std::string password_file;
  bool prompt_password = false;
  std::string hash_cost_name = "interactive";
  app.add_option("port | tracker_info.txt N", positional,
                 "a port to listen on, on every address (0: any free port); or a tracker list "
                 "and which of its trackers this is (1-based)")
      ->expected(0, 2);
  app.add_option("--listen", listen_arg, "HOST:PORT to listen on (default 0.0.0.0:7070)");
  app.add_option("--threads", options.threads, "I/O threads (default: one per core)");
  app.add_flag("!--no-bind-threads", options.bind_threads,
               "leave the I/O threads unbound (by default, with one per core, each is bound to "
               "its core)");
  app.add_option("--max-line", options.max_line, "longest request line, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(64, 16 * 1024 * 1024));
  app.add_option("--max-output", options.max_output,
                 "bytes queued for a client that does not read before it is cut off")
      ->capture_default_str()
      ->check(CLI::Range(4096, 1 << 30));
  app.add_option("--max-clients", options.max_clients, "connections held at once")
      ->capture_default_str();
  app.add_option("--idle-timeout", idle_seconds,
                 "seconds without a request before a client is cut off")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  std::int64_t greeting_ms = options.greeting_delay.count();
  app.add_option("--greeting-delay", greeting_ms,
                 "milliseconds a silent connection waits before it is greeted as a line client "
                 "(one that speaks first chooses its protocol: line, IRC, HTTP or TLS)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{60'000}));
  app.add_option("--write-timeout", write_seconds,
                 "seconds a write to a client may stall before it is cut off")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--shutdown-grace", grace_seconds,
                 "seconds clients get to read the closing notice at shutdown")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--data-dir", options.data_dir,
                 "directory for the database (tracker.db) and the lock file")
      ->capture_default_str();
  double lease_seconds = 15;
  app.add_option("--login-lease", lease_seconds,
                 "seconds a crashed tracker's users stay logged in there (renewed every third)")
      ->capture_default_str()
      ->check(CLI::Range(0.3, 3600.0));
  double member_cert_seconds = 3600;
  app.add_option("--member-cert-lifetime", member_cert_seconds,
                 "seconds a sealed group's member certificate is valid (clients renew at half)")
      ->capture_default_str()
      ->check(CLI::Range(10.0, 30.0 * 86400));
  app.add_option("--store", options.store,
                 "PostgreSQL connection string (postgresql://... or 'host=... dbname=...'): the "
                 "store shared by several trackers; default SQLite in the data directory");
  app.add_option("--password-file", password_file,
                 "server password (first line of FILE) that every connection must give first");
  app.add_flag("--ask-password", prompt_password,
               "ask for the server password on the terminal at start");
  app.add_option("--password-hash-cost", hash_cost_name,
                 "Argon2id cost of account passwords: interactive, moderate, or minimal (tests)")
      ->capture_default_str();
  std::string chat_log = "<data-dir>/chat.log";
  app.add_option("--chat-log", chat_log,
                 "file every room and pair message is appended to ('' for none)")
      ->capture_default_str();
  app.add_flag("--log-direct-messages", options.log_direct_messages,
               "write direct messages to the chat log too");
  app.add_option("--max-message", options.max_message, "bytes in one chat message")
      ->capture_default_str()
      ->check(CLI::Range(16, 60000));
  app.add_option("--chat-rate", options.chat_rate, "chat messages a second per user, sustained")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--chat-burst", options.chat_burst, "chat messages a user may send at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--new-users-per-address", options.new_users_per_address,
                 "accounts one address may create before create_user is slowed down")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--max-groups-per-user", options.max_groups_per_user,
                 "groups one user may own (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-files-per-user", options.max_files_per_user,
                 "files one user may have shared, in all groups together (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-unfinished-layers", options.max_unfinished_layers,
                 "piece layers one user may be sending at once; one more drops the oldest "
                 "(0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--exit-when-empty", options.exit_when_empty, "stop when the last client has left");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert,
                 "TLS certificate chain (PEM, the leaf first), reloaded on SIGHUP; default a "
                 "self-signed one made in <data-dir>/tls");
  app.add_option("--tls-key", options.tls_key, "the private key of --tls-cert (PEM)");
  std::string plaintext_name = "loopback";
  app.add_option("--plaintext", plaintext_name,
                 "who may connect without TLS: allow, loopback (the same machine) or refuse")
      ->capture_default_str();
  double handshake_seconds = 10;
  app.add_option("--tls-handshake-timeout", handshake_seconds,
                 "seconds a client may take over its TLS handshake before it is cut off")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--metrics-token", options.metrics_token,
                 "serve /metrics beyond loopback to requests with 'Authorization: Bearer "
                 "<token>' (default: loopback only)");
  CLI11_PARSE(app, argc, argv);

  if (!positional.empty() && !listen_arg.empty()) {
    std::cerr << "tracker: give either a port, a tracker list, or --listen\n";
    return 2;
  }
  std::string error;
  if (positional.size() == 2) {
    const auto list = net::read_tracker_list(positional[0]);
    if (!list.error.empty()) {
      std::cerr << "tracker: " << list.error << "\n";
      return 2;
    }
    const auto n = net::parse_port(positional[1]);
    if (!n || *n == 0 || *n > list.trackers.size()) {
      std::cerr << "tracker: " << positional[0] << " lists " << list.trackers.size()
                << " tracker(s); which one is this (1 to " << list.trackers.size() << "), not '"
                << positional[1] << "'\n";
      return 2;
    }
    options.tracker_list = list.trackers;
    options.tracker_index = *n - 1;
    options.listen = list.trackers[options.tracker_index];
  } else if (!listen_arg.empty()) {
    auto parsed = net::parse_host_port(listen_arg, &error);
    if (!parsed) {
      std::cerr << "tracker: --listen " << listen_arg << ": " << error << "\n";
      return 2;
    }
    options.listen = *parsed;
    if (options.listen.host.empty()) options.listen.host = "0.0.0.0";
  } else if (positional.size() == 1) {
    auto port = net::parse_port(positional[0]);
    if (!port) {
      std::cerr << "tracker: port must be a number from 0 to 65535, not '" << positional[0]
                << "' (a tracker list needs the tracker's number after it)\n";
      return 2;
    }
    options.listen.port = *port;
  }
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    std::cerr << "tracker: give --tls-cert and --tls-key together\n";
    return 2;
  }
  if (const auto mode = tracker::parse_plaintext_mode(plaintext_name)) {
    options.plaintext = *mode;
  } else {
    std::cerr << "tracker: --plaintext must be allow, loopback or refuse\n";
    return 2;
  }
  options.tls_handshake_timeout = seconds_to_ms(handshake_seconds);
  if (!tracker::parse_hash_cost(hash_cost_name, options.password_cost)) {
    std::cerr << "tracker: --password-hash-cost must be interactive, moderate or minimal\n";
    return 2;
  }
  if (!password_file.empty()) {
    auto password = first_line_of(password_file);
    if (!password || password->empty()) {
      std::cerr << "tracker: --password-file " << password_file
                << ": cannot read a password from its first line\n";
      return 2;
    }
    options.server_password = *password;
  } else if (prompt_password) {
    auto password = ask_password();
    if (!password || password->empty()) {
      std::cerr << "tracker: --ask-password needs a terminal and a non-empty password\n";
      return 2;
    }
    options.server_password = *password;
  }
  options.chat_log_path =
      chat_log == "<data-dir>/chat.log" ? options.data_dir + "/chat.log" : chat_log;
  options.idle_timeout = seconds_to_ms(idle_seconds);
  options.greeting_delay = std::chrono::milliseconds(greeting_ms);
  options.write_timeout = seconds_to_ms(write_seconds);
  options.shutdown_grace = seconds_to_ms(grace_seconds);
  options.login_lease = seconds_to_ms(lease_seconds);
  options.member_cert_lifetime = std::chrono::seconds(static_cast<long>(member_cert_seconds));
  if (!options.store.empty() && options.max_message > 6000) {
    // A chat message travels to the other trackers in one NOTIFY (at most 8000 bytes).
    std::cerr << "tracker: with --store, --max-message can be at most 6000 bytes\n";
    return 2;
  }

  auto logger = spdlog::stderr_logger_mt("tracker");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(log_level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  try {
    tracker::server server(options);
    if (!options.tracker_list.empty()) {
      const auto problem = tracker::find_split_brain(options, server.core().store_id);
      if (!problem.empty()) {
        spdlog::error("refusing to start: {}", problem);
        std::cerr << "tracker: refusing to start: " << problem << "\n";
        return 1;
      }
    }
    const auto bound = server.bind();
    server.handle_signals();
    // The one line scripts and tests read to learn the port (documented in the README).
    std::printf("swarmhub tracker listening on %s\n",
                net::host_port{bound.address().to_string(), bound.port()}.to_string().c_str());
    std::fflush(stdout);
    server.run();
    // Shut down already: a second signal now must not kill the process with its default
    // action while the server is being taken apart.
    sigset_t late;
    sigemptyset(&late);
    for (int signo : {SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGHUP}) sigaddset(&late, signo);
    pthread_sigmask(SIG_BLOCK, &late, nullptr);
  } catch (const std::exception& e) {
    spdlog::error("fatal: {}", e.what());
    std::cerr << "tracker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
