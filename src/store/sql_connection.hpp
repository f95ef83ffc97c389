#pragma once
// What the one store implementation (sql_store.hpp) asks of a database engine: the
// connection concept, written down once. Private to src/store.
//
// A connection runs statements written in the shared SQL of both engines: parameters are
// $1, $2, ... (each used at least once), text, integers, booleans, blobs and NULL
// (std::nullopt, or an empty std::optional). It offers:
//   rows query(sql, args...)      a statement's rows, read forward with rows::next()
//   int64 execute(sql, args...)   a statement whose rows (if any) nobody reads; returns how
//                                 many rows it inserted, changed or deleted
//   int64 insert(sql, args...)    an INSERT ending in "RETURNING id": the new row's id
//   void script(sql)              several statements without parameters (migrations)
//   void begin() / commit() / rollback()   one transaction; begin() takes the write lock
//                                 (SQLite) or starts SERIALIZABLE isolation (PostgreSQL)
//   void notify(payload)          sends an event to every tracker's feed at commit
//                                 (PostgreSQL NOTIFY; nothing for SQLite: one tracker)
//   static constexpr bool carries_events   whether notify sends anything (so that the store
//                                 encodes events only for an engine that carries them); an
//                                 engine that does (several trackers write it) also offers
//   void hold_room(room)          holds a chat room (group id, 0: the lobby) until commit
//   migration_lock lock_migrations()   keeps trackers starting together from migrating at once
//   static constexpr dialect kind
// and rows offer next(), integer(column), text(column), blob(column), boolean(column) and
// is_null(column), columns counted from 0. A rows object must not outlive the transaction
// it was read in.

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace swarmhub::store::sql {

enum class dialect { sqlite, postgresql };

// Raw bytes, bound as a BLOB (SQLite) or a binary bytea parameter (PostgreSQL).
struct blob {
  std::string_view data;
};

// One bound parameter, whatever its C++ type: the conversions are written here once, and
// each engine binds the four kinds.
using value = std::variant<std::nullopt_t, std::int64_t, std::string_view, blob>;

inline value to_value(std::string_view v) {
  return v;
}
inline value to_value(const std::string& v) {
  return std::string_view(v);
}
inline value to_value(const char* v) {
  return std::string_view(v);
}
inline value to_value(std::int64_t v) {
  return v;
}
inline value to_value(int v) {
  return std::int64_t{v};
}
inline value to_value(bool v) {
  return std::int64_t{v ? 1 : 0};
}
inline value to_value(blob v) {
  return v;
}
inline value to_value(std::nullopt_t) {
  return std::nullopt;
}
template <class T>
value to_value(const std::optional<T>& v) {
  return v ? to_value(*v) : value(std::nullopt);
}

// The engine refused to serialise the transaction with a concurrent one (PostgreSQL's
// serialization failure or deadlock): the whole transaction may run again.
struct conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class R>
concept row_reader = requires(R& r, const R& cr, int column) {
  { r.next() } -> std::same_as<bool>;
  { cr.integer(column) } -> std::same_as<std::int64_t>;
  { cr.text(column) } -> std::same_as<std::string>;
  { cr.blob(column) } -> std::same_as<std::string>;
  { cr.boolean(column) } -> std::same_as<bool>;
  { cr.is_null(column) } -> std::same_as<bool>;
};

template <class C>
concept connection = requires(C& c, const char* sql, std::string_view payload) {
  { C::kind } -> std::convertible_to<dialect>;
  { C::carries_events } -> std::convertible_to<bool>;
  { c.query(sql) } -> row_reader;
  { c.execute(sql) } -> std::same_as<std::int64_t>;
  { c.insert(sql) } -> std::same_as<std::int64_t>;
  c.script(sql);
  c.begin();
  c.commit();
  c.rollback();
  c.notify(payload);
  c.lock_migrations();
};

}  // namespace swarmhub::store::sql
