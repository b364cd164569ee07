// The hash embedder. Summation order and arithmetic are fixed (doubles, no
// contraction, sqrt only) so the output is the same on every IEEE platform.
#include "embed/hash.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"

#pragma GCC optimize("fp-contract=off")

namespace hewn::embed {
namespace {


// Per-thread scratch: folded words and a feature count table (open
// addressing; a feature's hash, count and word share one 16-byte slot, so
// that a lookup touches one cache line).
//
// A word's character n-grams are hashed and added only at its first
// occurrence in the text: at a repeat they all exist already, so adding
// them again would only raise their counts, which is done once at the end
// (the first-occurrence order of features, which fixes the summation
// order, is the same).
struct Slot {
  std::uint64_t key;    // the feature's hash (a hash of 0 is kept as 1); 0 = empty
  std::uint32_t count;  // its occurrences
  std::uint32_t word;   // for a word feature: 1 + its index in words; else 0
};
struct WordGrams {
  std::uint32_t grams_begin, grams_end;  // its n-grams' slots in gram_slots
  std::uint32_t repeats;                 // occurrences after the first
};
struct Scratch {
  std::string folded;                 // words' folded UTF-8, back to back
  std::vector<std::uint32_t> word_end;  // end of each word in folded
  std::vector<std::uint32_t> cps;     // byte offsets of code points of "<word>"
  std::string padded;
  std::vector<Slot> slots;            // all empty between texts (but dirty ones)
  std::size_t dirty = 0;              // slots [0, dirty) may be in use
  std::vector<std::uint32_t> order;   // slots of the features in first-occurrence order
  std::vector<std::uint32_t> gram_slots;
  std::vector<WordGrams> words;
  std::vector<double> acc;
};

// The table of one text, kept in locals (registers) while it is filled:
// members of the thread's Scratch would be reloaded after every store.
struct Table {
  Slot* t;
  std::uint32_t* order;       // room for every feature
  std::uint32_t* gram_slots;  // room for every n-gram
  std::size_t mask;
  std::size_t used = 0;       // features so far
  std::size_t grams = 0;      // entries of gram_slots so far
  std::size_t recording = 0;  // 1: add() appends the slot to gram_slots

  // Returns the feature's slot.
  std::uint32_t add(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    std::size_t s = (h ^ (h >> 29)) & mask;
    while (t[s].key != 0 && t[s].key != h) s = (s + 1) & mask;
    // Branch-free (whether a feature is new is unpredictable): order[used]
    // and gram_slots[grams] are scratch until kept.
    std::size_t fresh = t[s].key == 0;
    t[s].key = h;
    ++t[s].count;
    order[used] = static_cast<std::uint32_t>(s);
    used += fresh;
    gram_slots[grams] = static_cast<std::uint32_t>(s);
    grams += recording;
    return static_cast<std::uint32_t>(s);
  }
};

class HashEmbedder final : public Embedder {
 public:
  HashEmbedder(std::size_t dim, bool normalize)
      : dim_(dim), normalize_(normalize), name_("hash-" + std::to_string(dim)),
        fastmod_(~std::uint64_t{0} / static_cast<std::uint32_t>(dim) + 1) {}
  const std::string& name() const override { return name_; }
  std::size_t dim() const override { return dim_; }

