// The embedded engine: the one store implementation over a SQLite file.

#include "sql_store.hpp"
#include "sqlite_connection.hpp"
#include "swarmhub/store/sqlite_backend.hpp"

namespace swarmhub::store {

std::unique_ptr<backend> open_sqlite(const std::string& path, sqlite_durability durability) {
  auto store = std::make_unique<sql::sql_store<sqlite::connection>>(path);
  auto& db = store->connection();
  db.script("PRAGMA journal_mode=WAL");
  db.script(durability == sqlite_durability::full ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=OFF");
  db.script("PRAGMA foreign_keys=ON");
  store->migrate();
  // A SQLite file has one tracker at a time (the data directory's lock): logins left by an
  // earlier run that crashed are void.
  db.script("DELETE FROM logins");
  return store;
}

}  // namespace swarmhub::store
