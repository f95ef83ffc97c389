#pragma once
// The embedded default backend: one SQLite file in WAL mode, synchronous=FULL so that a
// committed change survives a crash of the process or the machine.

#include <memory>
#include <string>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

// Opens (creating if needed) the database at `path` and brings its schema up to date.
// Throws store_failure when it cannot.
std::unique_ptr<backend> open_sqlite(const std::string& path);

// The schema version this build writes; migrations bring older files up to it.
int sqlite_schema_version();

}  // namespace swarmhub::store
