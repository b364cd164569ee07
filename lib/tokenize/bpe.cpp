#include "tokenize/bpe.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <queue>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "tokenize/pretokenize.hpp"

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

enum class Pattern { other, cl100k, o200k };

struct MatchData {
  pcre2_match_data* md = pcre2_match_data_create(4, nullptr);
  ~MatchData() { pcre2_match_data_free(md); }
};

// Merged pieces of 1 to 16 bytes, remembered per thread and tokenizer:
// most pieces of a text recur, and a hit costs one probe of a table that
// stays in the core's caches, where the rank table (megabytes) does not.
// Keys are the piece's bytes in two words (zero-padded) and its length.
// An entry is 32 bytes, two to a cache line (a set of two ways, the one
// used last first): 128K entries in 4 MiB hold the pieces of most corpora
// (SciFact has 48K distinct pieces of 2 to 16 bytes; with 64K entries 2 %
// of lookups missed, with 128K 0.7 %).
struct PieceCache {
  static constexpr std::size_t bits = 16, max_bytes = 16, max_tokens = 5;
  // Ids are kept in id_bits (all of cl100k_base's and o200k_base's); a
  // piece with a larger id is not kept.
  static constexpr unsigned id_bits = 18;
  static constexpr std::uint64_t id_mask = (1u << id_bits) - 1;
  struct Entry {
    std::uint64_t k0 = 0, k1 = 0;
    // a: the length (5 bits; 0: empty, never matched), the number of tokens
    // (3 bits), the ends of tokens 0..3 within the piece (4 bits each; the
    // last token's is the length), ids 0 and 1; b: ids 2..4.
    std::uint64_t a = 0, b = 0;
    std::size_t len() const { return a & 31; }
    std::size_t ntok() const { return (a >> 5) & 7; }
    std::uint32_t id(std::size_t k) const {
      return static_cast<std::uint32_t>((k < 2 ? a >> (24 + id_bits * k) : b >> (id_bits * (k - 2))) & id_mask);
    }
    std::size_t end(std::size_t k) const { return k + 1 == ntok() ? len() : (a >> (8 + 4 * k)) & 15; }
    // Sets token k (id <= id_mask; end <= 15 unless it is the last).
    void set(std::size_t k, std::uint32_t id, std::size_t end) {
      if (k < 4) a |= std::uint64_t(end & 15) << (8 + 4 * k);
      if (k < 2) a |= std::uint64_t(id) << (24 + id_bits * k);
      else b |= std::uint64_t(id) << (id_bits * (k - 2));
    }
  };
  static_assert(sizeof(Entry) == 32);
  struct alignas(64) Set {
    Entry way[2];
  };
  std::vector<Set> sets = std::vector<Set>(std::size_t(1) << bits);
  static std::size_t slot(std::uint64_t k0, std::uint64_t k1, std::size_t n) {
    std::uint64_t h = (k0 * 0x9E3779B97F4A7C15ull) ^ ((k1 + n) * 0xC2B2AE3D27D4EB4Full);
    return (h ^ (h >> 29)) >> (64 - bits);
  }
  // The cache of the tokenizer with this serial on this thread: the last
  // few tokenizers a thread used keep theirs; an older one's is reused.
  static PieceCache& of(std::uint32_t serial) {
    struct Kept {
      std::uint32_t serial[4] = {};
      std::uint64_t used[4] = {};  // when each was last asked for
      std::unique_ptr<PieceCache> cache[4];
      unsigned last = 0;
      std::uint64_t tick = 0;
    };
    static thread_local Kept kept;
    if (kept.serial[kept.last] == serial) [[likely]]
      return *kept.cache[kept.last];
    unsigned k = 0;
    while (k < 4 && kept.serial[k] != serial) ++k;
    if (k == 4) {  // the least recently used one
      k = 0;
      for (unsigned j = 1; j < 4; ++j)
        if (kept.used[j] < kept.used[k]) k = j;
      if (kept.cache[k]) std::fill(kept.cache[k]->sets.begin(), kept.cache[k]->sets.end(), Set{});
      else kept.cache[k] = std::make_unique<PieceCache>();
      kept.serial[k] = serial;
    }
    kept.used[k] = ++kept.tick;
    kept.last = k;
    return *kept.cache[k];
  }
};

