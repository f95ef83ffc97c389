#pragma once
// The engine for several trackers serving one set of users: PostgreSQL through libpq. The
// store's transactions run SERIALIZABLE and again on conflicts with other trackers, so its
// rules hold across trackers as they do inside one (src/store/sql_store.hpp: the store's one
// implementation, the same for SQLite).

#include <memory>
#include <string>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

// Connects to `conninfo` (a libpq connection string or postgresql:// URI) and brings the
// schema up to date (trackers starting together take turns). Throws store_failure when it
// cannot. The database needs the citext extension (in Debian's postgresql package).
std::unique_ptr<backend> open_postgresql(const std::string& conninfo);

}  // namespace swarmhub::store
