// store_bench: the store at scale (docs/benchmarks.md, section "The store at scale").
//
//   store_bench fill --db PATH | --store CONNINFO [--threads T] --users U --groups G --files F
//       Fills a store through the store's own API: U users (u0000000.. with the password
//       "password"), G groups (group i owned by user i, with user G+i as a second member
//       where there is one) and F files spread over the groups. With --db, a SQLite store
//       whose commits are not synced while filling (sqlite_durability::bulk_load); with
//       --store, PostgreSQL (a libpq connection string, as the tracker's --store takes it),
//       filled by T store connections in parallel (default 4), each call its own transaction
//       as the tracker makes it. The tracker opens the store as usual after. With
//       --part users|groups|files [--from A] [--to B], only that kind, numbers A to B - 1
//       (the same U, G and F each time): a long fill in several commands, in that order.
//
//   store_bench measure --port P --users U --groups G --samples N
//       Against a tracker serving that store: N times each, over one connection per
//       operation kind, the latency of `login` + `logout` of a random user, of `create_group`
//       of a new group, of `list_files` of a random group by its owner, and of `say` by that
//       owner in its group's room (after `room <group>`). Prints p50/p99.

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "load_common.hpp"
#include "swarmhub/store/pg_backend.hpp"
#include "swarmhub/store/sqlite_backend.hpp"
#include "swarmhub/tracker/accounts/passwords.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace swarmhub::bench;
namespace store = swarmhub::store;