// Bytes [0, n) of p (n <= 16) as two little-endian words, zero-padded;
// room: whether 16 bytes from p may be read.
inline void key16(const unsigned char* p, std::size_t n, bool room, std::uint64_t& k0, std::uint64_t& k1) {
  if (!room) {
    unsigned char buf[16] = {};
    std::memcpy(buf, p, n);
    k0 = load64(buf);
    k1 = load64(buf + 8);
    return;
  }
  // Masks of the bytes in use, without branches (n is 1 to 16).
  std::uint64_t m0 = ~std::uint64_t(0) >> ((64 - 8 * std::min<std::size_t>(n, 8)) & 63);
  std::uint64_t m1 = (~std::uint64_t(0) >> ((128 - 8 * n) & 63)) & (std::uint64_t(0) - (n > 8));
  k0 = load64(p) & m0;
  k1 = load64(p + 8) & m1;
}

struct Scratch {
  struct Part {
    std::uint32_t start, rank, id;  // rank of the pair starting here; id of the part
  };
  std::vector<Part> parts;
  struct Node {
    std::uint32_t start, prev, next, rank;
  };
  std::vector<Node> nodes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> tokens;  // merge_piece(): id, end in the piece
};

// What encode_document() keeps on a thread for count() of spans of the
// document: a copy of it, and per piece its start, the tokens before it, and
// how far the pre-tokenizer looked to find it and its predecessors.
struct Context {
  std::uint32_t owner = 0;     // Bpe::serial_; 0: nothing kept
  const char* where = nullptr;  // the caller's copy of doc
  std::string doc;
  std::vector<std::uint32_t> starts;  // piece starts, then doc.size()
  std::vector<std::uint32_t> before;  // tokens before piece k (then all tokens)
  // reach[k]: a bound (at most doc.size()) on the bytes the pre-tokenizer
  // read to find pieces 0..k: for text cut at e >= reach[k], pieces from a
  // common start up to k are the document's.
  std::vector<std::uint32_t> reach;
};

class Bpe final : public Tokenizer {
 public:
  Bpe(RankTable ranks, const BpeEncoding& enc, bool allow_special, bool reference)
      : ranks_(std::move(ranks)), enc_(enc), allow_special_(allow_special), reference_(reference) {
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
    kind_ = reference                       ? Pattern::other
            : enc_.pattern == cl100k.pattern ? Pattern::cl100k
            : enc_.pattern == o200k.pattern  ? Pattern::o200k
                                             : Pattern::other;
    std::uint32_t top = ranks_.max_rank();
    for (const auto& [text, id] : enc_.specials) top = std::max(top, id);
    vocab_ = std::size_t(top) + 1;
  }
  ~Bpe() override { pcre2_code_free(re_); }

  std::string_view name() const override { return enc_.name; }
  std::size_t vocab_size() const override { return vocab_; }

