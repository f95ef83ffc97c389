// The PostgreSQL event feed: one connection that LISTENs, on a thread of its own.

#include <libpq-fe.h>
#include <poll.h>

#include <spdlog/spdlog.h>
#include <atomic>
#include <chrono>
#include <thread>

#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

namespace {

class pg_feed final : public event_feed {
 public:
  explicit pg_feed(std::string conninfo) : conninfo_(std::move(conninfo)) {
    conn_ = connect();
    if (conn_ == nullptr) throw store_failure("cannot listen for events on PostgreSQL");
  }

  ~pg_feed() override {
    stop();
    PQfinish(conn_);
  }

  void start(std::function<void(std::string_view)> on_event,
             std::function<void()> on_lost) override {
    thread_ = std::jthread([this, on_event = std::move(on_event), on_lost = std::move(on_lost)](
                               std::stop_token stop) { run(stop, on_event, on_lost); });
  }

  void stop() override {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

 private:
  PGconn* connect() {
    PGconn* conn = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn) == CONNECTION_OK) {
      const std::string listen = std::string("LISTEN ") + event_channel;
      PGresult* r = PQexec(conn, listen.c_str());
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (ok) return conn;
    }
    spdlog::error("event feed: {}", PQerrorMessage(conn));
    PQfinish(conn);
    return nullptr;
  }

  void run(const std::stop_token& stop, const std::function<void(std::string_view)>& on_event,
           const std::function<void()>& on_lost) {
    while (!stop.stop_requested()) {
      if (conn_ == nullptr) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server is away
        conn_ = connect();
        if (conn_ != nullptr) {
          spdlog::info("event feed: listening again");
          on_lost();  // before any event that comes now (event_feed::start)
        }
        continue;
      }
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      ::poll(&fd, 1, 100);  // wakes up to see stop requests
      if (PQconsumeInput(conn_) == 0) {
        spdlog::error("event feed lost its connection: {}", PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        continue;
      }
      while (PGnotify* n = PQnotifies(conn_)) {
        on_event(n->extra);
        PQfreemem(n);
      }
    }
  }

  std::string conninfo_;
  PGconn* conn_ = nullptr;
  std::jthread thread_;
};

}  // namespace

std::unique_ptr<event_feed> open_postgresql_feed(const std::string& conninfo) {
  return std::make_unique<pg_feed>(conninfo);
}

}  // namespace swarmhub::store
