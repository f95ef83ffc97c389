#pragma once
// The SQLite engine of the store (sql_connection.hpp's concept): one database file, prepared
// statements compiled once and reused. Private to src/store.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "sql_connection.hpp"

namespace swarmhub::store::sqlite {

// A statement being run and its rows. With `in_use` (a cache entry's flag) the statement
// belongs to the cache: it is reset and handed back at destruction. Without, it is finalised.
class rows {
 public:
  rows(sqlite3* db, sqlite3_stmt* stmt, bool* in_use) : db_(db), stmt_(stmt), in_use_(in_use) {}
  rows(rows&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), in_use_(other.in_use_) {}
  rows(const rows&) = delete;
  rows& operator=(const rows&) = delete;
  rows& operator=(rows&&) = delete;
  ~rows();

  // Binds $`number` (SQLite's named parameters, so the same text serves PostgreSQL).
  void bind(int number, const sql::value& value);

  // Steps once: true while there is a row. Throws store_failure on an error.
  bool next();
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  bool boolean(int column) const { return integer(column) != 0; }
  bool is_null(int column) const;

 private:
  int index_of(int number) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
};

class connection {
 public:
  static constexpr bool carries_events = false;
  static constexpr sql::dialect kind = sql::dialect::sqlite;

  explicit connection(const std::string& path);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  template <class... Args>
  rows query(const char* sql, const Args&... args) {
    rows r = prepare(sql);
    int number = 0;
    (r.bind(++number, sql::to_value(args)), ...);
    return r;
  }
  template <class... Args>
  std::int64_t execute(const char* sql, const Args&... args) {
    auto r = query(sql, args...);
    while (r.next()) {
    }
    return sqlite3_changes64(db_);
  }
  // SQLite buffers RETURNING rows in a temporary table, which costs an INSERT about a
  // quarter more: the statement runs without its RETURNING clause and the id is the rowid.
  template <class... Args>
  std::int64_t insert(const char* sql, const Args&... args) {
    rows r = prepare(sql, without_returning);
    int number = 0;
    (r.bind(++number, sql::to_value(args)), ...);
    while (r.next()) {
    }
    return sqlite3_last_insert_rowid(db_);
  }
  void script(const char* sql);

  void begin() { script("BEGIN IMMEDIATE"); }
  void commit() { script("COMMIT"); }
  void rollback() { script("ROLLBACK"); }
  // One tracker per file (the data directory's lock): no one else reads the feed.
  void notify(std::string_view) {}
  // BEGIN IMMEDIATE already keeps a second writer out while one migrates.
  int lock_migrations() { return 0; }

 private:
  // A prepared statement for `sql`, compiled once and reused; while the cached one is in use
  // (its rows still being read), a private one is compiled instead.
  enum preparation { as_written, without_returning };
  rows prepare(const char* sql, preparation how = as_written);

  sqlite3* db_ = nullptr;
  struct cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::unordered_map<std::string, cached> cache_;
};

static_assert(sql::connection<connection>);

}  // namespace swarmhub::store::sqlite