namespace {

std::string user_name(long i) {
  return fmt::format("u{:07}", i);
}
std::string group_name(long i) {
  return fmt::format("g{:06}", i);
}

void expect(store::status got, const char* what) {
  if (got != store::status::ok) throw std::runtime_error(fmt::format("fill: {} failed", what));
}

// Runs `work(db, i)` for i in [0, count) over the stores, store t taking i = t, t + T, ...
// on a thread of its own (one store: on this thread). Rethrows the first failure.
void spread(const std::vector<std::unique_ptr<store::backend>>& dbs, long from, long to,
            const std::function<void(store::backend&, long)>& work) {
  const long n = static_cast<long>(dbs.size());
  if (n == 1) {
    for (long i = from; i < to; ++i) work(*dbs[0], i);
    return;
  }
  std::mutex failed_mutex;
  std::exception_ptr failed;
  std::vector<std::thread> threads;
  for (long t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (long i = from + t; i < to; i += n) {
          // Connections filling in parallel conflict now and then (SERIALIZABLE); the store
          // retries a transaction 20 times, then gives up: the item is done again from the top.
          for (int attempt = 1;; ++attempt) {
            try {
              work(*dbs[static_cast<std::size_t>(t)], i);
              break;
            } catch (const store::store_failure&) {
              if (attempt == 5) throw;
            }
          }
        }
      } catch (...) {
        const std::lock_guard lock(failed_mutex);
        if (!failed) failed = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (failed) std::rethrow_exception(failed);
}

// Which part of the fill to run: all of it, or one kind over [from, to) (a long fill in
// several commands; the users before the groups, the groups before the files).
struct fill_part {
  std::string kind;  // empty: all
  long from = 0;
  long to = -1;  // -1: to the end
  bool runs(const std::string& k) const { return kind.empty() || kind == k; }
  long first() const { return kind.empty() ? 0 : from; }
  long last(long count) const { return kind.empty() || to < 0 ? count : std::min(to, count); }
};

int fill(std::vector<std::unique_ptr<store::backend>> dbs, long users, long groups, long files,
         const fill_part& part) {
  const auto hash =
      swarmhub::tracker::hash_password("password", swarmhub::tracker::hash_cost::minimal);
  const auto start = clock::now();
  if (part.runs("users")) {
    spread(dbs, part.first(), part.last(users), [&](store::backend& db, long i) {
      expect(db.create_user(user_name(i), hash), "create_user");
    });
  }
  const auto users_done = clock::now();
  if (part.runs("groups")) {
    spread(dbs, part.first(), part.last(groups), [&](store::backend& db, long g) {
      // Again after a failure: a group already made is kept (so is a file, by add_file).
      const auto made = db.create_group(group_name(g), user_name(g));
      if (made != store::status::group_exists) expect(made, "create_group");
      if (groups + g < users && !db.is_member(group_name(g), user_name(groups + g))) {
        db.join_group(group_name(g), user_name(groups + g));
        expect(db.accept_request(group_name(g), user_name(g), user_name(groups + g)).result,
               "accept_request");
      }
    });
  }
  const auto groups_done = clock::now();
  if (part.runs("files")) {
    spread(dbs, part.first(), part.last(files), [&](store::backend& db, long f) {
      const long g = f % groups;
      store::file_record file;
      file.group = group_name(g);
      file.name = fmt::format("file{}.bin", f);
      file.size = 1'000'000 + f;
      file.info_hash = fmt::format("{:064x}", f);
      file.swarm_key = file.info_hash.substr(0, 40);
      // The length of a real one-file v2 info dictionary; its content is never parsed here.
      file.info = std::string(180, 'i');
      file.uploader = user_name(g);
      file.created_at = 1'700'000'000;
      expect(db.add_file(file, user_name(g)).result, "add_file");
    });
  }
  const auto files_done = clock::now();
  const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("users=%ld groups=%ld files=%ld users_s=%.1f groups_s=%.1f files_s=%.1f\n", users,
              groups, files, seconds(start, users_done), seconds(users_done, groups_done),
              seconds(groups_done, files_done));
  return 0;
}

// One connection speaking the line protocol, a request at a time.
class line_connection {
 public:
  line_connection(asio::io_context& io, unsigned short port) : socket_(io) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }

  // Sends `line` and reads up to its final reply line, which it returns.
  std::string request(const std::string& line) {
    asio::write(socket_, asio::buffer(line + "\n"));
    for (;;) {
      const auto n = asio::read_until(socket_, asio::dynamic_buffer(buffer_), '\n');
      std::string got = buffer_.substr(0, n - 1);
      buffer_.erase(0, n);
      if (got.starts_with("OK") || got.starts_with("ERR")) return got;
    }
  }

 private:
  tcp::socket socket_;
  std::string buffer_;
};

// Times `samples` requests made by `one(i)`, which returns the final reply line; every reply
// must start with OK.
template <class F>
void time_requests(const char* what, long samples, F&& one) {
  std::vector<double> ms;
  for (long i = 0; i < samples; ++i) {
    const auto t0 = clock::now();
    const auto reply = one(i);
    ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    if (!reply.starts_with("OK")) {
      throw std::runtime_error(fmt::format("{}: unexpected reply '{}'", what, reply));
    }
  }
  const double p50 = percentile(ms, 50);
  const double p99 = percentile(ms, 99);
  std::printf("op=%s samples=%ld p50_ms=%.3f p99_ms=%.3f\n", what, samples, p50, p99);
}

int measure(unsigned short port, long users, long groups, long samples) {
  asio::io_context io;
  std::mt19937_64 random(42);
  line_connection logins(io, port);
  time_requests("login", samples, [&](long) {
    const auto reply =
        logins.request("login " + user_name(static_cast<long>(random() % users)) + " password");
    logins.request("logout");
    return reply;
  });
  line_connection owner(io, port);
  const long g = static_cast<long>(random() % groups);
  owner.request("login " + user_name(g) + " password");
  time_requests("create_group", samples,
                [&](long i) { return owner.request(fmt::format("create_group new{}x{}", g, i)); });
  // list_files of random groups, each by its owner, logged in beforehand.
  std::vector<std::pair<std::unique_ptr<line_connection>, std::string>> owners;
  for (long i = 0; i < samples; ++i) {
    const long which = static_cast<long>(random() % groups);
    auto c = std::make_unique<line_connection>(io, port);
    if (!c->request("login " + user_name(which) + " password").starts_with("OK")) continue;
    owners.emplace_back(std::move(c), group_name(which));  // a repeated owner is refused above
  }
  time_requests("list_files", static_cast<long>(owners.size()), [&](long i) {
    auto& [connection, group] = owners[static_cast<std::size_t>(i)];
    return connection->request("list_files " + group);
  });
  // A post by each of those owners in its group's room (the second member is offline).
  for (auto& [connection, group] : owners) {
    const auto reply = connection->request("room " + group);
    if (!reply.starts_with("OK"))
      throw std::runtime_error("room: unexpected reply '" + reply + "'");
  }
  time_requests("post", static_cast<long>(owners.size()), [&](long i) {
    return owners[static_cast<std::size_t>(i)].first->request("say x");
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string mode = argc > 1 ? argv[1] : "";
  const long users = flag_number(argc, argv, "users", 1000);
  const long groups = flag_number(argc, argv, "groups", 100);
  if (mode == "fill") {
    std::vector<std::unique_ptr<store::backend>> dbs;
    if (const auto conninfo = flag(argc, argv, "store", ""); !conninfo.empty()) {
      // One at a time: the first brings the schema up to date.
      for (long t = 0, n = flag_number(argc, argv, "threads", 4); t < std::max(n, 1L); ++t) {
        dbs.push_back(store::open_postgresql(conninfo));
      }
    } else {
      dbs.push_back(store::open_sqlite(flag(argc, argv, "db", "tracker.db"),
                                       store::sqlite_durability::bulk_load));
    }
    const fill_part part{flag(argc, argv, "part", ""), flag_number(argc, argv, "from", 0),
                         flag_number(argc, argv, "to", -1)};
    return fill(std::move(dbs), users, groups, flag_number(argc, argv, "files", 1000), part);
  }
  if (mode == "measure") {
    return measure(static_cast<unsigned short>(flag_number(argc, argv, "port", 7070)), users,
                   groups, flag_number(argc, argv, "samples", 200));
  }
  std::fprintf(stderr, "usage: store_bench fill|measure [flags] (see the source's head)\n");
  return 2;
} catch (const std::exception& e) {
  std::fprintf(stderr, "store_bench: %s\n", e.what());
  return 1;
}
