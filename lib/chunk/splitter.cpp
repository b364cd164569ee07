#include "chunk/splitter.hpp"

#include <cstring>

namespace hewn::chunk {

std::vector<Level> default_levels() {
  return {{Level::paragraph, {}}, {Level::line, {}},  {Level::sentence, {}},
          {Level::clause, {}},    {Level::word, {}},  {Level::grapheme, {}}};
}

std::vector<Level> literal_levels(const std::vector<std::string>& separators) {
  std::vector<Level> out;
  for (const auto& s : separators) {
    if (s.empty()) out.push_back({Level::grapheme, {}});
    else out.push_back({Level::literal, s});
  }
  return out;
}

Splitter::Splitter(std::vector<Level> levels, const Options& options, Measure& measure, Emitter& emitter,
                   std::uint64_t overlap)
    : levels_(std::move(levels)),
      options_(options),
      measure_(measure),
      emitter_(emitter),
      overlap_(overlap),
      graphemes_(options.lang) {
  cuts_.resize(levels_.size() + 1);
  good_.resize(levels_.size() + 1);
  for (const auto& l : levels_) {
    if (l.kind == Level::sentence && !sentences_)
      sentences_ = std::make_unique<text::Segmenter>(text::Boundary::sentence, options.lang);
    if (l.kind == Level::word && !words_)
      words_ = std::make_unique<text::Segmenter>(text::Boundary::word, options.lang);
  }
}

namespace {
inline bool hspace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Appends the cut after every occurrence of byte c in d[p, e) (cuts < e),
// eight bytes at a time.
void all_bytes(std::string_view d, std::size_t p, std::size_t e, char c, std::vector<std::size_t>& out) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  const std::uint64_t pattern = ones * static_cast<unsigned char>(c);
  for (; p + 8 <= e; p += 8) {
    std::uint64_t x;
    std::memcpy(&x, d.data() + p, 8);
    x ^= pattern;
    // exact zero-byte mask (no false positives from borrows)
    std::uint64_t hits = ~(((x & ~high) + ~high) | x) & high;
    while (hits) {
      std::size_t cut = p + (static_cast<std::size_t>(__builtin_ctzll(hits)) >> 3) + 1;
      if (cut < e) out.push_back(cut);
      hits &= hits - 1;
    }
  }
  for (; p < e; ++p)
    if (d[p] == c && p + 1 < e) out.push_back(p + 1);
}
}  // namespace

void Splitter::cuts(const Level& level, std::size_t b, std::size_t e, std::vector<std::size_t>& out) {
  out.clear();
  std::string_view d = doc_;
  switch (level.kind) {
    case Level::literal: {
      const std::string& sep = level.text;
      std::size_t p = b;
      while (p < e) {
        std::size_t q;
        if (sep.size() == 1) {
          all_bytes(d, p, e, sep[0], out);
          break;
        } else {
          q = d.substr(0, e).find(sep, p);
          if (q == std::string_view::npos) break;
        }
        std::size_t c = q + sep.size();
        if (c < e) out.push_back(c);
        p = c;
      }
      break;
    }
    case Level::paragraph:
    case Level::line: {
      std::size_t p = b;
      while (p < e) {
        const void* hit = std::memchr(d.data() + p, '\n', e - p);
        if (!hit) break;
        std::size_t q = static_cast<const char*>(hit) - d.data();
        std::size_t c = q + 1;
        if (level.kind == Level::paragraph) {
          // A paragraph break is a run of two or more line ends with only
          // spaces between them; cut after the run's last line end.
          std::size_t last = q, k = q + 1;
          int breaks = 1;
          while (k < e) {
            if (d[k] == '\n') {
              last = k;
              ++breaks;
            } else if (!hspace(d[k])) {
              break;
            }
            ++k;
          }
          c = last + 1;
          if (breaks < 2) {
            p = q + 1;
            continue;
          }
        }
        if (c < e) out.push_back(c);
        p = c;
      }
      break;
    }
    case Level::sentence:
    case Level::word: {
      text::Segmenter& seg = level.kind == Level::sentence ? *sentences_ : *words_;
      seg.set_text(d.substr(b, e - b));
      seg.first();
      for (std::size_t c = seg.next(); c != text::done; c = seg.next())
        if (b + c < e) out.push_back(b + c);
      break;
    }
    case Level::clause: {
      // After , ; : followed by whitespace (the whitespace goes with them),
      // and after the CJK/fullwidth clause marks 、，；：.
      std::size_t p = b;
      while (p < e) {
        unsigned char ch = d[p];
        std::size_t c = 0;
        if ((ch == ',' || ch == ';' || ch == ':') && p + 1 < e && (d[p + 1] == ' ' || d[p + 1] == '\t')) {
          c = p + 1;
          while (c < e && hspace(d[c])) ++c;
        } else if (ch == 0xE3 && p + 2 < e && d.compare(p, 3, "\xE3\x80\x81") == 0) {
          c = p + 3;  // 、
        } else if (ch == 0xEF && p + 2 < e &&
                   (d.compare(p, 3, "\xEF\xBC\x8C") == 0 || d.compare(p, 3, "\xEF\xBC\x9B") == 0 ||
                    d.compare(p, 3, "\xEF\xBC\x9A") == 0)) {
          c = p + 3;  // ， ； ：
        }
        if (c) {
          if (c < e) out.push_back(c);
          p = c;
        } else {
          ++p;
        }
      }
      break;
    }
    case Level::grapheme: break;
  }
}

