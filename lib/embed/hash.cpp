// The hash embedder. Summation order and arithmetic are fixed (doubles, no
// contraction, sqrt only) so the output is the same on every IEEE platform.
#include "embed/hash.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"

#pragma GCC optimize("fp-contract=off")

namespace hewn::embed {
namespace {


// Per-thread scratch: folded words and a feature count table (open
// addressing; a feature's hash and count share a cache line).
//
// A word's character n-grams are hashed and added only at its first
// occurrence in the text: at a repeat they all exist already, so adding
// them again would only raise their counts, which is done once at the end
// (the first-occurrence order of features, which fixes the summation
// order, is the same).
struct Scratch {
  struct Slot {
    std::uint32_t check;  // the hash's high half
    std::uint32_t next;   // 1 + the feature's ordinal (its index in first-occurrence order); 0 = empty
  };
  struct Word {
    std::uint32_t grams_begin, grams_end;  // its n-grams' ordinals in gram_ordinals
    std::uint32_t repeats;                 // occurrences after the first
  };
  std::string folded;                 // words' folded UTF-8, back to back
  std::vector<std::size_t> word_end;  // end of each word in folded
  std::vector<std::uint32_t> cps;     // byte offsets of code points of "<word>"
  std::string padded;
  std::vector<Slot> slots;
  std::vector<std::uint32_t> slot_of;   // by ordinal: the feature's slot
  // By ordinal, so that the final pass reads them in order: hash and count;
  // for a word feature, 1 + its index in words (else 0).
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> counts;
  std::vector<std::uint32_t> word_of;
  std::size_t used = 0;               // features so far
  std::size_t mask = 0;
  std::vector<Word> words;
  std::vector<std::uint32_t> gram_ordinals;
  bool recording = false;             // add() appends the ordinal to gram_ordinals
  bool fresh = false;                 // the last add() made a new feature
  std::vector<double> acc;

