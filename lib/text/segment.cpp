#include "text/segment.hpp"

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uloc.h>
#include <unicode/utext.h>

#include <cstring>

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

struct Segmenter::Impl {
  UBreakIterator* bi = nullptr;
  UText* ut = nullptr;
  Boundary kind;
  ~Impl() {
    if (bi) ubrk_close(bi);
    if (ut) utext_close(ut);
  }
};

Segmenter::Segmenter(Boundary kind, const std::string& locale) : impl_(std::make_unique<Impl>()) {
  impl_->kind = kind;
  std::string canon = check_locale(locale);
  UBreakIteratorType type = kind == Boundary::grapheme ? UBRK_CHARACTER
                            : kind == Boundary::word   ? UBRK_WORD
                                                       : UBRK_SENTENCE;
  UErrorCode status = U_ZERO_ERROR;
  impl_->bi = ubrk_open(type, canon.c_str(), nullptr, 0, &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: cannot open break rules: ") + u_errorName(status));
  set_text({});
}

Segmenter::~Segmenter() = default;

void Segmenter::set_text(std::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  impl_->ut = utext_openUTF8(impl_->ut, s.empty() ? "" : s.data(), static_cast<int64_t>(s.size()), &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: ") + u_errorName(status));
  ubrk_setUText(impl_->bi, impl_->ut, &status);
  if (U_FAILURE(status)) throw Error(std::string("ICU: ") + u_errorName(status));
}

static std::size_t conv(int32_t r) { return r == UBRK_DONE ? done : static_cast<std::size_t>(r); }

std::size_t Segmenter::first() { return conv(ubrk_first(impl_->bi)); }
std::size_t Segmenter::next() { return conv(ubrk_next(impl_->bi)); }
std::size_t Segmenter::following(std::size_t i) { return conv(ubrk_following(impl_->bi, static_cast<int32_t>(i))); }
std::size_t Segmenter::preceding(std::size_t i) { return conv(ubrk_preceding(impl_->bi, static_cast<int32_t>(i))); }
bool Segmenter::is_boundary(std::size_t i) { return ubrk_isBoundary(impl_->bi, static_cast<int32_t>(i)); }
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
