// tracker: parses flags, builds the server, prints the bound address, serves.

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "swarmhub/net/host_port.hpp"
#include "swarmhub/tracker/server.hpp"

namespace {

using namespace swarmhub;

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

}  // namespace

int main(int argc, char** argv) {
  tracker::tracker_options options;
  CLI::App app{"swarmhub tracker: accounts, groups, chat and the registry of shared files"};
  std::string port_arg;
  std::string listen_arg;
  double idle_seconds = 300;
  double write_seconds = 30;
  double grace_seconds = 5;
  std::string log_level = "info";
  app.add_option("port", port_arg, "port to listen on, on every address (0: any free port)");
  app.add_option("--listen", listen_arg, "HOST:PORT to listen on (default 0.0.0.0:7070)");
  app.add_option("--threads", options.threads, "I/O threads (default: one per core)");
  app.add_option("--max-line", options.max_line, "longest request line, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(64, 16 * 1024 * 1024));
  app.add_option("--max-output", options.max_output,
                 "bytes queued for a client that does not read before it is cut off")
      ->capture_default_str()
      ->check(CLI::Range(4096, 1 << 30));
  app.add_option("--max-clients", options.max_clients, "connections held at once")
      ->capture_default_str();
  app.add_option("--idle-timeout", idle_seconds, "seconds without a request before a client is cut off")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--write-timeout", write_seconds,
                 "seconds a write to a client may stall before it is cut off")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--shutdown-grace", grace_seconds,
                 "seconds clients get to read the closing notice at shutdown")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!port_arg.empty() && !listen_arg.empty()) {
    std::cerr << "tracker: give either a port or --listen, not both\n";
    return 2;
  }
  std::string error;
  if (!listen_arg.empty()) {
    auto parsed = net::parse_host_port(listen_arg, &error);
    if (!parsed) {
      std::cerr << "tracker: --listen " << listen_arg << ": " << error << "\n";
      return 2;
    }
    options.listen = *parsed;
    if (options.listen.host.empty()) options.listen.host = "0.0.0.0";
  } else if (!port_arg.empty()) {
    auto port = net::parse_port(port_arg);
    if (!port) {
      std::cerr << "tracker: port must be a number from 0 to 65535, not '" << port_arg << "'\n";
      return 2;
    }
    options.listen.port = *port;
  }
  options.idle_timeout = seconds_to_ms(idle_seconds);
  options.write_timeout = seconds_to_ms(write_seconds);
  options.shutdown_grace = seconds_to_ms(grace_seconds);

  auto logger = spdlog::stderr_logger_mt("tracker");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(log_level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  try {
    tracker::server server(options);
    const auto bound = server.bind();
    server.handle_signals();
    // The one line scripts and tests read to learn the port (documented in the README).
    std::printf("swarmhub tracker listening on %s\n",
                net::host_port{bound.address().to_string(), bound.port()}.to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    spdlog::error("fatal: {}", e.what());
    std::cerr << "tracker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
