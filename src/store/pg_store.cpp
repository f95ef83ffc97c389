// The engine for several trackers serving one set of users: the one store implementation
// over PostgreSQL.

#include "pg_connection.hpp"
#include "sql_store.hpp"
#include "swarmhub/store/pg_backend.hpp"

namespace swarmhub::store {

std::unique_ptr<backend> open_postgresql(const std::string& conninfo) {
  auto store = std::make_unique<sql::sql_store<pg::connection>>(conninfo);
  store->migrate();
  return store;
}

}  // namespace swarmhub::store
