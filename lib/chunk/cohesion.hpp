// Lexical cohesion, the model-free way to find topic shifts: sentences as
// term-count vectors, compared by C99 (Choi 2000): a cosine similarity
// matrix, its 11 x 11 rank transform, then divisive clustering that
// maximises the inside density of the segments, stopped where the density
// gain falls (or at a given number of segments).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sb_stemmer;

namespace hewn::chunk {

// A sentence's terms: (term id, count), ascending by id.
using TermVector = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

// Turns text into terms: words are runs of ASCII letters and digits and of
// non-ASCII characters (any byte >= 0x80), lower-cased (ASCII), without the
// English stop words (locale en) and stemmed with the Snowball stemmer of the
// locale's language when libstemmer has one. Words without a letter (pure
// numbers) are left out; one-letter words stay (the "s" of "John's", the "t"
// of "don't", initials: on Choi's development sets 1/ and 2/ they lower Pk
// from 0.123 to 0.116). Term ids are per object (one
// object per thread): only the counts matter to the algorithms.
class TermCounter {
 public:
  // Errors: none (a language without a stemmer is used unstemmed).
  explicit TermCounter(const std::string& locale);
  ~TermCounter();
  TermCounter(const TermCounter&) = delete;
  TermCounter& operator=(const TermCounter&) = delete;
  // The terms of text, into out (cleared first).
  void terms(std::string_view text, TermVector& out);
  // Between documents: forgets every word once the cache holds over a
  // million (ids are only compared within a document).
  void bound_memory();

 private:
  std::uint32_t id_of(std::string_view word);  // ~0u: a stop word
  // Open addressing over lower-cased words and stems (stems under a 0x01
  // prefix no word has): (hash, offset and length in arena_, id).
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0, length = 0, id = 0;
    bool used = false;
  };
  std::uint32_t* find_or_null(std::string_view key, std::uint64_t hash);
  void insert(std::string_view key, std::uint64_t hash, std::uint32_t id);
  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t used_ = 0;
  std::uint32_t next_ = 0;
  sb_stemmer* stemmer_ = nullptr;
  bool english_ = false;
  std::string lower_, key_;
  std::vector<std::uint32_t> scratch_;
};

struct C99Options {
  std::size_t segments = 0;  // > 0: exactly this many (when there are enough sentences)
  double c = 1.2;            // automatic stop: gains above mean + c * sd
  std::size_t mask = 11;     // rank mask side
};

// C99 over the sentences' term vectors. Returns the sentence indices that
// start a segment, ascending, 0 excluded. Scratch memory is reused between
// calls (n x n floats and doubles for n sentences: the caller bounds n).
class C99 {
 public:
  std::vector<std::size_t> segment(const std::vector<TermVector>& sentences, const C99Options& options);

 private:
  std::vector<float> sim_, rank_;
  std::vector<double> sum_;
  std::vector<std::int32_t> dot_;
};

// Utiyama and Isahara (2001)'s segmentation by dynamic programming: each
// segment is scored by the probability of its words under its own
// Laplace-smoothed unigram model, sum over its words of
// log((n_s + k) / (f_s(w) + 1)) (n_s words in the segment, f_s(w) the count of
// w there, k distinct words in the document), plus log(n) per segment (n
// words in the document) as the prior on the number of segments; the
// segmentation of least total cost wins (exactly `segments` segments when
// given). Segments hold at most max_len sentences (0: no limit).
// Returns the sentence indices that start a segment, ascending, 0 excluded.
std::vector<std::size_t> u00_segment(const std::vector<TermVector>& sentences, std::size_t segments,
                                     std::size_t max_len);

}  // namespace hewn::chunk
