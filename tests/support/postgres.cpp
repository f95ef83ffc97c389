#include "postgres.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace swarmhub::test {
namespace {

const char* admin_conninfo() {
  return std::getenv("SWARMHUB_TEST_POSTGRES");
}

void admin_exec(const std::string& sql) {
  PGconn* conn = PQconnectdb(admin_conninfo());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot reach the test PostgreSQL server: " + why);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + why);
}

}  // namespace

bool postgres_available(std::string* why) {
  if (admin_conninfo() != nullptr && *admin_conninfo() != '\0') return true;
  if (why) *why = "no PostgreSQL server: run the tests through scripts/with-postgres (make test)";
  return false;
}

bool postgres_required() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

postgres_database::postgres_database() {
  static std::atomic<int> counter{0};
  std::random_device random;
  name_ = "swarmhub_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          std::to_string(random() % 1000000);
  admin_exec("CREATE DATABASE " + name_);
  conninfo_ = std::string(admin_conninfo()) + " dbname=" + name_;
}

postgres_database::~postgres_database() {
  try {
    admin_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // A database left behind goes away with the throwaway cluster.
  }
}

}  // namespace swarmhub::test

namespace swarmhub::test {

std::string postgres_database::query_text(const std::string& sql) const {
  PGconn* conn = PQconnectdb(conninfo_.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("cannot reach the test database: " + why);
  }
  PGresult* r = PQexec(conn, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string out = ok && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + why);
  return out;
}

postgres_session::postgres_session(const std::string& conninfo)
    : conn_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(conn_);
    PQfinish(conn_);
    throw std::runtime_error("cannot reach the test database: " + why);
  }
}

postgres_session::~postgres_session() {
  PQfinish(conn_);
}

void postgres_session::run(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  const std::string why = PQresultErrorMessage(r);
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(sql + ": " + why);
  }
}

int postgres_database::cut_listeners() const {
  // A feed's connection runs nothing after its LISTEN, so that is its last query.
  return std::stoi(query_text(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"));
}

}  // namespace swarmhub::test
