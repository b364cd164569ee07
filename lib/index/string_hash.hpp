// Hash and equality of std::string keys that also take std::string_view
// (heterogeneous lookup in unordered containers: no string built to find one).
#pragma once

#include <functional>
#include <string_view>

namespace hewn::index {

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct SvEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

}  // namespace hewn::index
