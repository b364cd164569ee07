#include "text/segment.hpp"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/ures.h>
#include <unicode/utext.h>

#include <cstdio>
#include <cctype>
#include <cstring>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::text {

std::string check_locale(std::string_view lang) {
  std::string name(lang);
  if (name.empty() || name == "root" || name == "und") return "root";
  UErrorCode status = U_ZERO_ERROR;
  char canon[ULOC_FULLNAME_CAPACITY];
  int32_t parsed = 0;
  uloc_forLanguageTag(name.c_str(), canon, sizeof canon, &parsed, &status);
  if (U_FAILURE(status) || parsed != static_cast<int32_t>(name.size())) {
    status = U_ZERO_ERROR;
    uloc_canonicalize(name.c_str(), canon, sizeof canon, &status);
    if (U_FAILURE(status)) throw UsageError("unknown locale " + quoted(name));
  }
  char language[ULOC_LANG_CAPACITY];
  status = U_ZERO_ERROR;
  uloc_getLanguage(canon, language, sizeof language, &status);
  if (U_FAILURE(status) || language[0] == '\0') throw UsageError("unknown locale " + quoted(name));
  for (const char* const* iso = uloc_getISOLanguages(); *iso; ++iso)
    if (std::strcmp(*iso, language) == 0) return canon;
  throw UsageError("unknown locale " + quoted(name));
}

namespace {

// The abbreviations ICU's data lists as sentence break suppressions for the
// language of a canonical locale (empty when it has none).
std::vector<std::string> sentence_exceptions(const std::string& canon) {
  std::vector<std::string> out;
  char language[ULOC_LANG_CAPACITY];
  UErrorCode status = U_ZERO_ERROR;
  uloc_getLanguage(canon.c_str(), language, sizeof language, &status);
  if (U_FAILURE(status) || language[0] == '\0') return out;
  // Opened directly: ures_open would fall back to the default locale (the
  // environment's), which would make the result depend on $LANG.
  status = U_ZERO_ERROR;
  UResourceBundle* bundle = ures_openDirect(U_ICUDATA_NAME "-brkitr", language, &status);
  if (U_FAILURE(status)) return out;
  UResourceBundle* ex = ures_getByKey(bundle, "exceptions", nullptr, &status);
  UResourceBundle* sb = ures_getByKey(ex, "SentenceBreak", nullptr, &status);
  for (int32_t i = 0; U_SUCCESS(status) && i < ures_getSize(sb); ++i) {
    char buf[64];
    int32_t len = sizeof buf;
    ures_getUTF8StringByIndex(sb, i, buf, &len, true, &status);
    if (U_SUCCESS(status)) out.emplace_back(buf, static_cast<std::size_t>(len));
  }
  ures_close(sb);
  ures_close(ex);
  ures_close(bundle);
  return out;
}

}  // namespace

struct Segmenter::Impl {
  UBreakIterator* bi = nullptr;
  UText* ut = nullptr;
  Boundary kind;
  std::string_view text;
  // Suppressions with a period inside ("U.S.", "Ph.D."), which ICU 72's
  // filter lists but does not apply: a boundary right after one (and its
  // spaces), where it starts a word, is skipped.
  std::vector<std::string> dotted;
  bool suppressed(int32_t r) const {
    if (r == UBRK_DONE || dotted.empty()) return false;
    std::size_t p = static_cast<std::size_t>(r);
    if (p >= text.size()) return false;
    while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t' || text[p - 1] == '\n' || text[p - 1] == '\r')) --p;
    for (const auto& d : dotted) {
      if (p < d.size() || text.compare(p - d.size(), d.size(), d) != 0) continue;
      std::size_t b = p - d.size();
      if (b == 0 || !std::isalnum(static_cast<unsigned char>(text[b - 1]))) return true;
    }
    return false;
  }
  ~Impl() {
    if (bi) ubrk_close(bi);
    if (ut) utext_close(ut);
  }
};

bool has_sentence_suppressions(std::string_view locale) {
  return !sentence_exceptions(check_locale(locale)).empty();
}

