#include "chunk/unit.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "chunk/token_unit.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {
namespace {

// size() is O(1): code points = bytes - continuation bytes, with a prefix
// count of continuation bytes per 64-byte block (none kept for ASCII text).
class CharsMeasure final : public Measure {
 public:
  explicit CharsMeasure(const std::string& lang) : cuts_(lang) {}
  void reset(std::string_view doc) override {
    cuts_.reset(doc);
    blocks_.clear();
    total_ = 0;
    ascii_ = utf8::is_ascii(doc);
    if (ascii_) return;
    std::size_t total = 0;
    masks_.clear();
    for (std::size_t i = 0; i < doc.size(); i += kBlock) {
      blocks_.push_back(total);
      // bit k set: byte i+k is a continuation byte (10xxxxxx)
      std::uint64_t mask = 0;
      std::size_t n = std::min(kBlock, doc.size() - i), k = 0;
      for (; k + 8 <= n; k += 8) {  // eight bytes at a time
        std::uint64_t x;
        std::memcpy(&x, doc.data() + i + k, 8);
        std::uint64_t c = (x & ~(x << 1) & 0x8080808080808080ULL) >> 7;  // bit 0 of each byte
        mask |= ((c * 0x0102040810204080ULL) >> 56) << k;                 // gathered into 8 bits
      }
      for (; k < n; ++k)
        mask |= static_cast<std::uint64_t>((static_cast<unsigned char>(doc[i + k]) & 0xC0) == 0x80) << k;
      masks_.push_back(mask);
      total += bits(mask);
    }
    total_ = total;
  }
  std::uint64_t size(std::size_t b, std::size_t e) override {
    if (ascii_) return e - b;
    return (e - b) - (continuations(e) - continuations(b));
  }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override {
    std::string_view d = cuts_.doc();
    std::size_t p = b;
    if (ascii_) {
      p = limit - b <= n ? limit : b + n;
    } else {
      std::uint64_t k = 0;
      // Advance n code points: p ends on the start of code point n+1.
      while (p < limit) {
        if ((static_cast<unsigned char>(d[p]) & 0xC0) != 0x80) {
          if (k == n) break;
          ++k;
        }
        ++p;
      }
    }
    if (p >= limit) return limit;
    return std::min(cuts_.align_down(b, p), limit);
  }

 private:
  static constexpr std::size_t kBlock = 64;
  // Continuation bytes in doc[0, pos).
  std::size_t continuations(std::size_t pos) const {
    std::size_t blk = pos / kBlock, off = pos % kBlock;
    if (blk >= blocks_.size()) return total_;
    std::uint64_t below = masks_[blk] & ((std::uint64_t{1} << off) - 1);
    return blocks_[blk] + (below ? bits(below) : 0);
  }
  static std::size_t bits(std::uint64_t x) {  // population count, portable
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<std::size_t>((x * 0x0101010101010101ULL) >> 56);
  }
  text::GraphemeCuts cuts_;
  std::vector<std::size_t> blocks_;   // continuation bytes before each 64-byte block
  std::vector<std::uint64_t> masks_;  // continuation bytes within each block
  std::size_t total_ = 0;
  bool ascii_ = true;
};

class BytesMeasure final : public Measure {
 public:
  explicit BytesMeasure(const std::string& lang) : cuts_(lang) {}
  void reset(std::string_view doc) override { cuts_.reset(doc); }
  std::uint64_t size(std::size_t b, std::size_t e) override { return e - b; }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override {
    if (limit - b <= n) return limit;
    return std::min(cuts_.align_down(b, b + n), limit);
  }

