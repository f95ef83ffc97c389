#include "swarmhub/tracker/conn/server.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <spdlog/spdlog.h>
#include <csignal>
#include <cstdio>

#include "swarmhub/net/detached_logged.hpp"
#include "swarmhub/net/tls_certificate.hpp"
#include "swarmhub/store/pg_backend.hpp"
#include "swarmhub/store/sqlite_backend.hpp"
#include "swarmhub/tracker/chat/relay.hpp"
#include "swarmhub/tracker/conn/session.hpp"
#include "swarmhub/util/cpu_affinity.hpp"
#include "swarmhub/util/time.hpp"

namespace swarmhub::tracker {
namespace {

// Lets the process hold as many sockets as the hard limit allows; an idle tracker with many
// clients needs one descriptor each.
void raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Connections over --max-clients being told so (session::start's `turned_away`) at once;
// each lives until its notice is written or a few seconds pass.
constexpr std::size_t max_turning_away = 64;

// One connection, so one store thread: room messages are fanned out from it in commit order
// (see tracker/chat/chat.cpp); room_posts refuses a store with more.
std::unique_ptr<store::async_store> open_store(const store::data_dir& dir,
                                               const tracker_options& options) {
  std::vector<std::unique_ptr<store::backend>> connections;
  if (options.store.empty()) {
    connections.push_back(store::open_sqlite(dir.file("tracker.db")));
  } else {
    connections.push_back(store::open_postgresql(options.store));
  }
  connections.back()->set_quotas({.groups_per_user = options.max_groups_per_user,
                                  .files_per_user = options.max_files_per_user,
                                  .unfinished_layers = options.max_unfinished_layers});
  return std::make_unique<store::async_store>(std::move(connections));
}

// The certificate given with --tls-cert/--tls-key, or else the tracker's own self-signed one,
// made on first start and kept in the data directory.
std::unique_ptr<net::tls_server_context> open_tls(const store::data_dir& dir,
                                                  const tracker_options& options) {
  if (!options.tls_cert.empty()) {
    return std::make_unique<net::tls_server_context>(options.tls_cert, options.tls_key);
  }
  const auto own = net::ensure_self_signed(dir.path());
  if (own.created) spdlog::info("made a self-signed TLS certificate: {}", own.cert_path);
  return std::make_unique<net::tls_server_context>(own.cert_path, own.key_path);
}

// --threads, or one per core this process may run on.
std::size_t io_thread_count(const tracker_options& options) {
  if (options.threads != 0) return options.threads;
  const auto cores = util::allowed_cpus().size();
  return cores != 0 ? cores : std::max(1u, std::thread::hardware_concurrency());
}

// The core each I/O thread is bound to, by index: one thread per core, when the count is the
// default (one I/O thread for each core the process may run on) and binding is not turned off.
// A connection and its room shards live on one I/O thread already; bound, that thread stays
// on its core, and two of them never share one while the other core is taken by someone
// else (the announce benchmark: p99 2.2 ms against 3.0 unbound, docs/benchmarks.md). Empty:
// no thread is bound.
std::vector<int> io_thread_cores(const tracker_options& options, std::size_t threads) {
  auto cores = util::allowed_cpus();
  if (!options.bind_threads || options.threads != 0 || threads < 2 || cores.size() != threads) {
    return {};
  }
  return cores;
}

}  // namespace

server::server(tracker_options options)
    : data_dir_(options.data_dir),
      core_(options, open_store(data_dir_, options)),
      io_(io_thread_count(options)),
      strand_(asio::make_strand(io_[0])),
      acceptor_(strand_),
      signals_(strand_),
      shutdown_timer_(strand_),
      renew_timer_(strand_),
      trim_timer_(strand_) {
  raise_descriptor_limit();
  core_.tls = open_tls(data_dir_, core_.options);
  spdlog::info("TLS certificate sha256={} ({})", core_.tls->fingerprint(), core_.tls->cert_path());
  core_.store_id = core_.store->call_now([id = core_.tracker_id](store::backend& db) {
    db.name_tracker(id);  // lets other trackers see whether this one is alive
    return db.store_id();
  });
  if (!core_.options.store.empty()) core_.feed = store::open_postgresql_feed(core_.options.store);
}

server::~server() = default;

tcp::endpoint server::bind() {
  const auto& where = core_.options.listen;
  tcp::resolver resolver(io_[0]);
  const auto results =
      resolver.resolve(where.host.empty() ? "0.0.0.0" : where.host, std::to_string(where.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service);
  const tcp::endpoint endpoint = *results.begin();
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void server::handle_signals() {
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGUSR1);
  signals_.add(SIGUSR2);
  signals_.add(SIGHUP);
  asio::co_spawn(
      strand_,
      [this]() -> awaitable<void> {
        while (!signals_done_) {
          error_code ec;
          const int signo = co_await signals_.async_wait(asio::redirect_error(use_awaitable, ec));
          if (ec) co_return;
          if (signo == SIGUSR2) {
            const std::string line = core_.stats.summary();
            std::printf("%s\n", line.c_str());
            std::fflush(stdout);
            spdlog::info("{}", line);
            continue;
          }
          if (signo == SIGHUP) {
            reload_tls();
            continue;
          }
          shutdown(signo == SIGUSR1 ? "SIGUSR1" : signo == SIGINT ? "SIGINT" : "SIGTERM");
        }
      },
      asio::detached);
}

void server::reload_tls() {
  // Connections keep the context they started with; only new ones see the new certificate.
  if (const auto problem = core_.tls->reload(); !problem.empty()) {
    spdlog::error("TLS reload failed, the previous certificate stays in use: {}", problem);
    return;
  }
  spdlog::info("TLS certificate sha256={} ({}, reloaded)", core_.tls->fingerprint(),
               core_.tls->cert_path());
}

void server::run() {
  if (core_.options.exit_when_empty) {
    core_.sessions.on_empty([this] { shutdown("the last client left"); });
  }
  // One shard of every room per I/O thread, on that thread: shard k delivers to the sessions
  // of io_[k] (both are chosen by the session id modulo the count). Before the feed starts:
  // its events publish from the store thread.
  std::vector<asio::any_io_executor> shard_homes;
  for (std::size_t k = 0; k < io_.size(); ++k) shard_homes.push_back(io_[k].get_executor());
  core_.fanout.start(shard_homes);
  if (core_.feed) {
    relay::share_throttles(core_);
    // A refill after a loss reads only what was committed after this point.
    core_.store->post([this](store::backend& db) {
      core_.room_marks.start_at(db.latest_room_message());
      core_.direct_marks.start_at(db.latest_direct_message());
    });
    // Events go to the store thread, one after the other as they came, so that they keep
    // the commit order and meet logins and fan-outs there in one sequence.
    core_.feed->start(
        [this](std::string_view payload) {
          core_.store->post([this, event = std::string(payload)](store::backend&) {
            relay::handle(core_, event);
          });
        },
        [this] {
          spdlog::error("events from other trackers were lost while the feed reconnected");
          // What the announces remembered may have changed unseen: it is read again.
          core_.store->post([this](store::backend& db) {
            core_.access.clear();
            relay::refill(core_, db);
          });
        });
  }
  asio::co_spawn(strand_, accept_loop(), net::detached_logged{"accept loop"});
  asio::co_spawn(strand_, renew_logins(), net::detached_logged{"login renewal"});
  asio::co_spawn(strand_, trim_memory(), net::detached_logged{"memory trim"});
  {
    // Declared before the pool, whose threads use them until it is joined.
    const auto cores = io_thread_cores(core_.options, io_.size());
    const auto run_io = [this, &cores](std::size_t i) {
      if (!cores.empty()) {
        if (util::bind_this_thread_to(std::span(&cores[i], 1))) {
          spdlog::debug("I/O thread {} is bound to core {}", i, cores[i]);
        } else {
          spdlog::warn("I/O thread {} could not be bound to core {}", i, cores[i]);
        }
      }
      io_[i].run();
    };
    std::vector<std::jthread> pool;
    // Keeps io_[1...] running while they have no session (io_[0] holds the acceptor). It goes
    // before the pool is joined (declared after it): io_[0] returns once the drain is over,
    // when every session has ended or been cut off, and the other threads return once what
    // their sessions left has run.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    // The threads of the pool start before this one binds itself: a thread starts with the
    // binding of the thread that made it.
    for (std::size_t i = 1; i < io_.size(); ++i) {
      keep_running.push_back(asio::make_work_guard(io_[i]));
      pool.emplace_back([&run_io, i] { run_io(i); });
    }
    run_io(0);
    if (!cores.empty()) util::bind_this_thread_to(cores);  // this thread goes on unbound
  }
  // No session is left to await them: let the slow-work threads finish and exit. The logins
  // this tracker held go first, so that its users may log in elsewhere at once.
  if (core_.feed) core_.feed->stop();
  core_.store->post([id = core_.tracker_id](store::backend& db) { db.release_logins(id); });
  core_.store->stop();
  core_.fanout.stop();  // its strands belong to io_, which die before the core
  core_.hashing.stop();
  core_.log.close();
}

void server::shutdown(std::string reason) {
  asio::dispatch(strand_, [this, reason = std::move(reason)]() mutable {
    if (shutting_down_) return;
    shutting_down_ = true;
    shutdown_reason_ = std::move(reason);
    spdlog::info("shutting down ({}), {} clients", shutdown_reason_, core_.sessions.size());
    error_code ec;
    acceptor_.close(ec);
    renew_timer_.cancel();
    trim_timer_.cancel();
    asio::co_spawn(strand_, drain_and_finish(), net::detached_logged{"shutdown"});
  });
}

awaitable<void> server::drain_and_finish() {
  shutdown_timer_.expires_after(core_.options.shutdown_grace);
  core_.sessions.on_empty([this] { asio::post(strand_, [this] { shutdown_timer_.cancel(); }); });
  for (const auto& s : core_.sessions.snapshot()) {
    s->close_with_notice("shutdown", "server is closing");
  }
  if (core_.sessions.size() > 0) {
    error_code ec;
    co_await shutdown_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  // Whoever is still here after the grace period did not read its notice: cut it off.
  for (const auto& s : core_.sessions.snapshot()) s->abort("shutdown grace period over");
  error_code ec;
  signals_done_ = true;
  signals_.cancel(ec);
  core_.sessions.on_empty(nullptr);
  spdlog::info("stopped accepting; {}", core_.stats.summary());
}

awaitable<void> server::renew_logins() {
  const auto period = core_.options.login_lease / 3;
  while (!shutting_down_) {
    renew_timer_.expires_after(period);
    error_code ec;
    co_await renew_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (shutting_down_) co_return;
    core_.store->post([id = core_.tracker_id, until = core_.lease_end(util::unix_ms_now())](
                          store::backend& db) { db.renew_logins(id, until); });
  }
}

awaitable<void> server::trim_memory() {
  // Once a run of handshakes is over (none in the last period), not in the middle of one:
  // the pages freed by the last of them are given back too.
  std::uint64_t seen = 0;
  std::uint64_t trimmed = 0;
  while (!shutting_down_) {
    trim_timer_.expires_after(std::chrono::seconds(5));
    error_code ec;
    co_await trim_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    if (shutting_down_) co_return;
    const auto handshakes = core_.stats.tls_connections_total.load(std::memory_order_relaxed);
    if (handshakes == seen && handshakes != trimmed) {
      // Off the I/O threads: a large heap's trim takes a while, and this thread has sessions.
      auto trim = [] { return ::malloc_trim(0); };
      co_await core_.hashing.run(std::move(trim));
      trimmed = handshakes;
    }
    seen = handshakes;
  }
}

awaitable<void> server::accept_loop() {
  asio::steady_timer backoff(strand_);
  for (;;) {
    error_code ec;
    // The id is drawn first: it picks the I/O thread that the connection lives on. Its
    // context's own executor, not a strand: one thread runs that context, so its handlers
    // never overlap anyway, and a strand would take a lock on each (5% of the CPU of an
    // announce, docs/benchmarks.md).
    const auto id = next_session_id_.fetch_add(1, std::memory_order_relaxed);
    tcp::socket socket = co_await acceptor_.async_accept(
        io_[home_thread(id, io_.size())].get_executor(), asio::redirect_error(use_awaitable, ec));
    if (shutting_down_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or memory: wait a little instead of spinning on the error.
      spdlog::warn("accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    tracker_stats::add(core_.stats.connections_total);
    // Over the limit, a client is still told why in its own protocol (over TLS if it speaks
    // TLS: a line in clear would break its handshake); a flood beyond that is closed at once.
    const bool full = core_.sessions.size() >= core_.options.max_clients;
    if (full && core_.sessions.size() >= core_.options.max_clients + max_turning_away) {
      socket.close(ec);
      continue;
    }
    auto s = std::make_shared<session>(std::move(socket), core_, id);
    core_.sessions.add(id, s);
    tracker_stats::add(core_.stats.clients_now);
    s->start(core_.options.server_password.empty() ? proto::session_state::anonymous
                                                   : proto::session_state::awaiting_password,
             full);
  }
}

}  // namespace swarmhub::tracker
