#pragma once
// Fresh PostgreSQL databases for tests, on the server scripts/with-postgres starts (its
// connection string is in SWARMHUB_TEST_POSTGRES). Without that server the tests that need
// one skip, except under CI=true, where a missing server is a failure.

#include <string>

struct pg_conn;  // libpq's PGconn

namespace swarmhub::test {

// Whether a server is there; when not, `why` says so (for GTEST_SKIP or FAIL).
bool postgres_available(std::string* why = nullptr);

// Fails the test (CI) or skips it when there is no server. Use as the first statement of a
// test or SetUp: `SWARMHUB_REQUIRE_POSTGRES();`.
#define SWARMHUB_REQUIRE_POSTGRES()                                  \
  do {                                                               \
    std::string why_not_;                                            \
    if (!::swarmhub::test::postgres_available(&why_not_)) {          \
      if (::swarmhub::test::postgres_required()) FAIL() << why_not_; \
      GTEST_SKIP() << why_not_;                                      \
    }                                                                \
  } while (false)

bool postgres_required();

// A new, empty database, dropped (with any connection left to it) at destruction.
class postgres_database {
 public:
  postgres_database();
  ~postgres_database();
  postgres_database(const postgres_database&) = delete;
  postgres_database& operator=(const postgres_database&) = delete;

  // A libpq connection string for this database.
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }
  // The first column of the first row of `sql`, run in this database; "" when no row.
  std::string query_text(const std::string& sql) const;
  // Cuts the LISTEN connection of every tracker on this database (pg_terminate_backend);
  // returns how many were cut.
  int cut_listeners() const;

 private:
  std::string name_;
  std::string conninfo_;
};

// One connection of its own to a test database, for statements a test runs between the
// trackers' (a transaction held open across them, say).
class postgres_session {
 public:
  explicit postgres_session(const std::string& conninfo);
  ~postgres_session();
  postgres_session(const postgres_session&) = delete;
  postgres_session& operator=(const postgres_session&) = delete;

  // Runs `sql`; throws when it fails.
  void run(const std::string& sql);

 private:
  ::pg_conn* conn_;
};

}  // namespace swarmhub::test