  EmbedInfo embed(std::string_view text, float* out) const override {
    thread_local Scratch s;
    split_words(text, s);
    const std::size_t nwords = s.word_end.size();
    // An empty table of more slots than features: at most 3 a folded byte
    // (character n-grams), 2 a word. It is sized by this text, not by the
    // largest one so far, to stay small for the caches.
    const std::size_t bound = s.folded.size() * 3 + nwords * 2 + 8;
    std::size_t cap = 64;
    while (cap <= bound) cap <<= 1;
    if (s.dirty) std::fill(s.slots.begin(), s.slots.begin() + static_cast<std::ptrdiff_t>(s.dirty), Slot{0, 0, 0});
    if (s.slots.size() < cap) s.slots.resize(cap, Slot{0, 0, 0});
    if (s.order.size() < bound + 1) {
      s.order.resize(bound + 1);
      s.gram_slots.resize(bound + 1);
    }
    s.words.clear();
    s.dirty = cap;  // until the slots are emptied again below
    Table tb{s.slots.data(), s.order.data(), s.gram_slots.data(), cap - 1};

    static const std::uint64_t w_prefix = fnv1a("w:"), b_prefix = fnv1a("b:");
    // One pass over a word's bytes hashes "w:" word, "b:" previous " " word
    // (continuing from the previous word's pass) and "b:" word (for the next
    // bigram): three independent chains instead of three passes.
    std::uint64_t bigram_head = 0;  // fnv1a("b:" previous word " ")
    std::size_t begin = 0;
    const auto* folded = reinterpret_cast<const unsigned char*>(s.folded.data());
    for (std::size_t w = 0; w < nwords; ++w) {
      std::size_t end = s.word_end[w];
      std::uint64_t hw = w_prefix, hb = b_prefix, hg = bigram_head;
      for (std::size_t k = begin; k < end; ++k) {
        std::uint64_t c = folded[k];
        hw = (hw ^ c) * fnv_prime;
        hb = (hb ^ c) * fnv_prime;
        hg = (hg ^ c) * fnv_prime;
      }
      std::size_t before = tb.used;
      std::uint32_t ws = tb.add(hw);
      bool first = tb.used != before;
      if (w > 0) tb.add(hg);
      bigram_head = (hb ^ std::uint64_t{' '}) * fnv_prime;
      std::string_view word(s.folded.data() + begin, end - begin);
      std::uint32_t known = tb.t[ws].word;
      if (known) {
        ++s.words[known - 1].repeats;
      } else if (first) {  // (a word whose hash an earlier other feature had takes the plain path)
        WordGrams info{static_cast<std::uint32_t>(tb.grams), 0, 0};
        tb.recording = 1;
        add_char_grams(word, tb, s);
        tb.recording = 0;
        info.grams_end = static_cast<std::uint32_t>(tb.grams);
        s.words.push_back(info);
        tb.t[ws].word = static_cast<std::uint32_t>(s.words.size());
      } else {
        add_char_grams(word, tb, s);
      }
      begin = end;
    }
    // The n-grams of every repeated word count again.
    for (const WordGrams& w : s.words)
      if (w.repeats)
        for (std::uint32_t i = w.grams_begin; i < w.grams_end; ++i) tb.t[tb.gram_slots[i]].count += w.repeats;

    s.acc.assign(dim_, 0.0);
    for (std::size_t i = 0; i < tb.used; ++i) {
      Slot& slot = tb.t[tb.order[i]];
      std::uint64_t h = slot.key;
      std::uint64_t c = slot.count;
      slot = Slot{0, 0, 0};  // emptied for the next text
      // sqrt(1) is exactly 1; the sign bit of the hash is the weight's.
      double weight = c < small_sqrt.size() ? small_sqrt[c] : std::sqrt(static_cast<double>(c));
      weight = std::bit_cast<double>(std::bit_cast<std::uint64_t>(weight) ^ (h & (std::uint64_t{1} << 63)));
      std::size_t idx = mod_dim(static_cast<std::uint32_t>(h));
      s.acc[idx] += weight;
    }
    s.dirty = 0;
    double scale = 1.0;
    if (normalize_) {
      double norm2 = 0;
      for (double v : s.acc) norm2 += v * v;
      if (norm2 > 0) scale = std::sqrt(norm2);
    }
    for (std::size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(s.acc[i] / scale);
    return {};
  }

 private:
  // ASCII letters and digits, lowercased; 0 for the other ASCII bytes.
  static constexpr std::array<char, 128> ascii_fold = [] {
    std::array<char, 128> t{};
    for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = c;
    for (char c = 'a'; c <= 'z'; ++c) t[static_cast<unsigned char>(c)] = c;
    for (char c = 'A'; c <= 'Z'; ++c) t[static_cast<unsigned char>(c)] = static_cast<char>(c + 32);
    return t;
  }();

  // Words: maximal runs of letters, marks and numbers, each code point
  // mapped to its simple lowercase.
  static void split_words(std::string_view text, Scratch& s) {
    // Written through pointers: room for every word (a word and what ends
    // it take 2 bytes at least) and for the text's bytes (more is made for
    // the rare lowercase longer than its capital).
    s.folded.resize(text.size() + 8);
    s.word_end.resize(text.size() / 2 + 2);
    char* f0 = s.folded.data();
    char* f = f0;
    std::uint32_t* we = s.word_end.data();
    std::uint32_t* const we0 = we;
    bool in_word = false;
    std::size_t i = 0;
    while (i < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[i]);
      if (b < 0x80) {
        ++i;
        char c = ascii_fold[b];
        if (c) {
          *f++ = c;
          in_word = true;
        } else if (in_word) {
          *we++ = static_cast<std::uint32_t>(f - f0);
          in_word = false;
        }
        continue;
      }
      char32_t c = utf8::decode(text, i);
      bool word = (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
      if (word) {
        c = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
        std::size_t at = static_cast<std::size_t>(f - f0);
        if (at + 4 + (text.size() - i) > s.folded.size()) {
          s.folded.resize(at + 4 + (text.size() - i) + 8);
          f0 = s.folded.data();
        }
        std::string bytes;
        utf8::append(bytes, c);
        std::memcpy(f0 + at, bytes.data(), bytes.size());
        f = f0 + at + bytes.size();
        in_word = true;
      } else if (in_word) {
        *we++ = static_cast<std::uint32_t>(f - f0);
        in_word = false;
      }
    }
    if (in_word) *we++ = static_cast<std::uint32_t>(f - f0);
    s.folded.resize(static_cast<std::size_t>(f - f0));
    s.word_end.resize(static_cast<std::size_t>(we - we0));
  }

  // "c:" + every 3-, 4- and 5-code-point substring of "<" word ">", by
  // start, then length.
  static void add_char_grams(std::string_view word, Table& tb, Scratch& s) {
    s.padded.clear();
    s.padded.push_back('<');
    s.padded.append(word);
    s.padded += '>';
    static const std::uint64_t c_prefix = fnv1a("c:");
    const auto* p = reinterpret_cast<const unsigned char*>(s.padded.data());
    if (utf8::is_ascii(word)) {  // code points are bytes
      Table t = tb;  // (in registers)
      std::size_t n = s.padded.size();
      for (std::size_t i = 0; i + 3 <= n; ++i) {
        std::uint64_t h = (((c_prefix ^ p[i]) * fnv_prime ^ p[i + 1]) * fnv_prime ^ p[i + 2]) * fnv_prime;
        t.add(h);
        if (i + 4 > n) continue;
        h = (h ^ p[i + 3]) * fnv_prime;
        t.add(h);
        if (i + 5 > n) continue;
        t.add((h ^ p[i + 4]) * fnv_prime);
      }
      tb = t;
      return;
    }
    s.cps.clear();
    for (std::size_t i = 0; i < s.padded.size(); ++i)
      if (utf8::is_boundary(s.padded, i)) s.cps.push_back(static_cast<std::uint32_t>(i));
    std::size_t n = s.cps.size();
    s.cps.push_back(static_cast<std::uint32_t>(s.padded.size()));
    for (std::size_t i = 0; i + 3 <= n; ++i) {
      std::uint64_t h = fnv1a(std::string_view(s.padded).substr(s.cps[i], s.cps[i + 3] - s.cps[i]), c_prefix);
      tb.add(h);
      for (std::size_t len = 4; len <= 5 && i + len <= n; ++len) {
        h = fnv1a(std::string_view(s.padded).substr(s.cps[i + len - 1], s.cps[i + len] - s.cps[i + len - 1]), h);
        tb.add(h);
      }
    }
  }

  // sqrt(c) for small counts, the same bits as std::sqrt (which is
  // correctly rounded) without its call.
  static constexpr std::size_t small_sqrt_size = 64;
  static inline const std::array<double, small_sqrt_size> small_sqrt = [] {
    std::array<double, small_sqrt_size> t{};
    for (std::size_t c = 0; c < t.size(); ++c) t[c] = std::sqrt(static_cast<double>(c));
    return t;
  }();

  // a % dim for 32-bit a without a division (Lemire's fastmod: exact for
  // every 32-bit a and divisor).
  std::uint32_t mod_dim(std::uint32_t a) const {
    std::uint64_t low = fastmod_ * a;
    return static_cast<std::uint32_t>((static_cast<unsigned __int128>(low) * static_cast<std::uint32_t>(dim_)) >> 64);
  }

  std::size_t dim_;
  bool normalize_;
  std::string name_;
  std::uint64_t fastmod_;
};

}  // namespace

std::unique_ptr<const Embedder> make_hash_embedder(std::size_t dim, bool normalize) {
  if (dim == 0) throw UsageError("--dim must be at least 1");
  if (dim > (1u << 24)) throw UsageError("--dim must be at most 16777216");
  return std::make_unique<HashEmbedder>(dim, normalize);
}

}  // namespace hewn::embed
