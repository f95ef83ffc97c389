#pragma once
// A thin RAII layer over libpq for the PostgreSQL backend (private to src/store): one
// connection, statements with parameters (text, or binary for bytes), and transactions that
// run at SERIALIZABLE and are retried when PostgreSQL reports a conflict.

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace swarmhub::store::pg {

// A UNIQUE constraint said no (SQLSTATE 23505).
struct unique_violation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A serialization failure or deadlock (40001, 40P01): the whole transaction may be retried.
struct conflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Raw bytes, sent as a binary parameter (for bytea columns).
struct bytes {
  std::string_view data;
};

class result {
 public:
  explicit result(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool empty() const { return rows() == 0; }
  bool is_null(int row, int column) const { return PQgetisnull(r_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }
  // A bytea column (in PostgreSQL's text form) decoded back to its bytes.
  std::string bytea(int row, int column) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class connection {
 public:
  // `conninfo` as libpq takes it: "postgresql://user@host/db" or "host=... dbname=...".
  explicit connection(const std::string& conninfo);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // One statement with parameters $1, $2, ... Throws unique_violation, conflict or
  // store_failure.
  template <class... Args>
  result exec(const char* sql, const Args&... args) {
    params p;
    (p.add(args), ...);
    return run(sql, p);
  }
  // Several statements without parameters (migrations).
  void exec_script(const char* sql);

  // Runs `work()` in a SERIALIZABLE transaction and commits, starting over when PostgreSQL
  // reports a conflict with a concurrent transaction (another tracker, another thread).
  template <class F>
  auto transact(F&& work) -> decltype(work()) {
    for (int attempt = 1;; ++attempt) {
      exec_script("BEGIN ISOLATION LEVEL SERIALIZABLE");
      try {
        if constexpr (std::is_void_v<decltype(work())>) {
          work();
          exec_script("COMMIT");
          return;
        } else {
          auto out = work();
          exec_script("COMMIT");
          return out;
        }
      } catch (const conflict&) {
        exec_script("ROLLBACK");
        if (attempt == max_attempts) throw;
      } catch (...) {
        exec_script("ROLLBACK");
        throw;
      }
    }
  }

  PGconn* native() { return conn_; }

 private:
  static constexpr int max_attempts = 20;

  struct params {
    std::vector<std::optional<std::string>> values;
    std::vector<int> formats;
    void add(std::string_view v) { push(std::string(v), 0); }
    void add(const std::string& v) { push(v, 0); }
    void add(const char* v) { push(std::string(v), 0); }
    void add(std::int64_t v) { push(std::to_string(v), 0); }
    void add(int v) { push(std::to_string(v), 0); }
    void add(bool v) { push(v ? "true" : "false", 0); }
    void add(bytes v) { push(std::string(v.data), 1); }
    void add(std::nullopt_t) {
      values.emplace_back();
      formats.push_back(0);
    }
    void push(std::string v, int format) {
      values.emplace_back(std::move(v));
      formats.push_back(format);
    }
  };

  result run(const char* sql, const params& p);

  PGconn* conn_ = nullptr;
};

}  // namespace swarmhub::store::pg
