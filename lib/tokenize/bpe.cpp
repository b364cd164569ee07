#include "tokenize/bpe.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstring>
#include <queue>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::tokenize {
namespace {

inline std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  h ^= h >> 32;
  return h;
}

inline std::uint64_t hash_bytes(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull * (n + 1);
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = mix(h ^ v) + 0x632BE59BD9B4E019ull;
    p += 8;
    n -= 8;
  }
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  return mix(h ^ v);
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

struct MatchData {
  pcre2_match_data* md = pcre2_match_data_create(4, nullptr);
  ~MatchData() { pcre2_match_data_free(md); }
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
    std::size_t pos = b;
    while (pos < e) {
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
    if (n <= 128)
      merge_small(p, n, b, s, emit);
    else
      merge_large(p, n, b, s, emit);
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
  std::size_t vocab_ = 0;
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
  slots_.assign(cap, {0, 0, none});
  mask_ = cap - 1;
  for (std::uint32_t r = 0; r < spans_.size(); ++r) {
    auto [off, len] = spans_[r];
    if (len == 0) continue;
    auto p = reinterpret_cast<const unsigned char*>(blob_.data()) + off;
    std::size_t h = hash_bytes(p, len) & mask_;
    bool seen = false;
    while (slots_[h].rank != none) {
      const Slot& s = slots_[h];
      if (s.len == len && std::memcmp(blob_.data() + s.off, p, len) == 0) seen = true;
      h = (h + 1) & mask_;
    }
    if (seen) {
      if (dup == none) dup = r;
      continue;
    }
    slots_[h] = {off, len, r};
  }
  for (int c = 0; c < 256; ++c) {
    unsigned char b = static_cast<unsigned char>(c);
    bytes_[c] = find(&b, 1);
  }
  return dup;
}

std::uint32_t RankTable::find(const unsigned char* p, std::size_t n) const {
  std::size_t h = hash_bytes(p, n) & mask_;
  for (;;) {
    const Slot& s = slots_[h];
    if (s.rank == none) return none;
    if (s.len == n && std::memcmp(blob_.data() + s.off, p, n) == 0) return s.rank;
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
