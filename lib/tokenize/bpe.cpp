#include "tokenize/bpe.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <queue>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::tokenize {
namespace {

using detail::hash_bytes;
using detail::head;
using detail::load32;
using detail::load64;

inline std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  h ^= h >> 32;
  return h;
}

// Whether bytes 8 to n of a and b (n > 8) are equal: one 8-byte compare up
// to 16 bytes (the first 8, compared already, overlap the last 8).
inline bool tail_equal(const unsigned char* a, const unsigned char* b, std::size_t n) {
  if (n <= 16) return load64(a + n - 8) == load64(b + n - 8);
  return std::memcmp(a + 8, b + 8, n - 8) == 0;
}

// Unicode White_Space, as OpenAI's tiktoken (Rust regex \s) reads \s.
#define WSM "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
#define CONTRACTION "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])"

const BpeEncoding cl100k{
    "cl100k_base",
    CONTRACTION "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^" WSM "\\p{L}\\p{N}]+[\\r\\n]*|[" WSM "]*[\\r\\n]+|[" WSM
                "]+(?![^" WSM "])|[" WSM "]+",
    {{"<|endoftext|>", 100257},
     {"<|fim_prefix|>", 100258},
     {"<|fim_middle|>", 100259},
     {"<|fim_suffix|>", 100260},
     {"<|endofprompt|>", 100276}}};

