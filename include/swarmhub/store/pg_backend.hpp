#pragma once
// The backend for several trackers serving one set of users: PostgreSQL through libpq. Every
// method is one SERIALIZABLE transaction, retried on conflicts with other trackers, so the
// store's rules hold across trackers as they do inside one.

#include <memory>
#include <string>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

// Connects to `conninfo` (a libpq connection string or postgresql:// URI) and brings the
// schema up to date (trackers starting together take turns). Throws store_failure when it
// cannot. The database needs the citext extension (in Debian's postgresql package).
std::unique_ptr<backend> open_postgresql(const std::string& conninfo);

// The schema version this build writes (the same numbering as SQLite's).
int postgresql_schema_version();

}  // namespace swarmhub::store