void Splitter::split(std::size_t b, std::size_t e, std::size_t from) {
  if (b >= e) return;
  if (from == 0) {
    std::uint64_t s = measure_.size(b, e);
    if (s <= options_.size && (overlap_ > 0 || fits_alone(b, e))) {
      emitter_.add_sized(b, e, s);
      return;
    }
  }
  std::size_t lvl = from;
  for (;; ++lvl) {
    if (lvl >= levels_.size() || levels_[lvl].kind == Level::grapheme) {
      windows(b, e);
      return;
    }
    cuts(levels_[lvl], b, e, cuts_[lvl]);
    std::erase_if(cuts_[lvl], [this](std::size_t c) { return !graphemes_.is_cut(c); });
    if (!cuts_[lvl].empty()) break;
  }
  auto& good = good_[lvl];
  good.clear();
  std::size_t prev = b;
  std::size_t n = cuts_[lvl].size();
  for (std::size_t i = 0; i <= n; ++i) {
    std::size_t c = i < n ? cuts_[lvl][i] : e;
    std::uint64_t s = measure_.size(prev, c);
    if (s <= options_.size) {
      good.push_back({prev, c, s});
    } else {
      merge(good, lvl);
      good.clear();
      split(prev, c, lvl + 1);
    }
    prev = c;
  }
  merge(good, lvl);
  good.clear();
}

bool Splitter::fits_alone(std::size_t b, std::size_t e) {
  if (options_.trim) text::trim(doc_, b, e);
  return b == e || measure_.exact(b, e) <= options_.size;
}

std::size_t Splitter::fit_alone(std::size_t b, std::size_t c) {
  if (fits_alone(b, c)) return c;
  for (std::uint64_t n = measure_.size(b, c); n-- > 1;) {
    std::size_t k = measure_.fit(b, c, n);
    if (k > b && k < c && fits_alone(b, k)) return k;
  }
  return c;  // no unit start to cut at: the emitter flags it
}

void Splitter::merge(const std::vector<Piece>& pieces, std::size_t lvl) {
  const std::uint64_t max = options_.size;
  // Emits the group [lo, hi) with `total` units. Without overlap, a group
  // over the limit on its own (a token unit's exact count) gives back its
  // last pieces, which start the next group, and a single piece over the
  // limit on its own is split at the next level, instead of leaving a tail
  // of a unit or two as a chunk of its own. Returns the end of what was
  // emitted.
  auto emit = [&](std::size_t lo, std::size_t hi, std::uint64_t& total) {
    if (overlap_ == 0) {
      while (hi - lo > 1 && !fits_alone(pieces[lo].b, pieces[hi - 1].e)) total -= pieces[--hi].size;
      if (hi - lo == 1 && !fits_alone(pieces[lo].b, pieces[lo].e)) {
        split(pieces[lo].b, pieces[lo].e, lvl + 1);
        return hi;
      }
    }
    emitter_.add_sized(pieces[lo].b, pieces[hi - 1].e, total);
    return hi;
  };
  auto sum = [&](std::size_t lo, std::size_t hi) {
    std::uint64_t t = 0;
    for (std::size_t j = lo; j < hi; ++j) t += pieces[j].size;
    return t;
  };
  std::size_t lo = 0;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    std::uint64_t s = pieces[i].size;
    while (total + s > max && i > lo) {
      std::uint64_t kept = total;
      std::size_t hi = emit(lo, i, kept);
      if (hi < i) {  // the pieces given back start the next group
        lo = hi;
        total = sum(lo, i);
        continue;
      }
      while (lo < i && (total > overlap_ || (total + s > max && total > 0))) total -= pieces[lo++].size;
      if (total == 0) lo = i;  // an overlap of zero-size pieces (spaces, punctuation) is none
      break;
    }
    total += s;
  }
  while (lo < pieces.size()) {
    std::uint64_t kept = total;
    lo = emit(lo, pieces.size(), kept);
    total = sum(lo, pieces.size());
  }
}

void Splitter::windows(std::size_t b, std::size_t e) {
  const std::uint64_t max = options_.size;
  while (b < e) {
    std::size_t c = measure_.fit(b, e, max);
    // Without overlap, a window over the limit on its own ends at the last
    // unit start that fits, and the rest starts the next window (instead of
    // standing alone as a chunk of a few units).
    if (overlap_ == 0) c = fit_alone(b, c);
    emitter_.add(b, c);
    if (c >= e) break;
    std::size_t nb = c;
    if (overlap_ > 0) {
      nb = measure_.fit(b, e, max - overlap_);
      if (nb <= b || nb > c) nb = c;
    }
    b = nb;
  }
}

}  // namespace hewn::chunk
