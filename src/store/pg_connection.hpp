#pragma once
// The PostgreSQL engine of the store (sql_connection.hpp's concept) over libpq: one
// connection, statements with parameters (text, or binary for blobs), transactions at
// SERIALIZABLE. Private to src/store.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sql_connection.hpp"

namespace swarmhub::store::pg {

// A statement's result, read forward like SQLite's rows.
class rows {
 public:
  explicit rows(PGresult* r) : r_(r, &PQclear) {}
  bool next() { return ++row_ < PQntuples(r_.get()); }
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  // A bytea column (in PostgreSQL's text form) decoded back to its bytes.
  std::string blob(int column) const;
  bool boolean(int column) const;
  bool is_null(int column) const { return PQgetisnull(r_.get(), row_, column) != 0; }
  // How many rows the statement inserted, changed or deleted.
  std::int64_t changed() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
  int row_ = -1;
};

// Holds PostgreSQL's advisory lock for migrations while it lives.
class migration_lock {
 public:
  explicit migration_lock(PGconn* conn);
  ~migration_lock();
  migration_lock(const migration_lock&) = delete;
  migration_lock& operator=(const migration_lock&) = delete;

 private:
  PGconn* conn_;
};

class connection {
 public:
  static constexpr bool carries_events = true;
  static constexpr sql::dialect kind = sql::dialect::postgresql;

  // `conninfo` as libpq takes it: "postgresql://user@host/db" or "host=... dbname=...".
  explicit connection(const std::string& conninfo);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Throws sql::conflict when PostgreSQL asks for the transaction to be retried, else
  // store_failure.
  template <class... Args>
  rows query(const char* sql, const Args&... args) {
    params p;
    (p.add(sql::to_value(args)), ...);
    return run(sql, p);
  }
  template <class... Args>
  std::int64_t execute(const char* sql, const Args&... args) {
    return query(sql, args...).changed();
  }
  template <class... Args>
  std::int64_t insert(const char* sql, const Args&... args) {
    auto r = query(sql, args...);
    return r.next() ? r.integer(0) : 0;
  }
  void script(const char* sql);

  void begin() { script("BEGIN ISOLATION LEVEL SERIALIZABLE"); }
  void commit() { script("COMMIT"); }
  void rollback() { script("ROLLBACK"); }
  void notify(std::string_view payload);
  // Holds chat room `room` (a group's id, 0 for the lobby) until the transaction ends: posts
  // to one room from several trackers then take their ids in commit order.
  void hold_room(std::int64_t room);
  migration_lock lock_migrations() { return migration_lock(conn_); }

 private:
  // The parameters as libpq takes them: text, or binary for blobs; null for none.
  struct params {
    std::vector<std::optional<std::string>> values;
    std::vector<int> formats;
    void add(const sql::value& value);
  };

  rows run(const char* sql, const params& p);
  // The name of `sql` prepared on this connection (once, at its first use): PostgreSQL
  // parses and plans an unnamed statement at every call, about 1.8 ms of a login's 15
  // statements on a store of 1M users (docs/benchmarks.md, session 9). A prepared statement
  // outlives transactions, rolled back or not.
  const std::string& prepared(const char* sql, int parameters);

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

static_assert(sql::connection<connection>);

}  // namespace swarmhub::store::pg
