// store_bench: the store at scale (docs/benchmarks.md, section "The store at scale").
//
//   store_bench fill --db PATH --users U --groups G --files F
//       Fills a SQLite store through the store's own API: U users (u0000000.. with the
//       password "password"), G groups (group i owned by user i, with user G+i as a second
//       member where there is one) and F files spread over the groups. Commits are not synced
//       while filling (sqlite_durability::bulk_load); the tracker opens it as usual after.
//
//   store_bench measure --port P --users U --groups G --samples N
//       Against a tracker serving that store: N times each, over one connection per
//       operation kind, the latency of `login` + `logout` of a random user, of `create_group`
//       of a new group, and of `list_files` of a random group by its owner. Prints p50/p99.

#include <utility>  // Boost 1.74's asio uses std::exchange without including it

#include <boost/asio.hpp>

#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "load_common.hpp"
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

int fill(const std::string& path, long users, long groups, long files) {
  auto db = store::open_sqlite(path, store::sqlite_durability::bulk_load);
  const auto hash =
      swarmhub::tracker::hash_password("password", swarmhub::tracker::hash_cost::minimal);
  const auto start = clock::now();
  for (long i = 0; i < users; ++i) expect(db->create_user(user_name(i), hash), "create_user");
  const auto users_done = clock::now();
  for (long g = 0; g < groups; ++g) {
    expect(db->create_group(group_name(g), user_name(g)), "create_group");
    if (groups + g < users) {  // a second member
      db->join_group(group_name(g), user_name(groups + g));
      expect(db->accept_request(group_name(g), user_name(g), user_name(groups + g)).result,
             "accept_request");
    }
  }
  const auto groups_done = clock::now();
  for (long f = 0; f < files; ++f) {
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
    expect(db->add_file(file, user_name(g)).result, "add_file");
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
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string mode = argc > 1 ? argv[1] : "";
  const long users = flag_number(argc, argv, "users", 1000);
  const long groups = flag_number(argc, argv, "groups", 100);
  if (mode == "fill") {
    return fill(flag(argc, argv, "db", "tracker.db"), users, groups,
                flag_number(argc, argv, "files", 1000));
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
