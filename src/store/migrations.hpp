#pragma once
// The store's schema, written once for both engines (private to src/store).

#include <span>
#include <string>
#include <string_view>

#include "sql_connection.hpp"

namespace swarmhub::store::sql {

// Each migration moves the schema one version up; they apply in order. Never edit one that
// has shipped: add the next. Their text is the shared SQL with a few words in braces that
// each dialect spells its own way (in_dialect).
std::span<const std::string_view> migrations();

// `migration` in `d`'s words: {pk} an integer primary key, {serial_pk} one whose values are
// never reused, {int} a 64-bit integer, {name} a unique name matched whatever its letter
// case (SQLite NOCASE, PostgreSQL citext), {blob} bytes, {bool} and {false} a boolean,
// {random_id} a random hex text, {extensions} what PostgreSQL must load first.
std::string in_dialect(dialect d, std::string_view migration);

}  // namespace swarmhub::store::sql
