#include "sqlite_connection.hpp"

#include <array>
#include <type_traits>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw store_failure(std::string(what) + ": " + sqlite3_errmsg(db));
}

// "$1" ... "$16": the names SQLite gives the shared SQL's parameters. Spelled out: building
// them with std::string (operator+ or +=) makes GCC 12 at -O2 and above report a false
// -Wrestrict overlap, and a packager's -Werror build would stop there.
constexpr int max_parameters = 16;
constexpr std::array<const char*, max_parameters + 1> parameter_names{
    "",   "$1",  "$2",  "$3",  "$4",  "$5",  "$6",  "$7", "$8",
    "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$16"};

}  // namespace

rows::~rows() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

int rows::index_of(int number) const {
  if (number < 1 || number > max_parameters) fail(db_, "too many parameters");
  const int index =
      sqlite3_bind_parameter_index(stmt_, parameter_names[static_cast<std::size_t>(number)]);
  if (index == 0) fail(db_, "a parameter the statement does not use");
  return index;
}

void rows::bind(int number, const sql::value& value) {
  const int index = index_of(number);
  const int rc = std::visit(
      [&](const auto& v) {
        using kind = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<kind, std::nullopt_t>) {
          return sqlite3_bind_null(stmt_, index);
        } else if constexpr (std::is_same_v<kind, std::int64_t>) {
          return sqlite3_bind_int64(stmt_, index, v);
        } else if constexpr (std::is_same_v<kind, std::string_view>) {
          return sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()),
                                   SQLITE_TRANSIENT);
        } else {
          return sqlite3_bind_blob(stmt_, index, v.data.data(), static_cast<int>(v.data.size()),
                                   SQLITE_TRANSIENT);
        }
      },
      value);
  if (rc != SQLITE_OK) fail(db_, "bind");
}

bool rows::next() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

std::int64_t rows::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool rows::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string rows::text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

std::string rows::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  return data ? std::string(static_cast<const char*>(data),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
              : std::string();
}

connection::connection(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw store_failure("cannot open " + path + ": " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

connection::~connection() {
  for (auto& [sql, entry] : cache_) sqlite3_finalize(entry.stmt);
  sqlite3_close(db_);
}

void connection::script(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : "unknown error";
    sqlite3_free(error);
    throw store_failure(why);
  }
}

rows connection::prepare(const char* sql, preparation how) {
  std::string_view text(sql);
  if (how == without_returning) {
    constexpr std::string_view returning = " RETURNING id";
    if (!text.ends_with(returning)) throw store_failure("insert() needs RETURNING id");
    text.remove_suffix(returning.size());
  }
  auto [it, fresh] = cache_.try_emplace(std::string(text));
  cached& entry = it->second;
  const int length = static_cast<int>(text.size());
  if (fresh) {
    if (sqlite3_prepare_v3(db_, text.data(), length, SQLITE_PREPARE_PERSISTENT, &entry.stmt,
                           nullptr) != SQLITE_OK) {
      cache_.erase(it);
      fail(db_, "prepare");
    }
  } else if (entry.in_use) {
    sqlite3_stmt* own = nullptr;
    if (sqlite3_prepare_v2(db_, text.data(), length, &own, nullptr) != SQLITE_OK) {
      fail(db_, "prepare");
    }
    return rows(db_, own, nullptr);
  }
  entry.in_use = true;
  return rows(db_, entry.stmt, &entry.in_use);
}

}  // namespace swarmhub::store::sqlite
