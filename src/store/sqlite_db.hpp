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
  statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();  // resets and clears bindings; the statement stays cached

  statement& bind(int index, std::string_view text);
  statement& bind(int index, std::int64_t value);

  // Steps once: true while there is a row, false when done. Throws store_failure on error;
  // a constraint violation throws constraint_violation.
  bool step();
  // Steps to the end (for statements that return no rows).
  void run();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
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
  // A prepared statement for `sql`, compiled once and reused. `sql` must be a literal (its
  // address is the cache key).
  statement prepare(const char* sql);
  std::int64_t changes() const;

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
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
