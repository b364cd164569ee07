#include "tokenize/normalize.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>

#include <cstring>

#include "core/utf8.hpp"

namespace hewn::tokenize {
namespace {


// Rust's char::is_whitespace (Unicode White_Space).
bool is_ws(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)); }

// Hugging Face's is_control: category C (Cc, Cf, Cs, Co, Cn) but tab, LF, CR.
bool is_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
      return true;
    default:
      return false;
  }
}

// BertPreTokenizer's punctuation: ASCII punctuation or category P*.
bool is_punct(char32_t c) {
  if (c < 0x80) return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
      return true;
    default:
      return false;
  }
}

bool is_chinese(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Rust's char::to_lowercase: the full mapping differs from the simple one
// only for U+0130.
void lower(char32_t c, std::u32string& out) {
  if (c == 0x130) {
    out += U'i';
    out += char32_t(0x307);
  } else {
    out += static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
  }
}

}  // namespace

Pipeline::Pipeline(NormalizerConfig n, PreTokenizerConfig p) : n_(n), p_(std::move(p)) {
  bmp_.resize(0x10000);
  std::string out;
  for (char32_t c = 0; c < 0x10000; ++c) {
    Info& i = bmp_[c];
    out.clear();
    if (c >= 0xD800 && c <= 0xDFFF) {
      i.cls = drop;
      i.len = 0;
      continue;
    }
    normalize_slow(c, out, i.cls);
    if (out.size() <= sizeof i.out) {
      i.len = static_cast<std::uint8_t>(out.size());
      std::memcpy(i.out, out.data(), out.size());
    } else {
      i.len = 255;
    }
  }
  for (char32_t c = 0; c < 0x80; ++c) {
    const Info& i = bmp_[c];
    Ascii& a = ascii_[c];
    a = {false, 0, 0};
    if (p_.kind == PreTokenizerKind::metaspace || i.len == 255 || (i.cls & cjk)) continue;
    if (i.cls & drop) {
      a = {true, drop, 0};
    } else if (i.len == 1 && static_cast<unsigned char>(i.out[0]) < 0x80) {
      // As the general path classifies a normalized ASCII character.
      char32_t d = static_cast<unsigned char>(i.out[0]);
      std::uint8_t oc = (d == ' ' || (d >= 9 && d <= 13)) ? space : is_punct(d) ? punct : 0;
      if (p_.kind == PreTokenizerKind::whitespace_split && oc == punct) oc = 0;
      if (p_.kind == PreTokenizerKind::none) oc = 0;
      a = {true, oc, i.out[0]};
    }
  }
  for (int b = 0; b < 256; ++b) word_byte_[b] = b < 0x80 && ascii_[b].fast && ascii_[b].cls == 0;
}

Pipeline::~Pipeline() = default;

// The class of a normalized character for the pre-tokenizer.
std::uint8_t Pipeline::out_class(char32_t c) const {
  switch (p_.kind) {
    case PreTokenizerKind::bert:
      return is_ws(c) ? space : is_punct(c) ? punct : 0;
    case PreTokenizerKind::whitespace_split:
      return is_ws(c) ? space : 0;
    default:
      return 0;
  }
}

// Normalizes one source code point; cls gets drop (nothing comes out), cjk
// (a word of its own), or 0.
void Pipeline::normalize_slow(char32_t c, std::string& out, std::uint8_t& cls) const {
  cls = 0;
  if (n_.clean_text) {
    if (c == 0 || c == 0xFFFD || is_control(c)) {
      cls = drop;
      return;
    }
    if (c == '\t' || c == '\n' || c == '\r' || is_ws(c)) c = ' ';
  }
  if (n_.chinese_chars && is_chinese(c)) cls = cjk;
  std::u32string cps(1, c);
  if (n_.strip_accents || n_.nfd) {
    UErrorCode err = U_ZERO_ERROR;
    const UNormalizer2* nfd = unorm2_getNFDInstance(&err);
    UChar buf[32];
    int32_t len = U_SUCCESS(err) ? unorm2_getDecomposition(nfd, static_cast<UChar32>(c), buf, 32, &err) : -1;
    if (len > 0 && U_SUCCESS(err)) {
      cps.clear();
      for (int32_t k = 0; k < len;) {
        UChar32 d;
        U16_NEXT(buf, k, len, d);
        if (n_.strip_accents && u_charType(d) == U_NON_SPACING_MARK) continue;
        cps += static_cast<char32_t>(d);
      }
    } else if (n_.strip_accents && u_charType(static_cast<UChar32>(c)) == U_NON_SPACING_MARK) {
      cps.clear();
    }
  }
  if (n_.lowercase) {
    std::u32string l;
    for (char32_t d : cps) lower(d, l);
    cps.swap(l);
  }
  for (char32_t d : cps) utf8::append(out, d);
  for (const auto& [pattern, content] : n_.replace) {
    for (std::size_t at = out.find(pattern); at != std::string::npos; at = out.find(pattern, at + content.size())) {
      out.replace(at, pattern.size(), content);
    }
  }
  if (out.empty() && cls == 0) cls = drop;
}