const BpeEncoding o200k{
    "o200k_base",
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:" CONTRACTION
    ")?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:" CONTRACTION
    ")?|\\p{N}{1,3}| ?[^" WSM "\\p{L}\\p{N}]+[\\r\\n/]*|[" WSM "]*[\\r\\n]+|[" WSM "]+(?![^" WSM "])|[" WSM "]+",
    {{"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018}}};

// ASCII fast paths of the two patterns. Each returns the end of the match
// the pattern would make at i in s[0, e), or 0 when that depends on a
// non-ASCII character (the caller then asks PCRE2). They follow the
// alternatives in order, with the backtracking worked out per alternative.
enum class Pattern { other, cl100k, o200k };

inline bool a_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool a_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool a_letter(unsigned char c) { return a_upper(c) || a_lower(c); }
inline bool a_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool a_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool a_crlf(unsigned char c) { return c == '\r' || c == '\n'; }
inline bool a_other(unsigned char c) { return c < 0x80 && !a_space(c) && !a_letter(c) && !a_digit(c); }

// 'll and the like: the end, or 0.
inline std::size_t contraction(const unsigned char* s, std::size_t i, std::size_t e) {
  if (i + 1 >= e || s[i] != '\'') return 0;
  unsigned char a = s[i + 1] | 0x20;
  if (a == 's' || a == 't' || a == 'm' || a == 'd') return i + 2;
  if (i + 2 >= e) return 0;
  unsigned char b = s[i + 2] | 0x20;
  if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
  return 0;
}

// The alternatives after the letter ones, shared by both patterns:
// \p{N}{1,3} | ?[^\s\p{L}\p{N}]+[\r\n(/)]* | \s*[\r\n]+ | \s+(?!\S) | \s+
inline std::size_t rest(const unsigned char* s, std::size_t i, std::size_t e, bool slash) {
  unsigned char c = s[i];
  if (a_digit(c)) {
    std::size_t k = i;
    while (k < e && k < i + 3 && a_digit(s[k])) ++k;
    if (k < i + 3 && k < e && s[k] >= 0x80) return 0;
    return k;
  }
  std::size_t p = c == ' ' ? i + 1 : i;
  if (p < e) {
    if (s[p] >= 0x80) return 0;
    if (a_other(s[p])) {
      std::size_t q = p;
      while (q < e && a_other(s[q])) ++q;
      if (q < e && s[q] >= 0x80) return 0;
      while (q < e && (a_crlf(s[q]) || (slash && s[q] == '/'))) ++q;
      return q;
    }
  }
  if (!a_space(c)) return 0;
  std::size_t r = i;
  while (r < e && a_space(s[r])) ++r;
  if (r < e && s[r] >= 0x80) return 0;
  for (std::size_t q = r; q > i; --q)
    if (a_crlf(s[q - 1])) return q;  // \s*[\r\n]+
  if (r == e) return r;              // \s+(?!\S) at the end
  if (r - i >= 2) return r - 1;      // \s+(?!\S), leaving one space
  return r;                          // \s+
}

// [^\r\n\p{L}\p{N}]? before letters: where the letters start (i, or i + 1
// after such a character), e when no letters follow, `undecided` when a
// non-ASCII character decides. s[i] is ASCII.
constexpr std::size_t undecided = static_cast<std::size_t>(-1);
inline std::size_t letters_at(const unsigned char* s, std::size_t i, std::size_t e) {
  unsigned char c = s[i];
  if (a_letter(c)) return i;
  if (a_crlf(c) || a_digit(c) || i + 1 >= e) return e;
  if (s[i + 1] >= 0x80) return undecided;
  return a_letter(s[i + 1]) ? i + 1 : e;
}

// cl100k_base: 'contraction | [^\r\n\p{L}\p{N}]?\p{L}+ | rest
inline std::size_t fast_cl100k(const unsigned char* s, std::size_t i, std::size_t e) {
  if (s[i] >= 0x80) return 0;
  if (std::size_t k = contraction(s, i, e)) return k;
  std::size_t j = letters_at(s, i, e);
  if (j == undecided) return 0;
  if (j < e) {
    std::size_t k = j;
    while (k < e && a_letter(s[k])) ++k;
    if (k < e && s[k] >= 0x80) return 0;
    return k;
  }
  return rest(s, i, e, false);
}

// o200k_base: [^\r\n\p{L}\p{N}]?U*L+C? | [^\r\n\p{L}\p{N}]?U+L*C? | rest
inline std::size_t fast_o200k(const unsigned char* s, std::size_t i, std::size_t e) {
  if (s[i] >= 0x80) return 0;
  std::size_t j = letters_at(s, i, e);
  if (j == undecided) return 0;
  if (j < e) {
    std::size_t u = j;
    while (u < e && a_upper(s[u])) ++u;
    if (u < e && s[u] >= 0x80) return 0;
    std::size_t l = u;
    while (l < e && a_lower(s[l])) ++l;
    if (l < e && s[l] >= 0x80) return 0;
    // U*L+ when there are lowercase letters, else U+ (L* empty).
    std::size_t k = l;
    if (std::size_t c2 = contraction(s, k, e)) k = c2;
    return k;
  }
  return rest(s, i, e, true);
}

struct MatchData {
  pcre2_match_data* md = pcre2_match_data_create(4, nullptr);
  ~MatchData() { pcre2_match_data_free(md); }
};

// Merged pieces, remembered per thread: a piece that is not one token costs
// many table lookups, and such words recur within a corpus.
struct PieceCache {
  static constexpr std::size_t slots = 32768, max_bytes = 24, max_tokens = 6;
  struct Entry {
    std::uint64_t owner = 0;  // Bpe::serial_ of the tokenizer that filled it
    std::uint8_t len = 0, ntok = 0;
    unsigned char bytes[max_bytes];
    std::uint8_t ends[max_tokens];
    std::uint32_t ids[max_tokens];
  };
  std::vector<Entry> entries = std::vector<Entry>(slots);
  static std::size_t slot(const unsigned char* p, std::size_t n) {
    return hash_bytes(head(p, n), p, n) >> 49;  // 15 bits
  }
};

struct Scratch {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> parts;  // start, rank of the pair starting here
  struct Node {
    std::uint32_t start, prev, next, rank;
  };
  std::vector<Node> nodes;
};

class Bpe final : public Tokenizer {
 public:
  Bpe(RankTable ranks, const BpeEncoding& enc, bool allow_special)
      : ranks_(std::move(ranks)), enc_(enc), allow_special_(allow_special) {
    int err = 0;
    PCRE2_SIZE off = 0;
    re_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(enc_.pattern.data()), enc_.pattern.size(),
                        PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &off, nullptr);
    if (!re_) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof buf);
      throw Error("tokenizer pattern does not compile at " + std::to_string(off) + ": " +
                  reinterpret_cast<const char*>(buf));
    }
    jit_ = pcre2_jit_compile(re_, PCRE2_JIT_COMPLETE) == 0;
    kind_ = enc_.pattern == cl100k.pattern ? Pattern::cl100k
            : enc_.pattern == o200k.pattern ? Pattern::o200k
                                            : Pattern::other;
    std::uint32_t top = ranks_.max_rank();
    for (const auto& [text, id] : enc_.specials) top = std::max(top, id);
    vocab_ = std::size_t(top) + 1;
  }
  ~Bpe() override { pcre2_code_free(re_); }

  std::string_view name() const override { return enc_.name; }
  std::size_t vocab_size() const override { return vocab_; }

  void encode(std::string_view text, std::vector<Token>& out) const override {
    run(text, [&](std::uint32_t id, std::size_t b, std::size_t e) { out.push_back({id, b, e}); });
  }
  std::size_t count(std::string_view text) const override {
    std::size_t n = 0;
    run(text, [&](std::uint32_t, std::size_t, std::size_t) { ++n; });
    return n;
  }
  std::string decode(const std::vector<std::uint32_t>& ids) const override {
    std::string out;
    for (std::uint32_t id : ids) {
      std::string_view t = ranks_.text(id);
      if (t.empty()) {
        bool is_special = std::any_of(enc_.specials.begin(), enc_.specials.end(),
                                      [&](const auto& s) { return s.second == id; });
        if (is_special) continue;
        throw UsageError("unknown token id " + std::to_string(id));
      }
      out += t;
    }
    return out;
  }
  std::optional<std::uint32_t> special(std::string_view text) const override {
    for (const auto& [t, id] : enc_.specials)
      if (t == text) return id;
    return std::nullopt;
  }

 private:
  template <class Emit>
  void run(std::string_view text, Emit&& emit) const {
    if (!utf8::valid(text)) throw UsageError("text is not valid UTF-8");
    static thread_local MatchData md;
    static thread_local Scratch scratch;
    if (!allow_special_ || enc_.specials.empty()) {
      segment(text, 0, text.size(), md.md, scratch, emit);
      return;
    }
    std::size_t from = 0;
    while (from < text.size()) {
      // The leftmost special token; the longest one on ties.
      std::size_t at = std::string_view::npos, len = 0;
      std::uint32_t id = 0;
      for (const auto& [t, sid] : enc_.specials) {
        std::size_t p = text.find(t, from);
        if (p != std::string_view::npos && (p < at || (p == at && t.size() > len))) at = p, len = t.size(), id = sid;
      }
      std::size_t end = at == std::string_view::npos ? text.size() : at;
      segment(text, from, end, md.md, scratch, emit);
      if (at == std::string_view::npos) break;
      emit(id, at, at + len);
      from = at + len;
    }
  }

  // Pre-tokenizes text[b, e) and merges each piece.
  template <class Emit>
  void segment(std::string_view text, std::size_t b, std::size_t e, pcre2_match_data* md, Scratch& s,
               Emit& emit) const {
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    auto bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t pos = b;
    while (pos < e) {
      std::size_t fast = kind_ == Pattern::cl100k ? fast_cl100k(bytes, pos, e)
                         : kind_ == Pattern::o200k ? fast_o200k(bytes, pos, e)
                                                   : 0;
      if (fast > pos) {
        piece(text, pos, fast, s, emit);
        pos = fast;
        continue;
      }
      int rc = jit_ ? pcre2_jit_match(re_, subject, e, pos, PCRE2_NO_UTF_CHECK, md, nullptr)
                    : pcre2_match(re_, subject, e, pos, PCRE2_NO_UTF_CHECK, md, nullptr);
      std::size_t mb = e, me = e;
      if (rc >= 0) {
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        mb = ov[0];
        me = ov[1];
      }
      if (mb > pos) piece(text, pos, mb, s, emit);  // never happens with the built-in patterns
      if (me == mb) {
        if (mb >= e) break;
        // An empty match (a custom pattern): take one code point as a piece.
        std::size_t q = mb + 1;
        while (q < e && !utf8::is_boundary(text, q)) ++q;
        piece(text, mb, q, s, emit);
        pos = q;
        continue;
      }
      piece(text, mb, me, s, emit);
      pos = me;
    }
  }

  template <class Emit>
  void piece(std::string_view text, std::size_t b, std::size_t e, Scratch& s, Emit& emit) const {
    auto p = reinterpret_cast<const unsigned char*>(text.data()) + b;
    std::size_t n = e - b;
    if (n == 1) {
      emit(ranks_.byte(p[0]), b, e);
      return;
    }
    std::uint32_t whole = ranks_.find(p, n);
    if (whole != RankTable::none) {
      emit(whole, b, e);
      return;
    }
    if (n > PieceCache::max_bytes) {
      if (n <= 128)
        merge_small(p, n, b, s, emit);
      else
        merge_large(p, n, b, s, emit);
      return;
    }
    static thread_local PieceCache cache;
    PieceCache::Entry& c = cache.entries[PieceCache::slot(p, n)];
    if (c.owner == serial_ && c.len == n && std::memcmp(c.bytes, p, n) == 0) {
      std::size_t from = 0;
      for (std::size_t k = 0; k < c.ntok; ++k) {
        emit(c.ids[k], b + from, b + c.ends[k]);
        from = c.ends[k];
      }
      return;
    }
    std::size_t ntok = 0;
    bool fits = true;
    auto remember = [&](std::uint32_t id, std::size_t tb, std::size_t te) {
      if (ntok < PieceCache::max_tokens) {
        c.ids[ntok] = id;
        c.ends[ntok] = static_cast<std::uint8_t>(te - b);
      } else {
        fits = false;
      }
      ++ntok;
      emit(id, tb, te);
    };
    c.owner = 0;
    merge_small(p, n, b, s, remember);
    if (fits) {
      c.owner = serial_;
      c.len = static_cast<std::uint8_t>(n);
      c.ntok = static_cast<std::uint8_t>(ntok);
      std::memcpy(c.bytes, p, n);
    }
  }

  // tiktoken's algorithm: repeatedly merge the adjacent pair of lowest rank
  // (the leftmost on ties).
  template <class Emit>
  void merge_small(const unsigned char* p, std::size_t n, std::size_t base, Scratch& s, Emit& emit) const {
    auto& parts = s.parts;
    parts.clear();
    for (std::size_t i = 0; i + 1 < n; ++i) parts.push_back({std::uint32_t(i), ranks_.find(p + i, 2)});
    parts.push_back({std::uint32_t(n - 1), RankTable::none});
    parts.push_back({std::uint32_t(n), RankTable::none});
    auto rank_at = [&](std::size_t i) {
      if (i + 3 < parts.size()) return ranks_.find(p + parts[i].first, parts[i + 3].first - parts[i].first);
      return RankTable::none;
    };
    for (;;) {
      std::uint32_t best = RankTable::none;
      std::size_t at = 0;
      for (std::size_t i = 0; i + 1 < parts.size(); ++i)
        if (parts[i].second < best) best = parts[i].second, at = i;
      if (best == RankTable::none) break;
      parts[at].second = rank_at(at);
      if (at > 0) parts[at - 1].second = rank_at(at - 1);
      parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      std::uint32_t a = parts[i].first, z = parts[i + 1].first;
      emit(ranks_.find(p + a, z - a), base + a, base + z);
    }
  }

  // The same merges with a heap and a linked list: O(n log n) for long pieces.
  template <class Emit>
  void merge_large(const unsigned char* p, std::size_t n, std::size_t base, Scratch& s, Emit& emit) const {
    constexpr std::uint32_t nil = 0xFFFFFFFF;
    auto& nodes = s.nodes;
    nodes.assign(n + 1, {});
    for (std::size_t i = 0; i <= n; ++i)
      nodes[i] = {std::uint32_t(i), i ? std::uint32_t(i - 1) : nil, i < n ? std::uint32_t(i + 1) : nil, RankTable::none};
    // Rank of the pair starting at node i (i and its next, up to next's next).
    auto pair_rank = [&](std::uint32_t i) {
      std::uint32_t j = nodes[i].next;
      if (j == nil || j == n) return RankTable::none;
      std::uint32_t k = nodes[j].next;
      return ranks_.find(p + i, k - i);
    };
    using Item = std::pair<std::uint64_t, std::uint32_t>;  // (rank << 32 | start), start
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
    for (std::uint32_t i = 0; i + 1 < n; ++i) {
      nodes[i].rank = pair_rank(i);
      if (nodes[i].rank != RankTable::none) heap.push({(std::uint64_t(nodes[i].rank) << 32) | i, i});
    }
    while (!heap.empty()) {
      auto [key, i] = heap.top();
      heap.pop();
      std::uint32_t r = std::uint32_t(key >> 32);
      if (nodes[i].rank != r || nodes[i].start == nil) continue;  // stale
      std::uint32_t j = nodes[i].next;
      std::uint32_t k = nodes[j].next;
      nodes[j].start = nil;  // removed
      nodes[i].next = k;
      nodes[k].prev = i;
      nodes[i].rank = pair_rank(i);
      if (nodes[i].rank != RankTable::none) heap.push({(std::uint64_t(nodes[i].rank) << 32) | i, i});
      std::uint32_t h = nodes[i].prev;
      if (h != nil) {
        nodes[h].rank = pair_rank(h);
        if (nodes[h].rank != RankTable::none) heap.push({(std::uint64_t(nodes[h].rank) << 32) | h, h});
      }
    }
    for (std::uint32_t i = 0; i != n; i = nodes[i].next) {
      std::uint32_t z = nodes[i].next;
      emit(ranks_.find(p + i, z - i), base + i, base + z);
    }
  }

  RankTable ranks_;
  BpeEncoding enc_;
  bool allow_special_;
  pcre2_code* re_ = nullptr;
  bool jit_ = false;
  Pattern kind_ = Pattern::other;
  std::size_t vocab_ = 0;
  // Tells cache entries of this tokenizer from those of one that lived at the
  // same address before.
  const std::uint64_t serial_ = next_serial.fetch_add(1) + 1;
  static inline std::atomic<std::uint64_t> next_serial{0};
};

}  // namespace

