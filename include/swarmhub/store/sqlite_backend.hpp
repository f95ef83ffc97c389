#pragma once
// The embedded default backend: one SQLite file in WAL mode, synchronous=FULL so that a
// committed change survives a crash of the process or the machine.

#include <memory>
#include <string>

#include "swarmhub/store/store.hpp"

namespace swarmhub::store {

enum class sqlite_durability {
  full,       // every commit reaches the disk before it returns: what a tracker uses
  bulk_load,  // commits are not synced (synchronous=OFF): only to fill a database for a
              // benchmark or an import, where a crash means starting again
};

// Opens (creating if needed) the database at `path` and brings its schema up to date.
// Throws store_failure when it cannot.
std::unique_ptr<backend> open_sqlite(const std::string& path,
                                     sqlite_durability durability = sqlite_durability::full);

}  // namespace swarmhub::store
