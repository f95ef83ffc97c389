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

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

// Appends ascii_lower(s) to `out`.
inline void append_ascii_lower(std::string& out, std::string_view s) {
  const auto start = out.size();
  out += s;
  for (auto i = start; i < out.size(); ++i) out[i] = ascii_lower(out[i]);
}

}  // namespace swarmhub::util