bool RankTable::add(std::string_view bytes, std::uint32_t rank) {
  if (bytes.empty() || bytes.size() > 0xFFFF) return false;
  if (rank >= spans_.size()) spans_.resize(std::size_t(rank) + 1, {0, 0});
  if (spans_[rank].second != 0) return false;
  spans_[rank] = {std::uint32_t(blob_.size()), std::uint32_t(bytes.size())};
  blob_ += bytes;
  ++count_;
  return true;
}

std::uint32_t RankTable::finish() {
  std::uint32_t dup = none;
  std::size_t cap = 16;
  while (cap < count_ * 2) cap <<= 1;
  slots_.assign(cap, {0, none, 0, 0});
  mask_ = cap - 1;
  for (std::uint32_t r = 0; r < spans_.size(); ++r) {
    auto [off, len] = spans_[r];
    if (len == 0) continue;
    auto p = reinterpret_cast<const unsigned char*>(blob_.data()) + off;
    if (find(p, len) != none) {
      if (dup == none) dup = r;
      continue;
    }
    std::uint64_t h8 = head(p, len);
    std::uint64_t full = hash_bytes(h8, p, len);
    std::size_t h = full & mask_;
    while (slots_[h].rank != none) h = (h + 1) & mask_;
    slots_[h] = {h8, r, static_cast<std::uint16_t>(len), static_cast<std::uint16_t>(full >> 48)};
  }
  for (int c = 0; c < 256; ++c) {
    unsigned char b = static_cast<unsigned char>(c);
    bytes_[c] = find(&b, 1);
  }
  return dup;
}