 private:
  text::GraphemeCuts cuts_;
};

// Non-whitespace code points (the cAST paper's size): whitespace counts 0, so
// indentation and blank lines never decide where code is cut.
class NwsMeasure final : public Measure {
 public:
  explicit NwsMeasure(const std::string& lang) : cuts_(lang) {}
  void reset(std::string_view doc) override { cuts_.reset(doc); }
  std::uint64_t size(std::size_t b, std::size_t e) override {
    std::string_view d = cuts_.doc();
    std::uint64_t n = 0;
    while (b < e) {
      unsigned char c = d[b];
      if (c < 0x80) {
        n += !(c == ' ' || (c >= '\t' && c <= '\r'));
        ++b;
      } else {
        n += !text::is_space(utf8::decode(d, b));
      }
    }
    return n;
  }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override {
    std::string_view d = cuts_.doc();
    std::size_t p = b;
    std::uint64_t k = 0;
    // p ends on the start of non-space code point n+1 (spaces go along).
    while (p < limit) {
      std::size_t q = p;
      unsigned char c = d[q];
      bool space = c < 0x80 ? (c == ' ' || (c >= '\t' && c <= '\r')) : text::is_space(utf8::decode(d, q));
      if (!space) {
        if (k == n) break;
        ++k;
      }
      p = c < 0x80 ? p + 1 : q;
    }
    if (p >= limit) return limit;
    return std::min(cuts_.align_down(b, p), limit);
  }

 private:
  text::GraphemeCuts cuts_;
};

// Words are ICU word segments that hold letters, numbers, kana or
// ideographs; punctuation and spaces count 0 and belong to the word before.
// A word starts at the grapheme cluster its first code point is in (ICU's
// word rules may start one after a Prepend character such as U+06DD, inside
// a cluster), so that cuts at word starts never split a cluster.
class WordsMeasure final : public Measure {
 public:
  explicit WordsMeasure(const std::string& lang) : seg_(text::Boundary::word, lang), cuts_(lang) {}
  void reset(std::string_view doc) override {
    doc_size_ = doc.size();
    starts_.clear();
    seg_.set_text(doc);
    cuts_.reset(doc);
    std::size_t prev = seg_.first();
    for (std::size_t b = seg_.next(); b != text::done; b = seg_.next()) {
      if (seg_.word_like()) {
        std::size_t s = prev;
        if (!cuts_.is_cut(s)) {
          s = cuts_.align_down(0, s);
          if (s > prev) s = 0;  // inside the first cluster
        }
        if (starts_.empty() || starts_.back() < s) starts_.push_back(s);
      }
      prev = b;
    }
  }
  std::uint64_t size(std::size_t b, std::size_t e) override { return rank(e) - rank(b); }
  std::size_t fit(std::size_t b, std::size_t limit, std::uint64_t n) override {
    std::size_t r = rank(b);  // first word starting at or after b
    std::size_t i = r + n;
    if (n == 0 && r < starts_.size() && starts_[r] == b) i = r + 1;
    std::size_t c = i < starts_.size() ? starts_[i] : doc_size_;
    return std::min(limit, c);
  }

 private:
  std::size_t rank(std::size_t pos) const {
    return static_cast<std::size_t>(std::lower_bound(starts_.begin(), starts_.end(), pos) - starts_.begin());
  }
  text::Segmenter seg_;
  text::GraphemeCuts cuts_;
  std::vector<std::size_t> starts_;
  std::size_t doc_size_ = 0;
};

template <class M>
class SimpleUnit final : public Unit {
 public:
  SimpleUnit(std::string name, std::string lang) : name_(std::move(name)), lang_(std::move(lang)) {}
  std::string_view name() const override { return name_; }
  std::unique_ptr<Measure> make_measure() const override { return std::make_unique<M>(lang_); }

 private:
  std::string name_, lang_;
};

}  // namespace

std::shared_ptr<const Unit> make_unit(const UnitOptions& o) {
  std::string lang = text::check_locale(o.lang);
  if (o.name == "chars") return std::make_shared<SimpleUnit<CharsMeasure>>(o.name, lang);
  if (o.name == "bytes") return std::make_shared<SimpleUnit<BytesMeasure>>(o.name, lang);
  if (o.name == "words") return std::make_shared<SimpleUnit<WordsMeasure>>(o.name, lang);
  if (o.name == "nws") return std::make_shared<SimpleUnit<NwsMeasure>>(o.name, lang);
  if (o.name == "tokens") {
    if (o.loaded) return make_token_unit(o.loaded);
    if (o.tokenizer.empty()) throw UsageError("--unit tokens needs --tokenizer");
    tokenize::TokenizerOptions t{o.tokenizer, o.allow_special, o.count_special, {}};
    return make_token_unit(tokenize::make_tokenizer(t));
  }
  throw UsageError("unknown unit " + quoted(o.name) + " (known: chars, bytes, words, nws, tokens)");
}

}  // namespace hewn::chunk
