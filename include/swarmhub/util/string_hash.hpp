#pragma once
// Hash maps keyed by std::string that are searched with a std::string_view (C++20
// heterogeneous lookup): a lookup makes no temporary std::string.
//
//   util::string_map<T> m;
//   m.find(std::string_view("key"));
//
// A key made of folded names is built for a lookup with append_ascii_lower into a buffer that
// is reused (thread_local), so the hot paths (announces) allocate nothing per lookup.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "swarmhub/util/text.hpp"

namespace swarmhub::util {

// Deliberately not noexcept: libstdc++ keeps each node's hash code beside its key only when
// the hasher may throw (or is not known to be fast). With the code kept, a lookup walking a
// bucket compares codes first and touches a node's key (a second allocation, for keys past
// the short-string buffer) only on a likely match; without it, every node on the way has its
// key read and hashed again to find where the bucket ends. On the announce path's large maps
// (a bucket per user and torrent, a peer per user and swarm) those reads were cache misses.
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

#ifdef __GLIBCXX__
static_assert(std::__cache_default<std::string, string_hash>::value,
              "string_map's nodes must keep their hash codes (see string_hash)");
#endif

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

// Appends ascii_lower(s) to `out`.
inline void append_ascii_lower(std::string& out, std::string_view s) {
  const auto start = out.size();
  out += s;
  for (auto i = start; i < out.size(); ++i) out[i] = ascii_lower(out[i]);
}

}  // namespace swarmhub::util
