#pragma once
// A thin RAII layer over the SQLite C API for the store backend (private to src/store).

#include <sqlite3.h>

#include <stdexcept>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace swarmhub::store::sqlite {

class statement {
 public:
  // With `in_use` (a cache entry's flag), the statement belongs to the cache: it is reset and
  // handed back at destruction. Without, it is finalised.
  statement(sqlite3* db, sqlite3_stmt* stmt, bool* in_use)
      : db_(db), stmt_(stmt), in_use_(in_use) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  statement& bind(int index, std::string_view text);
  statement& bind(int index, std::int64_t value);

  // Steps once: true while there is a row, false when done. Throws store_failure on error;
  // a constraint violation throws constraint_violation.
  bool step();
  // Steps to the end (for statements that return no rows).
  void run();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;
};

struct constraint_violation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class database {
 public:
  explicit database(const std::string& path);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  void exec(const char* sql);
  // A prepared statement for `sql`, compiled once and reused; while the cached one is in use
  // (a query still being read), a private one is compiled instead.
  statement prepare(const char* sql);
  std::int64_t changes() const;

 private:
  sqlite3* db_ = nullptr;
  struct cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::unordered_map<std::string, cached> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  void commit();

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace swarmhub::store::sqlite