  void reset_table(std::size_t expected) {
    std::size_t cap = 64;
    while (cap <= expected) cap <<= 1;
    if (slots.size() < cap) {
      slots.assign(cap, Slot{0, 0});
    } else {
      for (std::size_t i = 0; i < used; ++i) slots[slot_of[i]] = Slot{0, 0};
      std::fill(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(used), 0u);
      std::fill(word_of.begin(), word_of.begin() + static_cast<std::ptrdiff_t>(used), 0u);
    }
    mask = slots.size() - 1;
    if (slot_of.size() < slots.size() + 1) {
      slot_of.resize(slots.size() + 1);
      keys.resize(slots.size() + 1);
      counts.assign(slots.size() + 1, 0u);
      word_of.assign(slots.size() + 1, 0u);
    }
    used = 0;
    words.clear();
    gram_ordinals.clear();
  }
  // Returns the feature's ordinal.
  std::uint32_t add(std::uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    Slot* t = slots.data();
    const std::uint64_t* k = keys.data();
    auto check = static_cast<std::uint32_t>(h >> 32);
    std::size_t s = (h ^ (h >> 29)) & mask;
    while (t[s].next != 0 && (t[s].check != check || k[t[s].next - 1] != h)) s = (s + 1) & mask;
    // Branch-free (whether a feature is new is unpredictable): the entries
    // at ordinal `used` are scratch until the feature turns out new.
    fresh = t[s].next == 0;
    std::uint32_t o = fresh ? static_cast<std::uint32_t>(used) : t[s].next - 1;
    t[s].check = check;
    t[s].next = o + 1;
    slot_of[used] = static_cast<std::uint32_t>(s);
    keys[used] = h;
    ++counts[o];
    used += fresh;
    if (recording) gram_ordinals.push_back(o);
    return o;
  }
  // Counts the n-grams of every repeated word.
  void settle() {
    for (const auto& w : words)
      if (w.repeats)
        for (std::uint32_t i = w.grams_begin; i < w.grams_end; ++i) counts[gram_ordinals[i]] += w.repeats;
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
    std::size_t nwords = s.word_end.size();
    s.reset_table(s.folded.size() * 3 + nwords * 2 + 8);
    static const std::uint64_t w_prefix = fnv1a("w:"), b_prefix = fnv1a("b:");
    std::size_t begin = 0, prev_begin = 0;
    for (std::size_t w = 0; w < nwords; ++w) {
      std::string_view word(s.folded.data() + begin, s.word_end[w] - begin);
      std::uint32_t wo = s.add(fnv1a(word, w_prefix));

      bool first = s.fresh;
      if (w > 0) {
        std::string_view pw(s.folded.data() + prev_begin, begin - prev_begin);
        s.add(fnv1a(word, fnv1a(" ", fnv1a(pw, b_prefix))));
      }
      std::uint32_t known = s.word_of[wo];
      if (known) {
        ++s.words[known - 1].repeats;
      } else if (first) {  // (a word whose hash an earlier other feature had takes the plain path)
        Scratch::Word info{static_cast<std::uint32_t>(s.gram_ordinals.size()), 0, 0};
        s.recording = true;
        add_char_grams(word, s);
        s.recording = false;
        info.grams_end = static_cast<std::uint32_t>(s.gram_ordinals.size());
        s.words.push_back(info);
        s.word_of[wo] = static_cast<std::uint32_t>(s.words.size());
      } else {
        add_char_grams(word, s);
      }
      prev_begin = begin;
      begin = s.word_end[w];
    }
    s.settle();
    s.acc.assign(dim_, 0.0);
    for (std::size_t i = 0; i < s.used; ++i) {
      std::uint64_t h = s.keys[i];
      std::uint64_t c = s.counts[i];
      // sqrt(1) is exactly 1; the sign bit of the hash is the weight's.
      double weight = std::sqrt(static_cast<double>(c));
      weight = std::bit_cast<double>(std::bit_cast<std::uint64_t>(weight) ^ (h & (std::uint64_t{1} << 63)));
      std::size_t idx = mod_dim(static_cast<std::uint32_t>(h));
      s.acc[idx] += weight;
    }
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
    s.folded.clear();
    s.word_end.clear();
    bool in_word = false;
    std::size_t i = 0;
    while (i < text.size()) {
      unsigned char b = static_cast<unsigned char>(text[i]);
      if (b < 0x80) {
        ++i;
        char f = ascii_fold[b];
        if (f) {
          s.folded.push_back(f);
          in_word = true;
        } else if (in_word) {
          s.word_end.push_back(s.folded.size());
          in_word = false;
        }
        continue;
      }
      char32_t c = utf8::decode(text, i);
      bool word = (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
      if (word) c = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
      if (word) {
        utf8::append(s.folded, c);
        in_word = true;
      } else if (in_word) {
        s.word_end.push_back(s.folded.size());
        in_word = false;
      }
    }
    if (in_word) s.word_end.push_back(s.folded.size());
  }

  // "c:" + every 3-, 4- and 5-code-point substring of "<" word ">", by
  // start, then length.
  static void add_char_grams(std::string_view word, Scratch& s) {
    s.padded.clear();
    s.padded.push_back('<');
    s.padded.append(word);
    s.padded += '>';
    s.cps.clear();
    for (std::size_t i = 0; i < s.padded.size(); ++i)
      if (utf8::is_boundary(s.padded, i)) s.cps.push_back(static_cast<std::uint32_t>(i));
    std::size_t n = s.cps.size();
    s.cps.push_back(static_cast<std::uint32_t>(s.padded.size()));
    static const std::uint64_t c_prefix = fnv1a("c:");
    for (std::size_t i = 0; i + 3 <= n; ++i) {
      std::uint64_t h = fnv1a(std::string_view(s.padded).substr(s.cps[i], s.cps[i + 3] - s.cps[i]), c_prefix);
      s.add(h);
      for (std::size_t len = 4; len <= 5 && i + len <= n; ++len) {
        h = fnv1a(std::string_view(s.padded).substr(s.cps[i + len - 1], s.cps[i + len] - s.cps[i + len - 1]), h);
        s.add(h);
      }
    }
  }

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