  void encode(std::string_view text, std::vector<Token>& out) const override { encode_into(text, out, nullptr); }
  void encode_document(std::string_view doc, std::vector<Token>& out) const override {
    Context& ctx = context();
    ctx.owner = 0;
    if (kind_ == Pattern::other || doc.size() >= 0xFFFFFFF0u) return encode(doc, out);
    ctx.doc.assign(doc);
    ctx.starts.clear();
    ctx.before.clear();
    ctx.reach.clear();
    std::size_t first = out.size();
    bool plain = encode_into(doc, out, &ctx);
    ctx.starts.push_back(static_cast<std::uint32_t>(doc.size()));
    ctx.before.push_back(static_cast<std::uint32_t>(out.size() - first));
    if (plain) {  // no special tokens (they would cut pieces)
      ctx.where = doc.data();
      ctx.owner = serial_;
    }
  }
  std::size_t count(std::string_view text) const override {
    if (std::size_t n; count_in_document(text, n)) return n;
    Counter counter;
    run(text, counter, nullptr);
    return counter.n;
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
  // Where tokens go: put(id, begin, end) per token, in order. The hot loop
  // works on a copy (kept in registers) and hands it back at the end.
  //
  // Writer: into the caller's vector, grown by hand (push_back does not
  // inline here, and cost a tenth of the time).
  struct Writer {
    std::vector<Token>* out;
    Token *w, *end;
    [[gnu::always_inline]] void put(std::uint32_t id, std::size_t b, std::size_t e) {
      if (w == end) [[unlikely]]
        grow();
      *w++ = {id, b, e};
    }
    // The tokens of a cache entry for the piece [b, e): the first two are
    // written whether there or not (the end of the output is cut back when
    // done), so that one and two tokens take the same path.
    [[gnu::always_inline]] void put_cached(const PieceCache::Entry& c, std::size_t b, std::size_t) {
      if (end - w < static_cast<std::ptrdiff_t>(PieceCache::max_tokens)) [[unlikely]]
        grow();
      std::size_t ntok = c.ntok(), e0 = b + c.end(0);  // e when ntok is 1
      w[0] = {c.id(0), b, e0};
      w[1] = {c.id(1), e0, b + c.end(1)};
      if (ntok > 2) [[unlikely]]
        for (std::size_t k = 2; k < ntok; ++k) w[k] = {c.id(k), b + c.end(k - 1), b + c.end(k)};
      w += ntok;
    }
    [[gnu::noinline]] void grow() {
      std::size_t used = static_cast<std::size_t>(w - out->data());
      out->resize(std::max<std::size_t>(used * 2, used + PieceCache::max_tokens));
      w = out->data() + used;
      end = out->data() + out->size();
    }
  };
  struct Counter {
    std::size_t n = 0;
    [[gnu::always_inline]] void put(std::uint32_t, std::size_t, std::size_t) { ++n; }
    [[gnu::always_inline]] void put_cached(const PieceCache::Entry& c, std::size_t, std::size_t) { n += c.ntok(); }
  };
  // A sink that also counts the tokens it passes on.
  template <class Sink>
  struct Tally {
    Sink sink;
    std::size_t tokens = 0;
    [[gnu::always_inline]] void put(std::uint32_t id, std::size_t b, std::size_t e) {
      ++tokens;
      sink.put(id, b, e);
    }
    [[gnu::always_inline]] void put_cached(const PieceCache::Entry& c, std::size_t b, std::size_t e) {
      tokens += c.ntok();
      sink.put_cached(c, b, e);
    }
  };

  // encode(); with ctx, records the pieces there. Tokens go straight into
  // out's storage. Returns false when special tokens were found.
  bool encode_into(std::string_view text, std::vector<Token>& out, Context* ctx) const {
    std::size_t n = out.size();
    out.resize(n + text.size() / 4 + 16);
    Writer sink{&out, out.data() + n, out.data() + out.size()};
    bool plain = run(text, sink, ctx);
    out.resize(static_cast<std::size_t>(sink.w - out.data()));
    return plain;
  }

  // The end of the piece at pos in text[0, e).
  template <Pattern kind>
  static std::size_t next_piece(const unsigned char* s, std::size_t pos, std::size_t e) {
    if constexpr (kind == Pattern::cl100k) return pretokenize::next_cl100k(s, pos, e);
    else return pretokenize::next_o200k(s, pos, e);
  }
  std::size_t next_piece(const unsigned char* s, std::size_t pos, std::size_t e) const {
    return kind_ == Pattern::cl100k ? next_piece<Pattern::cl100k>(s, pos, e) : next_piece<Pattern::o200k>(s, pos, e);
  }

  // Tokenizes text; with ctx, records its pieces there. Returns false when
  // special tokens were found.
  template <class Sink>
  bool run(std::string_view text, Sink& sink, Context* ctx) const {
    if (!utf8::valid(text)) throw UsageError("text is not valid UTF-8");
    static thread_local MatchData md;
    static thread_local Scratch scratch;
    if (!allow_special_ || enc_.specials.empty()) {
      segment(text, 0, text.size(), md.md, scratch, sink, ctx);
      return true;
    }
    std::size_t from = 0;
    bool plain = true;
    while (from < text.size()) {
      // The leftmost special token; the longest one on ties.
      std::size_t at = std::string_view::npos, len = 0;
      std::uint32_t id = 0;
      for (const auto& [t, sid] : enc_.specials) {
        std::size_t p = text.find(t, from);
        if (p != std::string_view::npos && (p < at || (p == at && t.size() > len))) at = p, len = t.size(), id = sid;
      }
      std::size_t end = at == std::string_view::npos ? text.size() : at;
      segment(text, from, end, md.md, scratch, sink, ctx);
      if (at == std::string_view::npos) break;
      plain = false;
      sink.put(id, at, at + len);
      from = at + len;
    }
    return plain;
  }

  // Pre-tokenizes text[b, e) and merges each piece.
  template <class Sink>
  void segment(std::string_view text, std::size_t b, std::size_t e, pcre2_match_data* md, Scratch& s, Sink& sink,
               Context* ctx) const {
    auto bytes = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t pos = b;
    if (kind_ == Pattern::cl100k)
      return ctx ? pieces<Pattern::cl100k, true>(bytes, text.size(), pos, e, s, sink, ctx)
                 : pieces<Pattern::cl100k, false>(bytes, text.size(), pos, e, s, sink, ctx);
    if (kind_ == Pattern::o200k)
      return ctx ? pieces<Pattern::o200k, true>(bytes, text.size(), pos, e, s, sink, ctx)
                 : pieces<Pattern::o200k, false>(bytes, text.size(), pos, e, s, sink, ctx);
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    while (pos < e) {
      int rc = jit_ ? pcre2_jit_match(re_, subject, e, pos, PCRE2_NO_UTF_CHECK, md, nullptr)
                    : pcre2_match(re_, subject, e, pos, PCRE2_NO_UTF_CHECK, md, nullptr);
      std::size_t mb = e, me = e;
      if (rc >= 0) {
        PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
        mb = ov[0];
        me = ov[1];
      }
      if (mb > pos) piece(bytes, text.size(), pos, mb, s, sink);  // never happens with the built-in patterns
      if (me == mb) {
        if (mb >= e) break;
        // An empty match (a custom pattern): take one code point as a piece.
        std::size_t q = mb + 1;
        while (q < e && !utf8::is_boundary(text, q)) ++q;
        piece(bytes, text.size(), mb, q, s, sink);
        pos = q;
        continue;
      }
      piece(bytes, text.size(), mb, me, s, sink);
      pos = me;
    }
  }

  // count() of text when it is a span of the document encode_document()
  // kept on this thread (the same bytes, found by address): false when not.
  bool count_in_document(std::string_view text, std::size_t& n) const {
    const Context& ctx = context();
    if (ctx.owner != serial_ || text.empty()) return false;
    auto at = reinterpret_cast<std::uintptr_t>(text.data()), from = reinterpret_cast<std::uintptr_t>(ctx.where);
    if (at < from || at - from > ctx.doc.size() || text.size() > ctx.doc.size() - (at - from)) return false;
    std::size_t b = at - from, e = b + text.size();
    if (std::memcmp(ctx.doc.data() + b, text.data(), text.size()) != 0) return false;
    if (!utf8::is_boundary(ctx.doc, b) || !utf8::is_boundary(ctx.doc, e)) return false;  // invalid: let run() say so
    n = count_span(ctx, b, e);
    return true;
  }

  static Context& context() {
    static thread_local Context ctx;
    return ctx;
  }

  // Tokens of doc[b, e) tokenized on its own: its pieces are pre-tokenized
  // afresh until one starts where a document piece starts; from there they
  // are the document's (counted from ctx.before) as long as the document's
  // pre-tokenizer read nothing at or past e; the rest afresh again.
  std::size_t count_span(const Context& ctx, std::size_t b, std::size_t e) const {
    auto bytes = reinterpret_cast<const unsigned char*>(ctx.doc.data());
    static thread_local Scratch scratch;
    const auto& st = ctx.starts;
    std::size_t pieces = ctx.reach.size();
    std::size_t k = static_cast<std::size_t>(std::lower_bound(st.begin(), st.end(), b) - st.begin());
    std::size_t pos = b;
    Counter counter;
    while (pos < e) {
      if (k < pieces && st[k] == pos) {
        auto safe = std::upper_bound(ctx.reach.begin() + static_cast<std::ptrdiff_t>(k), ctx.reach.end(),
                                     static_cast<std::uint32_t>(e));
        std::size_t j = static_cast<std::size_t>(safe - ctx.reach.begin());
        counter.n += ctx.before[j] - ctx.before[k];
        pos = st[j];
        k = j;
        if (pos >= e) break;
      }
      std::size_t end = next_piece(bytes, pos, e);
      piece(bytes, ctx.doc.size(), pos, end, scratch, counter);
      pos = end;
      while (k < pieces && st[k] < pos) ++k;
    }
    return counter.n;
  }

  // Tokens of the piece text[b, e) of a text of size bytes (outside the hot
  // loop: the PCRE2 path and count_span()).
  template <class Sink>
  void piece(const unsigned char* text, std::size_t size, std::size_t b, std::size_t e, Scratch& s,
             Sink& sink) const {
    const unsigned char* p = text + b;
    std::size_t n = e - b;
    if (n == 1) return sink.put(ranks_.byte(p[0]), b, e);
    if (n > PieceCache::max_bytes || reference_) {
      merge_piece(p, n, s);
      return put_merged(s, b, sink);
    }
    std::uint64_t k0, k1;
    key16(p, n, b + 16 <= size, k0, k1);
    PieceCache::Set& set = PieceCache::of(serial_).sets[PieceCache::slot(k0, k1, n)];
    if (const PieceCache::Entry* c = lookup(set, k0, k1, n)) return sink.put_cached(*c, b, e);
    fill(set, p, n, k0, k1, s);
    put_merged(s, b, sink);
  }

  // The cache entry of the piece with keys k0, k1 and length n in set, the
  // one used last first; nullptr when it is not there.
  [[gnu::always_inline]] static const PieceCache::Entry* lookup(PieceCache::Set& set, std::uint64_t k0,
                                                                std::uint64_t k1, std::size_t n) {
    auto same = [&](const PieceCache::Entry& c) { return c.k0 == k0 && c.k1 == k1 && c.len() == n; };
    if (same(set.way[0])) [[likely]]
      return &set.way[0];
    if (!same(set.way[1])) return nullptr;
    std::swap(set.way[0], set.way[1]);
    return &set.way[0];
  }

  // The tokens merge_piece() left in s, for the piece at b.
  template <class Sink>
  [[gnu::always_inline]] static void put_merged(const Scratch& s, std::size_t b, Sink& sink) {
    std::size_t from = b;
    for (auto [id, end] : s.tokens) {
      sink.put(id, from, b + end);
      from = b + end;
    }
  }

  // The tokens of the piece p[0, n) into s.tokens (id, end in the piece).
  [[gnu::noinline]] void merge_piece(const unsigned char* p, std::size_t n, Scratch& s) const {
    s.tokens.clear();
    auto add = [&](std::uint32_t id, std::size_t, std::size_t te) {
      s.tokens.push_back({id, static_cast<std::uint32_t>(te)});
    };
    std::uint32_t whole = ranks_.find(p, n);
    if (whole != RankTable::none) return add(whole, 0, n);
    if (reference_) return merge_plain(p, n, 0, s, add);
    if (n <= 128) return merge_small(p, n, 0, s, add);
    merge_large(p, n, 0, s, add);
  }

  // A cache miss: merge_piece(), and the result kept in the set (first) when
  // it fits an entry.
  [[gnu::noinline]] void fill(PieceCache::Set& set, const unsigned char* p, std::size_t n, std::uint64_t k0,
                              std::uint64_t k1, Scratch& s) const {
    merge_piece(p, n, s);
    std::size_t ntok = s.tokens.size();
    if (ntok > PieceCache::max_tokens) return;
    PieceCache::Entry fresh;
    for (std::size_t k = 0; k < ntok; ++k) {
      if (s.tokens[k].first > PieceCache::id_mask) return;
      fresh.set(k, s.tokens[k].first, s.tokens[k].second);
    }
    fresh.k0 = k0;
    fresh.k1 = k1;
    fresh.a |= n | ntok << 5;
    set.way[1] = set.way[0];
    set.way[0] = fresh;
  }

  // The pieces of text[b, e) in batches: the cache lines of a batch's pieces
  // are fetched together, so that their latencies overlap. With record,
  // the pieces are recorded in ctx.
  template <Pattern kind, bool record, class Sink>
  void pieces(const unsigned char* bytes, std::size_t size, std::size_t pos, std::size_t e, Scratch& s,
              Sink& out, Context* ctx) const {
    Tally<Sink> sink{out};
    std::size_t reach = 0;
    constexpr int batch = 16;
    std::size_t at[batch + 1], slot[batch];
    std::uint64_t k0[batch], k1[batch];
    PieceCache& cache = PieceCache::of(serial_);
    while (pos < e) {
      int m = 0;
      while (m < batch && pos < e) {
        at[m] = pos;
        pos = next_piece<kind>(bytes, pos, e);
        std::size_t n = pos - at[m];
        if (n <= PieceCache::max_bytes) [[likely]] {
          key16(bytes + at[m], n, at[m] + 16 <= size, k0[m], k1[m]);
          slot[m] = PieceCache::slot(k0[m], k1[m], n);
          __builtin_prefetch(&cache.sets[slot[m]]);
        }
        ++m;
      }
      at[m] = pos;
      for (int k = 0; k < m; ++k) {
        std::size_t b = at[k], en = at[k + 1], n = en - b;
        if constexpr (record) {
          // The pre-tokenizer reads at most 3 characters past a piece, or
          // past the white space that starts it; 16 bytes cover that.
          std::size_t read = en;
          if (pretokenize::char_at(bytes, b).cls == pretokenize::space)
            read = std::max(read, pretokenize::detail::run(bytes, b, e, 1u << pretokenize::space));
          reach = std::max(reach, std::min(read + 16, size));
          ctx->starts.push_back(static_cast<std::uint32_t>(b));
          ctx->before.push_back(static_cast<std::uint32_t>(sink.tokens));
          ctx->reach.push_back(static_cast<std::uint32_t>(reach));
        }
        if (n <= PieceCache::max_bytes) [[likely]] {
          PieceCache::Set& set = cache.sets[slot[k]];
          if (const PieceCache::Entry* c = lookup(set, k0[k], k1[k], n)) {
            sink.put_cached(*c, b, en);
          } else {
            fill(set, bytes + b, n, k0[k], k1[k], s);
            put_merged(s, b, sink);
          }
        } else {
          merge_piece(bytes + b, n, s);
          put_merged(s, b, sink);
        }
      }
    }
    out = sink.sink;
  }

  // tiktoken's algorithm: repeatedly merge the adjacent pair of lowest rank
  // (the leftmost on ties), keeping each part's id.
  template <class Emit>
  void merge_small(const unsigned char* p, std::size_t n, std::size_t base, Scratch& s, Emit& emit) const {
    auto& parts = s.parts;
    parts.resize(n + 1);
    for (std::size_t i = 0; i + 1 < n; ++i) parts[i] = {std::uint32_t(i), ranks_.pair(p[i], p[i + 1]), ranks_.byte(p[i])};
    parts[n - 1] = {std::uint32_t(n - 1), RankTable::none, ranks_.byte(p[n - 1])};
    parts[n] = {std::uint32_t(n), RankTable::none, 0};
    std::size_t m = n + 1;  // parts in use, the end marker included
    auto rank_at = [&](std::size_t i) {
      if (i + 3 < m) return ranks_.find(p + parts[i].start, parts[i + 3].start - parts[i].start);
      return RankTable::none;
    };
    for (;;) {
      std::uint32_t best = RankTable::none;
      std::size_t at = 0;
      for (std::size_t i = 0; i + 1 < m; ++i)
        if (parts[i].rank < best) best = parts[i].rank, at = i;
      if (best == RankTable::none) break;
      parts[at].id = best;
      parts[at].rank = rank_at(at);
      if (at > 0) parts[at - 1].rank = rank_at(at - 1);
      std::copy(parts.begin() + static_cast<std::ptrdiff_t>(at) + 2, parts.begin() + static_cast<std::ptrdiff_t>(m),
                parts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
      --m;
    }
    for (std::size_t i = 0; i + 1 < m; ++i) emit(parts[i].id, base + parts[i].start, base + parts[i + 1].start);
  }

  // The same merges, plainly: the reference.
  template <class Emit>
  void merge_plain(const unsigned char* p, std::size_t n, std::size_t base, Scratch&, Emit& emit) const {
    std::vector<std::size_t> cuts(n + 1);
    for (std::size_t i = 0; i <= n; ++i) cuts[i] = i;
    for (;;) {
      std::uint32_t best = RankTable::none;
      std::size_t at = 0;
      for (std::size_t i = 0; i + 2 < cuts.size(); ++i) {
        std::uint32_t r = ranks_.find(p + cuts[i], cuts[i + 2] - cuts[i]);
        if (r < best) best = r, at = i;
      }
      if (best == RankTable::none) break;
      cuts.erase(cuts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
      emit(ranks_.find(p + cuts[i], cuts[i + 1] - cuts[i]), base + cuts[i], base + cuts[i + 1]);
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
  bool allow_special_, reference_;
  pcre2_code* re_ = nullptr;
  bool jit_ = false;
  Pattern kind_ = Pattern::other;
  std::size_t vocab_ = 0;
  // Tells cache entries of this tokenizer from those of one that lived at the
  // same address before.
  const std::uint32_t serial_ = next_serial.fetch_add(1) + 1;
  static inline std::atomic<std::uint32_t> next_serial{0};
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
  filter_.assign((std::size_t(1) << filter_bits) / 64, 0);
  for (const Slot& slot : slots_)
    if (slot.rank != none) {
      auto [off, len] = spans_[slot.rank];
      std::uint64_t f = hash(reinterpret_cast<const unsigned char*>(blob_.data()) + off, len) >> (64 - filter_bits);
      filter_[f >> 6] |= std::uint64_t(1) << (f & 63);
    }
  for (int c = 0; c < 256; ++c) {
    unsigned char b = static_cast<unsigned char>(c);
    bytes_[c] = find(&b, 1);
  }
  pairs_.resize(65536);
  for (int c = 0; c < 65536; ++c) {
    unsigned char ab[2] = {static_cast<unsigned char>(c >> 8), static_cast<unsigned char>(c)};
    pairs_[c] = find(ab, 2);
  }
  return dup;
}

std::uint32_t RankTable::find(const unsigned char* p, std::size_t n) const {
  return find(p, n, hash(p, n));
}

std::uint32_t RankTable::find(const unsigned char* p, std::size_t n, std::uint64_t full) const {
  if (!filter_.empty()) {
    std::uint64_t f = full >> (64 - filter_bits);
    if (!(filter_[f >> 6] >> (f & 63) & 1)) return none;
  }
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

std::shared_ptr<Tokenizer> make_bpe(RankTable ranks, const BpeEncoding& encoding, bool allow_special, bool reference) {
  return std::make_shared<Bpe>(std::move(ranks), encoding, allow_special, reference);
}

}  // namespace hewn::tokenize