std::string sentence_locale(std::string_view locale) {
  std::string canon = check_locale(locale);
  char value[32];
  UErrorCode status = U_ZERO_ERROR;
  int32_t n = uloc_getKeywordValue(canon.c_str(), "ss", value, sizeof value, &status);
  if (U_SUCCESS(status) && n > 0) return canon;  // the locale says
  if (!has_sentence_suppressions(canon)) return canon;
  char out[ULOC_FULLNAME_CAPACITY];
  std::snprintf(out, sizeof out, "%s", canon.c_str());
  status = U_ZERO_ERROR;
  uloc_setKeywordValue("ss", "standard", out, sizeof out, &status);
  return U_SUCCESS(status) ? std::string(out) : canon;
}

Segmenter::Segmenter(Boundary kind, const std::string& locale) : impl_(std::make_unique<Impl>()) {
  impl_->kind = kind;
  std::string canon = kind == Boundary::sentence ? sentence_locale(locale) : check_locale(locale);
  UBreakIteratorType type = kind == Boundary::grapheme ? UBRK_CHARACTER
                            : kind == Boundary::word   ? UBRK_WORD
                                                       : UBRK_SENTENCE;
  UErrorCode status = U_ZERO_ERROR;
  impl_->bi = ubrk_open(type, canon.c_str(), nullptr, 0, &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: cannot open break rules: ") + u_errorName(status));
  char value[32];
  status = U_ZERO_ERROR;
  int32_t n = uloc_getKeywordValue(canon.c_str(), "ss", value, sizeof value, &status);
  if (kind == Boundary::sentence && U_SUCCESS(status) && n > 0 && std::string_view(value, n) == "standard")
    for (auto& e : sentence_exceptions(canon))
      if (e.find('.') + 1 < e.size()) impl_->dotted.push_back(std::move(e));
  set_text({});
}

Segmenter::~Segmenter() = default;

void Segmenter::set_text(std::string_view s) {
  impl_->text = s;
  UErrorCode status = U_ZERO_ERROR;
  impl_->ut = utext_openUTF8(impl_->ut, s.empty() ? "" : s.data(), static_cast<int64_t>(s.size()), &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: ") + u_errorName(status));
  ubrk_setUText(impl_->bi, impl_->ut, &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: ") + u_errorName(status));
}

static std::size_t conv(int32_t r) { return r == UBRK_DONE ? done : static_cast<std::size_t>(r); }

std::size_t Segmenter::first() { return conv(ubrk_first(impl_->bi)); }
std::size_t Segmenter::next() {
  int32_t r = ubrk_next(impl_->bi);
  while (impl_->suppressed(r)) r = ubrk_next(impl_->bi);
  return conv(r);
}
std::size_t Segmenter::following(std::size_t i) {
  int32_t r = ubrk_following(impl_->bi, static_cast<int32_t>(i));
  while (impl_->suppressed(r)) r = ubrk_next(impl_->bi);
  return conv(r);
}
std::size_t Segmenter::preceding(std::size_t i) {
  int32_t r = ubrk_preceding(impl_->bi, static_cast<int32_t>(i));
  while (impl_->suppressed(r)) r = ubrk_previous(impl_->bi);
  return conv(r);
}
bool Segmenter::is_boundary(std::size_t i) {
  return ubrk_isBoundary(impl_->bi, static_cast<int32_t>(i)) && !impl_->suppressed(static_cast<int32_t>(i));
}
bool Segmenter::word_like() const { return ubrk_getRuleStatus(impl_->bi) >= UBRK_WORD_NONE_LIMIT; }

std::size_t GraphemeCuts::align_down(std::size_t b, std::size_t p) {
  while (p > b && !utf8::is_boundary(doc_, p)) --p;
  if (p > b && is_cut(p)) return p;
  if (p > b) {
    std::size_t q = segmenter().preceding(p);
    if (q != done && q > b) return q;
  }
  std::size_t f = segmenter().following(b);
  return f == done ? doc_.size() : f;
}

bool is_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

void trim(std::string_view s, std::size_t& b, std::size_t& e) {
  while (b < e) {
    std::size_t i = b;
    if (!is_space(utf8::decode(s, i))) break;
    b = i;
  }
  while (e > b) {
    std::size_t i = e;
    if (!is_space(utf8::decode_back(s, i))) break;
    e = i;
  }
}

}  // namespace hewn::text
