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
// order, is the same). A word longer than long_word_bytes is the
// exception: it is hashed again at each occurrence, so that the slots of
// its n-grams (3 a byte) need not be kept.
//
// The table's size: a short text's table has more slots than the text can
// have features (at most 3 a folded byte, 2 a word), so that it never has to
// grow. That bound is far above the distinct features of a long text (its
// n-grams and words repeat; a 30 MB text would take gigabytes), so a longer
// text's table starts smaller and doubles whenever a word could fill more
// than half of it: memory follows the distinct features, not the length.
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

// Tables of up to this many slots (4 MiB) are sized by the text's bound on
// features, as large as the bound of an 80 KB text (a SciFact abstract's
// takes 8192); a longer text's starts here, or at the size of the thread's
// table if that is larger, and grows.
constexpr std::size_t first_slots_max = std::size_t{1} << 18;
// Longer words are not recorded in gram_slots (see Scratch) and make room
// for their n-grams chunk_starts start positions at a time.
constexpr std::size_t long_word_bytes = 256;
constexpr std::size_t chunk_starts = 4096;
// A thread's scratch above this is released after its text: one huge text
// must not hold it for the thread's life.
constexpr std::size_t max_kept_bytes = std::size_t{64} << 20;

// The table of one text, kept in locals (registers) while it is filled:
// members of the thread's Scratch would be reloaded after every store.
struct Table {
  Slot* t;
  std::uint32_t* order;       // room + 1 entries
  std::uint32_t* gram_slots;  // gram_room entries
  std::size_t mask;
  std::size_t room;           // the most features it may hold before it must grow
  std::size_t gram_room;
  std::size_t used = 0;       // features so far
  std::size_t grams = 0;      // entries of gram_slots so far
  std::size_t recording = 0;  // 1: add() appends the slot to gram_slots

  // Returns the feature's slot. The caller has made room for it (grow(),
  // grow_grams()).
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

  // Makes room for `more` features: doubles the table until they would fill
  // at most half of it, moving every feature, and rewrites the slot numbers
  // kept in order and gram_slots (words keep theirs in the slots). Not
  // inlined: it is rare, and the registers of the callers' loops stay free.
  [[gnu::noinline]] void grow(Scratch& s, std::size_t more) {
    std::size_t cap = (mask + 1) * 2;
    while (cap / 2 < used + more) cap <<= 1;
    std::vector<Slot> next(cap, Slot{0, 0, 0});
    std::size_t next_mask = cap - 1;
    for (std::size_t i = 0; i < used; ++i) {
      Slot& from = t[order[i]];
      std::size_t to = (from.key ^ (from.key >> 29)) & next_mask;
      while (next[to].key != 0) to = (to + 1) & next_mask;  // (keys are distinct)
      next[to] = from;
      from.count = static_cast<std::uint32_t>(to);  // where it went (the old table is dropped)
      order[i] = static_cast<std::uint32_t>(to);
    }
    for (std::size_t i = 0; i < grams; ++i) gram_slots[i] = t[gram_slots[i]].count;
    s.slots.swap(next);
    s.dirty = cap;
    room = cap / 2;
    if (s.order.size() < room + 1) s.order.resize(room + 1);
    t = s.slots.data();
    mask = next_mask;
    order = s.order.data();
  }

