#include "tokenize/precompiled.hpp"

#include <unicode/ubrk.h>
#include <unicode/utext.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/utf8.hpp"

namespace hewn::tokenize {
namespace {

// darts-clone's unit layout (as spm_precompiled reads it).
bool has_leaf(std::uint32_t u) { return (u >> 8) & 1; }
std::uint32_t value(std::uint32_t u) { return u & 0x7FFFFFFFu; }
std::uint32_t label(std::uint32_t u) { return u & (0x80000000u | 0xFFu); }
std::size_t offset(std::uint32_t u) { return static_cast<std::size_t>((u >> 10) << ((u & (1u << 9)) >> 6)); }

std::uint32_t read_u32(std::string_view b, std::size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

// A character break iterator per thread (ICU's are not thread-safe).
struct Graphemes {
  UBreakIterator* it = nullptr;
  UText* ut = nullptr;
  Graphemes() {
    UErrorCode err = U_ZERO_ERROR;
    it = ubrk_open(UBRK_CHARACTER, "", nullptr, 0, &err);
    if (U_FAILURE(err)) it = nullptr;
  }
  ~Graphemes() {
    if (ut) utext_close(ut);
    if (it) ubrk_close(it);
  }
  // Sets the text; false if ICU fails.
  bool set(std::string_view text) {
    if (!it) return false;
    UErrorCode err = U_ZERO_ERROR;
    ut = utext_openUTF8(ut, text.data(), static_cast<int64_t>(text.size()), &err);
    if (U_FAILURE(err)) return false;
    ubrk_setUText(it, ut, &err);
    return U_SUCCESS(err);
  }
  std::size_t following(std::size_t i) { return static_cast<std::size_t>(ubrk_following(it, static_cast<int32_t>(i))); }
};

}  // namespace

PrecompiledMap::PrecompiledMap(std::string_view blob) {
  if (blob.size() < 4) throw std::invalid_argument("precompiled_charsmap is shorter than 4 bytes");
  std::uint32_t trie_size = read_u32(blob, 0);
  if (trie_size % 4 != 0 || trie_size > blob.size() - 4)
    throw std::invalid_argument("precompiled_charsmap's trie size " + std::to_string(trie_size) +
                                " is not a multiple of 4 within the map");
  units_.resize(trie_size / 4);
  for (std::size_t k = 0; k < units_.size(); ++k) units_[k] = read_u32(blob, 4 + 4 * k);
  normalized_.assign(blob.substr(4 + trie_size));
  if (!utf8::valid(normalized_)) throw std::invalid_argument("precompiled_charsmap's replacements are not UTF-8");
  for (int c = 0; c < 128; ++c) {
    char ch = static_cast<char>(c);
    std::string_view r;
    ascii_[c] = transform(std::string_view(&ch, 1), r) ? static_cast<std::int32_t>(r.data() - normalized_.data()) : -1;
  }
}

bool PrecompiledMap::transform(std::string_view key, std::string_view& replacement) const {
  if (units_.empty()) return false;
  std::size_t pos = offset(units_[0]);
  for (char ch : key) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    pos ^= c;
    if (pos >= units_.size()) return false;
    std::uint32_t u = units_[pos];
    if (label(u) != c) return false;
    pos ^= offset(u);
    if (has_leaf(u)) {
      if (pos >= units_.size()) return false;
      std::size_t at = value(units_[pos]);
      if (at > normalized_.size()) return false;
      std::size_t stop = normalized_.find('\0', at);
      replacement = std::string_view(normalized_).substr(at, stop == std::string::npos ? std::string::npos : stop - at);
      return true;
    }
  }
  return false;
}

void PrecompiledMap::normalize(std::string_view text, std::string& out, std::vector<std::uint32_t>& begin,
                               std::vector<std::uint32_t>& end) const {
  out.clear();
  begin.clear();
  end.clear();
  auto emit = [&](std::string_view s, std::size_t b, std::size_t e) {
    out += s;
    begin.insert(begin.end(), s.size(), static_cast<std::uint32_t>(b));
    end.insert(end.end(), s.size(), static_cast<std::uint32_t>(e));
  };
  thread_local Graphemes g;
  bool icu_set = false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    unsigned char b = bytes[i];
    // Between two ASCII characters there is always a grapheme boundary,
    // except inside CR LF.
    if (b < 0x80 && (i + 1 == text.size() || (bytes[i + 1] < 0x80 && !(b == '\r' && bytes[i + 1] == '\n')))) {
      if (ascii_[b] < 0) {
        emit(text.substr(i, 1), i, i + 1);
      } else {
        std::string_view r(normalized_.data() + ascii_[b]);
        emit(r, i, i + 1);
      }
      ++i;
      continue;
    }
    std::size_t j;
    if (!icu_set) icu_set = g.set(text);
    if (icu_set) {
      j = g.following(i);
      if (j <= i || j > text.size()) j = text.size();
    } else {
      j = i;
      utf8::decode(text, j);
    }
    std::string_view cluster = text.substr(i, j - i), r;
    if (cluster.size() < 6 && transform(cluster, r)) {
      emit(r, i, j);
    } else {
      for (std::size_t k = i; k < j;) {
        std::size_t q = k;
        utf8::decode(text, q);
        std::string_view ch = text.substr(k, q - k);
        emit(transform(ch, r) ? r : ch, k, q);
        k = q;
      }
    }
    i = j;
  }
}

}  // namespace hewn::tokenize