std::uint32_t RankTable::find(const unsigned char* p, std::size_t n) const {
  return find(p, n, hash(p, n));
}

std::uint32_t RankTable::find(const unsigned char* p, std::size_t n, std::uint64_t full) const {
  std::uint64_t h8 = head(p, n);
  auto tag = static_cast<std::uint16_t>(full >> 48);
  std::size_t h = full & mask_;
  for (;;) {
    const Slot& s = slots_[h];
    if (s.rank == none) return none;
    if (s.head == h8 && s.len == n && s.tag == tag &&
        (n <= 8 || tail_equal(reinterpret_cast<const unsigned char*>(blob_.data()) + spans_[s.rank].first, p, n)))
      return s.rank;
    h = (h + 1) & mask_;
  }
}

std::string_view RankTable::text(std::uint32_t r) const {
  if (r >= spans_.size() || spans_[r].second == 0) return {};
  return std::string_view(blob_).substr(spans_[r].first, spans_[r].second);
}

const BpeEncoding* known_encoding(std::string_view name) {
  if (name == "cl100k_base") return &cl100k;
  if (name == "o200k_base") return &o200k;
  return nullptr;
}

std::string known_sha256(std::string_view name) {
  if (name == "cl100k_base") return "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7";
  if (name == "o200k_base") return "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d";
  return {};
}

std::shared_ptr<Tokenizer> make_bpe(RankTable ranks, const BpeEncoding& encoding, bool allow_special) {
  return std::make_shared<Bpe>(std::move(ranks), encoding, allow_special);
}

}  // namespace hewn::tokenize
