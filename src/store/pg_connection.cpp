#include "pg_connection.hpp"

#include <charconv>
#include <cstring>
#include <type_traits>

#include "swarmhub/store/event_feed.hpp"
#include "swarmhub/store/store.hpp"

namespace swarmhub::store::pg {
namespace {

// Serialises schema changes of trackers starting at once on one database.
constexpr const char* migration_lock_key = "6005340449861555522";  // 0x535741524d485542, "SWARMHUB"

// Turns a failed result into the exception its SQLSTATE calls for.
[[noreturn]] void fail(PGresult* r, PGconn* conn) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  const std::string code = state ? state : "";
  PQclear(r);
  if (code == "40001" || code == "40P01") throw sql::conflict(message);
  throw store_failure("PostgreSQL: " + message);
}

void run_script(PGconn* conn, const char* sql) {
  PGresult* r = PQexec(conn, sql);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, conn);
  PQclear(r);
}

void run_with_key(PGconn* conn, const char* sql) {
  const char* values[] = {migration_lock_key};
  PGresult* r = PQexecParams(conn, sql, 1, nullptr, values, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) fail(r, conn);
  PQclear(r);
}

}  // namespace

std::int64_t rows::integer(int column) const {
  const char* value = PQgetvalue(r_.get(), row_, column);
  const auto length = static_cast<std::size_t>(PQgetlength(r_.get(), row_, column));
  std::int64_t out = 0;
  std::from_chars(value, value + length, out);
  return out;
}

std::int64_t rows::changed() const {
  const char* count = PQcmdTuples(r_.get());
  std::int64_t out = 0;
  std::from_chars(count, count + std::strlen(count), out);
  return out;
}

std::string rows::text(int column) const {
  return std::string(PQgetvalue(r_.get(), row_, column),
                     static_cast<std::size_t>(PQgetlength(r_.get(), row_, column)));
}

bool rows::boolean(int column) const {
  // A boolean column reads "t"; an integer one (a count, a CASE) reads a number.
  const std::string value = text(column);
  return value == "t" || (value != "f" && value != "0" && !value.empty());
}

std::string rows::blob(int column) const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row_, column)), &length);
  if (raw == nullptr) throw store_failure("PostgreSQL: cannot decode a bytea value");
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

migration_lock::migration_lock(PGconn* conn) : conn_(conn) {
  // Taken outside any transaction: a SERIALIZABLE transaction reads the snapshot of its first
  // statement, which would predate the other tracker's migration.
  run_with_key(conn_, "SELECT pg_advisory_lock($1::bigint)");
}

migration_lock::~migration_lock() {
  try {
    run_with_key(conn_, "SELECT pg_advisory_unlock($1::bigint)");
  } catch (const std::exception&) {
    // The connection is going away: the server drops the lock with it.
  }
}

connection::connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw store_failure("cannot connect to PostgreSQL: " + why);
  }
  script("SET client_min_messages = warning");
}

connection::~connection() {
  PQfinish(conn_);
}

void connection::script(const char* sql) {
  run_script(conn_, sql);
}

void connection::hold_room(std::int64_t room) {
  // The two-key form (1380929357 is "ROOM"): its keys never meet the one-key migration lock's.
  // Rooms whose ids agree modulo 2^31 - 1 share a lock, which costs only some waiting.
  execute("SELECT pg_advisory_xact_lock(1380929357, ($1::bigint % 2147483647)::integer)", room);
}

void connection::notify(std::string_view payload) {
  execute("SELECT pg_notify($1, $2)", event_channel, payload);
}

void connection::params::add(const sql::value& value) {
  std::visit(
      [&](const auto& v) {
        using kind = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<kind, std::nullopt_t>) {
          values.emplace_back();
          formats.push_back(0);
        } else if constexpr (std::is_same_v<kind, std::int64_t>) {
          values.emplace_back(std::to_string(v));
          formats.push_back(0);
        } else if constexpr (std::is_same_v<kind, std::string_view>) {
          values.emplace_back(std::string(v));
          formats.push_back(0);
        } else {
          values.emplace_back(std::string(v.data));
          formats.push_back(1);
        }
      },
      value);
}

const std::string& connection::prepared(const char* sql, int parameters) {
  const auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second;
  std::string name = "s" + std::to_string(prepared_.size());
  PGresult* r = PQprepare(conn_, name.c_str(), sql, parameters, nullptr);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) fail(r, conn_);  // not kept: prepared again next
  PQclear(r);
  return prepared_.emplace(sql, std::move(name)).first->second;
}

rows connection::run(const char* sql, const params& p) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(p.values.size());
  lengths.reserve(p.values.size());
  for (const auto& v : p.values) {
    values.push_back(v ? v->data() : nullptr);
    lengths.push_back(v ? static_cast<int>(v->size()) : 0);
  }
  PGresult* r = PQexecPrepared(conn_, prepared(sql, static_cast<int>(values.size())).c_str(),
                               static_cast<int>(values.size()), values.data(), lengths.data(),
                               p.formats.data(), 0);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, conn_);
  return rows(r);
}

}  // namespace swarmhub::store::pg
