#include "index/analyzer.hpp"

#include <libstemmer.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/input.hpp"
#include "text/segment.hpp"

namespace hewn::index {

namespace {
// Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, the list Anserini uses.
const char* const english_stopwords[] = {"a",    "an",   "and",  "are",  "as",    "at",    "be",   "but",  "by",
                                         "for",  "if",   "in",   "into", "is",    "it",    "no",   "not",  "of",
                                         "on",   "or",   "such", "that", "the",   "their", "then", "there", "these",
                                         "they", "this", "to",   "was",  "will",  "with"};
}  // namespace

std::vector<std::string> stemmer_names() {
  std::vector<std::string> names{"none"};
  for (const char** p = sb_stemmer_list(); *p; ++p) names.emplace_back(*p);
  return names;
}

void AnalyzerOptions::set_stopwords(const std::string& spec) {
  stopwords.clear();
  if (spec == "none" || spec.empty()) return;
  std::vector<std::string> words;
  if (spec == "english") {
    for (const char* w : english_stopwords) words.emplace_back(w);
  } else {
    auto src = io::open_input(spec);
    std::string all = io::read_all(*src);
    std::size_t i = 0;
    while (i < all.size()) {
      std::size_t e = all.find('\n', i);
      if (e == std::string::npos) e = all.size();
      std::string line = all.substr(i, e - i);
      i = e + 1;
      if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
      std::size_t b = line.find_first_not_of(" \t");
      if (b == std::string::npos) continue;
      words.push_back(line.substr(b));
    }
  }
  AnalyzerOptions plain = *this;
  plain.stem = "none";
  plain.stopwords.clear();
  Analyzer folder(plain);
  for (auto& w : words) {
    std::string f;
    folder.fold(w, f);
    stopwords.push_back(f);
  }
  std::sort(stopwords.begin(), stopwords.end());
  stopwords.erase(std::unique(stopwords.begin(), stopwords.end()), stopwords.end());
}

struct Analyzer::Impl {
  text::Segmenter seg;
  sb_stemmer* stemmer = nullptr;
  std::unordered_set<std::string_view> stop;
  std::u16string u16, f16;
  std::string folded;
  explicit Impl(const std::string& locale) : seg(text::Boundary::word, locale) {}
  ~Impl() {
    if (stemmer) sb_stemmer_delete(stemmer);
  }
};

Analyzer::Analyzer(const AnalyzerOptions& options) : options_(options) {
  impl_ = std::make_unique<Impl>(options_.locale);
  if (options_.stem != "none") {
    impl_->stemmer = sb_stemmer_new(options_.stem.c_str(), "UTF_8");
    if (!impl_->stemmer) {
      std::string list;
      for (auto& n : stemmer_names()) list += (list.empty() ? "" : ", ") + n;
      throw UsageError("unknown stemmer " + hewn::quoted(options_.stem) + " (known: " + list + ")");
    }
  }
  for (auto& w : options_.stopwords) impl_->stop.insert(w);
}

Analyzer::~Analyzer() = default;

void Analyzer::fold(std::string_view word, std::string& out) {
  out.clear();
  bool ascii = std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    out.assign(word);
    for (auto& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return;
  }
  auto& u = impl_->u16;
  auto& f = impl_->f16;
  UErrorCode st = U_ZERO_ERROR;
  int32_t n = 0;
  u.resize(word.size() + 1);
  u_strFromUTF8(u.data(), static_cast<int32_t>(u.size()), &n, word.data(), static_cast<int32_t>(word.size()), &st);
  u.resize(n);
  f.resize(u.size() * 3 + 4);
  st = U_ZERO_ERROR;
  int32_t m = u_strFoldCase(f.data(), static_cast<int32_t>(f.size()), u.data(), n, U_FOLD_CASE_DEFAULT, &st);
  f.resize(m);
  out.resize(f.size() * 3 + 4);
  st = U_ZERO_ERROR;
  int32_t k = 0;
  u_strToUTF8(out.data(), static_cast<int32_t>(out.size()), &k, f.data(), m, &st);
  out.resize(k);
}

void Analyzer::analyze(std::string_view text, std::vector<std::string>& out) {
  auto& seg = impl_->seg;
  seg.set_text(text);
  std::size_t b = seg.first();
  for (std::size_t e = seg.next(); e != text::done; b = e, e = seg.next()) {
    if (!seg.word_like()) continue;
    std::string& t = impl_->folded;
    fold(text.substr(b, e - b), t);
    // English possessives (Lucene's EnglishPossessiveFilter): "john's" -> "john".
    if (t.size() > 2 && t.compare(t.size() - 2, 2, "'s") == 0)
      t.resize(t.size() - 2);
    else if (t.size() > 4 && t.compare(t.size() - 4, 4, "\xE2\x80\x99s") == 0)
      t.resize(t.size() - 4);
    if (t.empty() || t.size() > options_.max_term_bytes) continue;
    if (!impl_->stop.empty() && impl_->stop.count(t)) continue;
    if (impl_->stemmer) {
      const sb_symbol* s =
          sb_stemmer_stem(impl_->stemmer, reinterpret_cast<const sb_symbol*>(t.data()), static_cast<int>(t.size()));
      if (!s) throw std::bad_alloc();
      out.emplace_back(reinterpret_cast<const char*>(s), static_cast<std::size_t>(sb_stemmer_length(impl_->stemmer)));
    } else {
      out.push_back(t);
    }
  }
}

}  // namespace hewn::index