  // Makes room for `more` entries of gram_slots (and the scratch one).
  [[gnu::noinline]] void grow_grams(Scratch& s, std::size_t more) {
    s.gram_slots.resize(std::max(s.gram_slots.size() * 2, grams + more + 1));
    gram_slots = s.gram_slots.data();
    gram_room = s.gram_slots.size();
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
    // An empty table (see Scratch) of more slots than the text can have
    // features, sized by this text, not by the largest one so far, to stay
    // small for the caches; but for a longer text no larger than the table
    // that the thread has (so that a run of long texts does not grow one at
    // every text) or first_slots_max, and to grow.
    const std::size_t bound = s.folded.size() * 3 + nwords * 2 + 8;
    std::size_t cap = 64;
    while (cap <= bound && cap < std::max(first_slots_max, s.slots.size())) cap <<= 1;
    const std::size_t room = cap > bound ? bound : cap / 2;
    if (s.dirty) std::fill(s.slots.begin(), s.slots.begin() + static_cast<std::ptrdiff_t>(s.dirty), Slot{0, 0, 0});
    if (s.slots.size() < cap) s.slots.resize(cap, Slot{0, 0, 0});
    if (s.order.size() < room + 1) s.order.resize(room + 1);
    if (s.gram_slots.size() < room + 1) s.gram_slots.resize(room + 1);
    s.words.clear();
    s.dirty = cap;  // until the slots are emptied again below
    Table tb{s.slots.data(), s.order.data(), s.gram_slots.data(), cap - 1, room, s.gram_slots.size()};

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
      // Room for the word's features: 2 and its n-grams, at most 3 a byte
      // (a long word's make room for themselves). Never short in a table
      // sized by the bound.
      const std::size_t len = end - begin;
      const bool long_word = len > long_word_bytes;
      const std::size_t most = 2 + (long_word ? 0 : 3 * len);
      if (tb.used + most > tb.room) [[unlikely]] tb.grow(s, most);
      std::size_t before = tb.used;
      std::uint32_t ws = tb.add(hw);
      bool first = tb.used != before;
      if (w > 0) tb.add(hg);
      bigram_head = (hb ^ std::uint64_t{' '}) * fnv_prime;
      std::string_view word(s.folded.data() + begin, len);
      std::uint32_t known = tb.t[ws].word;
      if (known) {
        ++s.words[known - 1].repeats;
      } else if (first && !long_word) {  // (a word whose hash an earlier other feature had takes the plain path)
        if (tb.grams + 3 * len >= tb.gram_room) [[unlikely]] tb.grow_grams(s, 3 * len);
        WordGrams info{static_cast<std::uint32_t>(tb.grams), 0, 0};
        tb.recording = 1;
        add_char_grams(word, tb, s);
        tb.recording = 0;
        info.grams_end = static_cast<std::uint32_t>(tb.grams);
        s.words.push_back(info);
        tb.t[ws].word = static_cast<std::uint32_t>(s.words.size());
      } else if (!long_word) {
        add_char_grams(word, tb, s);
      } else {
        add_long_word_grams(word, tb, s);
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
    // Scratch that only a huge text needed goes (see max_kept_bytes).
    std::size_t kept = s.folded.capacity() + s.padded.capacity() + s.slots.capacity() * sizeof(Slot) +
                       s.words.capacity() * sizeof(WordGrams) +
                       (s.word_end.capacity() + s.cps.capacity() + s.order.capacity() + s.gram_slots.capacity()) *
                           sizeof(std::uint32_t);
    if (kept > max_kept_bytes) s = Scratch{};
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
    bool ascii = pad(word, s);
    add_grams(tb, s, ascii, 0, starts(s, ascii));
  }

  // The same for a long word, making room as it goes.
  static void add_long_word_grams(std::string_view word, Table& tb, Scratch& s) {
    bool ascii = pad(word, s);
    std::size_t n = starts(s, ascii);
    for (std::size_t from = 0; from < n; from += chunk_starts) {
      std::size_t to = std::min(n, from + chunk_starts);
      if (tb.used + 3 * (to - from) > tb.room) tb.grow(s, 3 * (to - from));
      add_grams(tb, s, ascii, from, to);
    }
  }

  // "<" word ">" in s.padded and, unless it is ASCII, the offsets of its
  // code points (and its end) in s.cps. Returns whether it is ASCII.
  static bool pad(std::string_view word, Scratch& s) {
    s.padded.clear();
    s.padded.push_back('<');
    s.padded.append(word);
    s.padded += '>';
    if (utf8::is_ascii(word)) return true;  // code points are bytes
    s.cps.clear();
    for (std::size_t i = 0; i < s.padded.size(); ++i)
      if (utf8::is_boundary(s.padded, i)) s.cps.push_back(static_cast<std::uint32_t>(i));
    s.cps.push_back(static_cast<std::uint32_t>(s.padded.size()));
    return false;
  }

  // The n-grams' start positions in the padded word (it has 3 code points at least).
  static std::size_t starts(const Scratch& s, bool ascii) { return (ascii ? s.padded.size() : s.cps.size() - 1) - 2; }

  // Adds the n-grams of the padded word that start at code points [from, to).
  static void add_grams(Table& tb, const Scratch& s, bool ascii, std::size_t from, std::size_t to) {
    static const std::uint64_t c_prefix = fnv1a("c:");
    const auto* p = reinterpret_cast<const unsigned char*>(s.padded.data());
    if (ascii) {
      Table t = tb;  // (in registers)
      std::size_t n = s.padded.size();
      for (std::size_t i = from; i < to; ++i) {
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
    std::size_t n = s.cps.size() - 1;
    for (std::size_t i = from; i < to; ++i) {
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
