// Append-only storage for many short strings whose views must stay valid.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace hewn::score::detail {

class Arena {
 public:
  std::string_view add(std::string_view s) {
    if (s.size() > left_) grow(s.size());
    char* p = cur_;
    std::memcpy(p, s.data(), s.size());
    cur_ += s.size();
    left_ -= s.size();
    return {p, s.size()};
  }

 private:
  void grow(std::size_t need) {
    std::size_t size = need > block_ ? need : block_;
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    cur_ = blocks_.back().get();
    left_ = size;
  }
  static constexpr std::size_t block_ = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace hewn::score::detail
