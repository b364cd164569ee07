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
    if (s.empty()) return {};  // no block needed (and memcpy must not see a null one)
    if (s.size() > left_) grow(s.size());
    char* p = cur_;
    std::memcpy(p, s.data(), s.size());
    cur_ += s.size();
    left_ -= s.size();
    return {p, s.size()};
  }

  // Forgets every string (their views become invalid) and reuses the blocks.
  void clear() {
    used_ = 0;
    cur_ = nullptr;
    left_ = 0;
  }

 private:
  void grow(std::size_t need) {
    if (need <= block_ && used_ < blocks_.size()) {
      cur_ = blocks_[used_++].get();
      left_ = block_;
      return;
    }
    std::size_t size = need > block_ ? need : block_;
    auto block = std::make_unique_for_overwrite<char[]>(size);
    cur_ = block.get();
    left_ = size;
    if (size == block_) {  // reusable: keep the reusable blocks first
      blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(used_++), std::move(block));
    } else {
      blocks_.push_back(std::move(block));
    }
  }
  std::size_t used_ = 0;  // reusable blocks in use
  static constexpr std::size_t block_ = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace hewn::score::detail
