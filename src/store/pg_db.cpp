#include "pg_db.hpp"

#include <cstring>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store::pg {
namespace {

// Turns a failed result into the exception its SQLSTATE calls for.
[[noreturn]] void fail(PGresult* r, PGconn* conn) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  const std::string code = state ? state : "";
  PQclear(r);
  if (code == "23505") throw unique_violation(message);
  if (code == "40001" || code == "40P01") throw conflict(message);
  throw store_failure("PostgreSQL: " + message);
}

}  // namespace

std::string result::text(int row, int column) const {
  return std::string(PQgetvalue(r_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(r_.get(), row, column)));
}

std::int64_t result::integer(int row, int column) const {
  return std::stoll(PQgetvalue(r_.get(), row, column));
}

std::string result::bytea(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(r_.get(), row, column)), &length);
  if (raw == nullptr) throw store_failure("PostgreSQL: cannot decode a bytea value");
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

connection::connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ ? PQerrorMessage(conn_) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw store_failure("cannot connect to PostgreSQL: " + why);
  }
  exec_script("SET client_min_messages = warning");
}

connection::~connection() {
  PQfinish(conn_);
}

void connection::exec_script(const char* sql) {
  PGresult* r = PQexec(conn_, sql);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, conn_);
  PQclear(r);
}

result connection::run(const char* sql, const params& p) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const auto& v : p.values) {
    values.push_back(v ? v->data() : nullptr);
    lengths.push_back(v ? static_cast<int>(v->size()) : 0);
  }
  PGresult* r = PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                             lengths.data(), p.formats.data(), 0);
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r, conn_);
  return result(r);
}

}  // namespace swarmhub::store::pg