void Pipeline::words(std::string_view text, std::size_t base, Word& w,
                     const std::function<void(const Word&)>& f) const {
  if (!n_.precompiled) return words_plain(text, base, w, f);
  // The precompiled map first; then the rest on its output, whose byte
  // ranges map back through the map's.
  thread_local std::string norm;
  thread_local std::vector<std::uint32_t> nb, ne;
  thread_local Word inner;
  n_.precompiled->normalize(text, norm, nb, ne);
  nb.push_back(static_cast<std::uint32_t>(text.size()));
  words_plain(norm, 0, inner, [&](const Word& x) {
    w.text = x.text;
    w.begin.resize(x.begin.size());
    w.end.resize(x.end.size());
    for (std::size_t k = 0; k < x.text.size(); ++k) {
      auto b = static_cast<std::uint32_t>(base + nb[x.begin[k]]);
      w.begin[k] = b;
      w.end[k] = x.end[k] == x.begin[k] ? b : static_cast<std::uint32_t>(base + ne[x.end[k] - 1]);
    }
    f(w);
  });
  w.clear();
}

void Pipeline::words_plain(std::string_view text, std::size_t base, Word& w,
                           const std::function<void(const Word&)>& f) const {
  w.clear();
  auto flush = [&] {
    if (!w.text.empty()) f(w);
    w.clear();
  };
  const bool meta = p_.kind == PreTokenizerKind::metaspace;
  const std::string& rep = p_.replacement;
  // Appends normalized character bytes s with source range [sb, se).
  auto append = [&](std::string_view s, std::uint32_t sb, std::uint32_t se) {
    w.text += s;
    w.begin.insert(w.begin.end(), s.size(), sb);
    w.end.insert(w.end.end(), s.size(), se);
  };
  std::string slow;
  bool first_out = true;  // metaspace: nothing has come out yet
  using Strip = NormalizerConfig::Strip;
  const bool strips = n_.strip_left != Strip::no || n_.strip_right != Strip::no;
  const bool lazy = n_.collapse_spaces || strips;
  // White space not written yet (lazy): each character and its source range.
  struct Pending {
    char32_t c;
    std::uint32_t b, e;
  };
  std::vector<Pending> pending;
  // Writes the pending white space: runs of two spaces or more collapse to
  // one replacement covering the run; at the start (at_start: nothing came
  // out yet) and at the end (at_end), Strip drops it all when it comes
  // before the collapse, or only up to a collapsed run (no longer white
  // space once it is U+2581) when it comes after.
  auto release = [&](bool at_start, bool at_end) {
    struct Item {
      bool collapsed;
      char32_t c;
      std::uint32_t b, e;
    };
    thread_local std::vector<Item> items;
    items.clear();
    for (std::size_t k = 0; k < pending.size();) {
      std::size_t j = k + 1;
      if (n_.collapse_spaces && pending[k].c == ' ')
        while (j < pending.size() && pending[j].c == ' ') ++j;
      items.push_back({j - k > 1, pending[k].c, pending[k].b, pending[j - 1].e});
      k = j;
    }
    pending.clear();
    auto white = [&](const Item& it) { return !it.collapsed || n_.collapse_to == " "; };
    std::size_t lo = 0, hi = items.size();
    if (at_start && n_.strip_left == Strip::before) lo = hi;
    if (at_end && n_.strip_right == Strip::before) hi = lo;
    if (at_start && n_.strip_left == Strip::after)
      while (lo < hi && white(items[lo])) ++lo;
    if (at_end && n_.strip_right == Strip::after)
      while (hi > lo && white(items[hi - 1])) --hi;
    for (std::size_t k = lo; k < hi; ++k) {
      const Item& it = items[k];
      if (it.collapsed || it.c == ' ') {
        if (p_.split) flush();
        append(rep, it.b, it.e);
      } else {
        if (first_out && p_.prepend != PrependScheme::never) append(rep, it.b, it.b);
        std::string s;
        utf8::append(s, it.c);
        append(s, it.b, it.e);
      }
      first_out = false;
    }
  };
  std::size_t i = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  while (i < text.size()) {
    std::size_t sb = i;
    // The common cases without the general path's bookkeeping: a run of
    // ASCII word characters, then one ASCII space or punctuation mark.
    if (word_byte_[bytes[i]]) {
      std::size_t j = i + 1;
      while (j < text.size() && word_byte_[bytes[j]]) ++j;
      std::size_t at = w.text.size(), n = j - i;
      w.text.resize(at + n);
      w.begin.resize(at + n);
      w.end.resize(at + n);
      for (std::size_t k = 0; k < n; ++k) {
        w.text[at + k] = ascii_[bytes[i + k]].out;
        w.begin[at + k] = static_cast<std::uint32_t>(base + i + k);
        w.end[at + k] = static_cast<std::uint32_t>(base + i + k + 1);
      }
      i = j;
      continue;
    }
    if (unsigned char b = bytes[i]; b < 0x80 && ascii_[b].fast) {
      const Ascii& a = ascii_[b];
      ++i;
      if (a.cls == drop) continue;
      flush();  // a space or a punctuation mark ends the word
      if (a.cls == space) continue;
      auto b32 = static_cast<std::uint32_t>(base + sb);
      w.text += a.out;
      w.begin.push_back(b32);
      w.end.push_back(b32 + 1);
      flush();  // and a punctuation mark is a word of its own
      continue;
    }
    char32_t c = utf8::decode(text, i);
    auto b32 = static_cast<std::uint32_t>(base + sb), e32 = static_cast<std::uint32_t>(base + i);
    std::string_view out;
    std::uint8_t cls;
    if (c < 0x10000 && bmp_[c].len != 255) {
      const Info& info = bmp_[c];
      cls = info.cls;
      out = std::string_view(info.out, info.len);
    } else {
      slow.clear();
      normalize_slow(c, slow, cls);
      out = slow;
    }
    if (cls & drop) continue;
    if (meta) {
      // Spaces become the replacement, which starts a new word. With
      // collapse_spaces or strip they wait until a non-space follows.
      std::size_t k = 0;
      while (k < out.size()) {
        std::size_t q = k;
        char32_t d = utf8::decode(out, q);
        if (lazy && (d == ' ' || (strips && is_ws(d)))) {
          pending.push_back({d, b32, e32});
          k = q;
          continue;
        }
        if (!pending.empty()) release(first_out, false);
        if (first_out && p_.prepend != PrependScheme::never && d != ' ' && out.substr(k, q - k) != rep) {
          append(rep, b32, b32);  // the prepended replacement covers nothing
        }
        if (d == ' ' || out.substr(k, q - k) == rep) {
          if (p_.split) flush();
          append(rep, b32, e32);
        } else {
          append(out.substr(k, q - k), b32, e32);
        }
        first_out = false;
        k = q;
      }
      continue;
    }
    if (cls & cjk) {
      flush();
      append(out, b32, e32);
      flush();
      continue;
    }
    if (p_.kind == PreTokenizerKind::none) {
      append(out, b32, e32);
      continue;
    }
    // One source character may normalize to several; classify each.
    std::size_t k = 0;
    while (k < out.size()) {
      std::size_t q = k;
      unsigned char b0 = static_cast<unsigned char>(out[k]);
      char32_t d = utf8::decode(out, q);
      std::uint8_t oc;
      if (b0 < 0x80) {
        oc = (d == ' ' || (d >= 9 && d <= 13)) ? space : is_punct(d) ? punct : 0;
        if (p_.kind == PreTokenizerKind::whitespace_split && oc == punct) oc = 0;
      } else {
        oc = out_class(d);
      }
      if (oc == space) {
        flush();
      } else if (oc == punct) {
        flush();
        append(out.substr(k, q - k), b32, e32);
        flush();
      } else {
        append(out.substr(k, q - k), b32, e32);
      }
      k = q;
    }
  }
  if (!pending.empty()) release(first_out, true);
  flush();
}

}  // namespace hewn::tokenize
