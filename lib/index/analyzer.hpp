// The lexical analyzer shared by index build and query: ICU word
// segmentation, ICU case folding, English possessive removal, an optional
// stopword list and Snowball stemming (libstemmer). Both sides of an index
// must analyze identically, so the options are stored in manifest.json.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace hewn::index {

struct AnalyzerOptions {
  std::string locale = "root";  // ICU locale of the word break rules
  std::string stem = "english";  // a Snowball algorithm name, or "none"
  // Stopwords removed after folding and before stemming (sorted, unique).
  std::vector<std::string> stopwords;
  // Terms longer than this many bytes are dropped (Lucene's limit is 255).
  std::size_t max_term_bytes = 255;

  // The stopword spec of --stopwords: "none", "english" (Lucene's 33-word
  // English list, as Anserini) or a file with one word per line ('#' starts
  // a comment); words are case-folded as terms are.
  // Errors: DataError "PATH: cannot open: ..." for an unreadable file.
  void set_stopwords(const std::string& spec);
};

// Snowball algorithm names libstemmer knows, plus "none".
std::vector<std::string> stemmer_names();

// Not thread-safe: keep one per thread.
class Analyzer {
 public:
  // Errors: UsageError "unknown stemmer "x" (...)" or for an unknown locale.
  explicit Analyzer(const AnalyzerOptions& options);
  ~Analyzer();
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  // Appends the terms of text (valid UTF-8), in order, to out (out is not
  // cleared). Segments that are not words (punctuation, spaces) are skipped.
  void analyze(std::string_view text, std::vector<std::string>& out);

  // Case-folds one word (ICU full case folding), into out.
  void fold(std::string_view word, std::string& out);

  const AnalyzerOptions& options() const { return options_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  AnalyzerOptions options_;
};

}  // namespace hewn::index
