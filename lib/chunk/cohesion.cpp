#include "chunk/cohesion.hpp"

#include <libstemmer.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hewn::chunk {
namespace {

// English function words (articles, pronouns, auxiliaries, prepositions,
// conjunctions and the most common adverbs): they say nothing of the topic.
constexpr std::string_view english_stop_words[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do",
    "does", "doing", "down", "during", "each", "even", "ever", "every", "few", "for", "from", "further", "had",
    "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i",
    "if", "in", "into", "is", "it", "its", "itself", "just", "least", "less", "like", "made", "make", "many", "may",
    "me", "might", "more", "most", "much", "must", "my", "myself", "never", "no", "nor", "not", "now", "of", "off",
    "often", "on", "once", "one", "only", "or", "other", "others", "ought", "our", "ours", "ourselves", "out",
    "over", "own", "per", "perhaps", "quite", "rather", "said", "same", "say", "says", "see", "seem", "seemed",
    "seems", "several", "shall", "she", "should", "since", "so", "some", "still", "such", "than", "that", "the",
    "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "though", "through",
    "thus", "to", "too", "two", "under", "until", "up", "upon", "us", "very", "was", "we", "well", "were", "what",
    "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within",
    "without", "would", "yet", "you", "your", "yours", "yourself", "yourselves", "mr", "mrs", "don", "didn",
    "doesn", "isn", "wasn", "won", "ll", "ve", "re", "across", "afterwards", "almost", "alone", "along", "already",
    "although", "always", "among", "another", "anyone", "anything", "anyway", "anywhere", "around", "back",
    "became", "become", "becomes", "behind", "beside", "besides", "beyond", "cannot", "done", "either", "else",
    "elsewhere", "enough", "etc", "everyone", "everything", "everywhere", "except", "former", "formerly", "get",
    "got", "give", "go", "goes", "went", "gone", "hence", "indeed", "last", "latter", "moreover", "mostly",
    "neither", "nevertheless", "next", "nobody", "none", "nothing", "nowhere", "onto", "otherwise", "put",
    "someone", "something", "sometime", "sometimes", "somewhere", "take", "took", "therefore", "thereby",
    "throughout", "together", "toward", "towards", "whatever", "whenever", "whereas", "wherever", "whoever",
    "whole", "yes", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty",
    "hundred", "thousand", "first", "second", "third", "came", "come", "comes", "let", "lets", "new", "old",
    "way", "ways", "thing", "things", "man", "men", "time", "times", "day", "days", "year", "years", "good",
    "great", "little", "long", "know", "knew", "known", "think", "thought", "told", "tell", "want", "wanted",
    "use", "used", "work", "called", "without", "mr", "mrs", "miss", "dr", "st", "co", "inc", "ltd"};

constexpr std::uint32_t stop = ~0u;

bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

namespace {

std::uint64_t hash_of(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

}  // namespace

TermCounter::TermCounter(const std::string& locale) : slots_(1 << 12) {
  std::string lang = locale.substr(0, locale.find_first_of("-_"));
  english_ = lang == "en";
  if (!lang.empty() && lang != "root") stemmer_ = sb_stemmer_new(lang.c_str(), "UTF_8");
  if (english_)
    for (auto w : english_stop_words)
      if (!find_or_null(w, hash_of(w))) insert(w, hash_of(w), stop);
}

TermCounter::~TermCounter() {
  if (stemmer_) sb_stemmer_delete(stemmer_);
}

std::uint32_t* TermCounter::find_or_null(std::string_view key, std::uint64_t hash) {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.used) return nullptr;
    if (s.hash == hash && s.length == key.size() && std::string_view(arena_).substr(s.offset, s.length) == key)
      return &s.id;
  }
}

void TermCounter::insert(std::string_view key, std::uint64_t hash, std::uint32_t id) {
  if ((used_ + 1) * 2 > slots_.size()) {  // grow: keep the load under one half
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      std::size_t i = s.hash & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::size_t mask = slots_.size() - 1, i = hash & mask;
  while (slots_[i].used) i = (i + 1) & mask;
  slots_[i] = {hash, static_cast<std::uint32_t>(arena_.size()), static_cast<std::uint32_t>(key.size()), id, true};
  arena_.append(key);
  ++used_;
}

std::uint32_t TermCounter::id_of(std::string_view word) {
  lower_.assign(word);
  bool letter = false;
  for (char& c : lower_) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    letter = letter || (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80;
  }
  const std::uint64_t h = hash_of(lower_);
  if (std::uint32_t* id = find_or_null(lower_, h)) return *id;
  std::uint32_t id = stop;
  if (letter) {
    key_.assign(1, '\x01');
    if (stemmer_) {
      const sb_symbol* s =
          sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(lower_.data()), static_cast<int>(lower_.size()));
      if (s) key_.append(reinterpret_cast<const char*>(s), static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
      else key_ += lower_;
    } else {
      key_ += lower_;
    }
    const std::uint64_t hs = hash_of(key_);
    if (std::uint32_t* sid = find_or_null(key_, hs)) {
      id = *sid;
    } else {
      id = next_++;
      insert(key_, hs, id);
    }
  }
  insert(lower_, h, id);
  return id;
}

void TermCounter::bound_memory() {
  if (used_ < (1u << 20)) return;
  slots_.assign(1 << 12, Slot{});
  arena_.clear();
  used_ = 0;
  next_ = 0;
  if (english_)
    for (auto w : english_stop_words)
      if (!find_or_null(w, hash_of(w))) insert(w, hash_of(w), stop);
}

void TermCounter::terms(std::string_view text, TermVector& out) {
  out.clear();
  scratch_.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size(), i = 0;
  while (i < n) {
    while (i < n && !word_byte(p[i])) ++i;
    std::size_t b = i;
    while (i < n && word_byte(p[i])) ++i;
    if (i > b) {
      std::uint32_t id = id_of(text.substr(b, i - b));
      if (id != stop) scratch_.push_back(id);
    }
  }
  std::sort(scratch_.begin(), scratch_.end());
  for (std::uint32_t id : scratch_) {
    if (!out.empty() && out.back().first == id) ++out.back().second;
    else out.emplace_back(id, 1);
  }
}

std::vector<std::size_t> C99::segment(const std::vector<TermVector>& v, const C99Options& o) {
  const std::size_t n = v.size();
  std::vector<std::size_t> result;
  if (n < 2) return result;
  // Dot products of the count vectors, exact in integers: term ids differ
  // between threads, the values do not.
  dot_.assign(n * n, 0);
  struct Posting {
    std::uint32_t term, sentence, count;
  };
  std::vector<Posting> postings;
  for (std::size_t s = 0; s < n; ++s)
    for (auto [t, c] : v[s]) postings.push_back({t, static_cast<std::uint32_t>(s), c});
  std::sort(postings.begin(), postings.end(),
            [](const Posting& a, const Posting& b) { return a.term < b.term || (a.term == b.term && a.sentence < b.sentence); });
  for (std::size_t a = 0; a < postings.size();) {
    std::size_t b = a;
    while (b < postings.size() && postings[b].term == postings[a].term) ++b;
    for (std::size_t x = a; x < b; ++x)
      for (std::size_t y = x; y < b; ++y)
        dot_[postings[y].sentence * n + postings[x].sentence] +=
            static_cast<std::int32_t>(postings[x].count * postings[y].count);
    a = b;
  }
  sim_.assign(n * n, 0.f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double d = dot_[i * n + j], ni = dot_[i * n + i], nj = dot_[j * n + j];
      float s = ni > 0 && nj > 0 ? static_cast<float>(d / std::sqrt(ni * nj)) : 0.f;
      sim_[i * n + j] = sim_[j * n + i] = s;
    }
  // Rank transform: each value becomes the share of its neighbours (in a
  // mask x mask window, clipped at the edges) that are smaller.
  rank_.assign(n * n, 0.f);
  const std::size_t h = (o.mask % 2 == 1 ? o.mask / 2 : (o.mask - 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t ib = i > h ? i - h : 0, ie = std::min(n, i + h + 1);
    for (std::size_t j = 0; j <= i; ++j) {
      std::size_t jb = j > h ? j - h : 0, je = std::min(n, j + h + 1);
      const float val = sim_[i * n + j];
      int count = 0;
      for (std::size_t k = ib; k < ie; ++k) {
        const float* row = &sim_[k * n];
        for (std::size_t l = jb; l < je; ++l) count += val > row[l];
      }
      float r = static_cast<float>(count) / static_cast<float>((ie - ib) * (je - jb) - 1);
      rank_[i * n + j] = rank_[j * n + i] = r;
    }
  }
  // Prefix sums: the sum over any square [a, b) x [a, b) in O(1).
  const std::size_t m = n + 1;
  sum_.assign(m * m, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0;
    for (std::size_t j = 0; j < n; ++j) {
      row += rank_[i * n + j];
      sum_[(i + 1) * m + j + 1] = sum_[i * m + j + 1] + row;
    }
  }
  auto square = [&](std::size_t a, std::size_t b) {  // [a, b] inclusive
    ++b;
    return sum_[b * m + b] - sum_[a * m + b] - sum_[b * m + a] + sum_[a * m + a];
  };
  struct Region {
    std::size_t start, end;  // inclusive
    double sum, area;
    std::size_t cut = 0;  // the left part is [start, cut]
    double lsum = 0, larea = 0, rsum = 0, rarea = 0;
  };
  auto make = [&](std::size_t s, std::size_t e) {
    Region r{s, e, square(s, e), static_cast<double>((e - s + 1) * (e - s + 1))};
    if (s < e) {  // the split that maximises this region's inside density
      double best = 0;
      std::size_t cut = s;
      for (std::size_t i = e; i-- > s;) {
        double lo = static_cast<double>(i - s + 1), up = static_cast<double>(e - i);
        double d = (square(s, i) + square(i + 1, e)) / (lo * lo + up * up);
        if (d > best) {
          best = d;
          cut = i;
        }
      }
      r.cut = cut;
      r.lsum = square(s, cut);
      r.larea = static_cast<double>((cut - s + 1) * (cut - s + 1));
      r.rsum = square(cut + 1, e);
      r.rarea = static_cast<double>((e - cut) * (e - cut));
    }
    return r;
  };
  std::vector<Region> regions{make(0, n - 1)};
  double total = regions[0].sum, area = regions[0].area, density = total / area;
  const std::size_t steps = o.segments > 0 ? std::min(o.segments, n) - 1 : n - 1;
  std::vector<std::size_t> order;
  std::vector<double> gain;
  for (std::size_t step = 0; step < steps; ++step) {
    double best = -1;
    std::size_t index = regions.size();
    for (std::size_t j = regions.size(); j-- > 0;) {
      const Region& r = regions[j];
      if (r.start == r.end) continue;
      double d = (total - r.sum + r.lsum + r.rsum) / (area - r.area + r.larea + r.rarea);
      if (d > best) {
        best = d;
        index = j;
      }
    }
    if (index == regions.size()) break;
    Region r = regions[index];
    Region left = make(r.start, r.cut), right = make(r.cut + 1, r.end);
    regions[index] = right;
    regions.insert(regions.begin() + static_cast<std::ptrdiff_t>(index), left);
    order.push_back(r.cut + 1);
    gain.push_back(best - density);
    density = best;
    total = total - r.sum + r.lsum + r.rsum;
    area = area - r.area + r.larea + r.rarea;
  }
  std::size_t number = order.size();
  if (o.segments == 0 && !gain.empty()) {
    // Keep the splits while the smoothed density gain is unusually large.
    static constexpr double kernel[] = {1, 2, 4, 8, 4, 2, 1};
    std::vector<double> smooth(gain.size());
    for (std::size_t i = 0; i < gain.size(); ++i) {
      double s = 0, w = 0;
      for (std::size_t k = 0; k < 7; ++k) {
        std::ptrdiff_t at = static_cast<std::ptrdiff_t>(i + k) - 3;
        if (at < 0 || at >= static_cast<std::ptrdiff_t>(gain.size())) continue;
        s += gain[static_cast<std::size_t>(at)] * kernel[k];
        w += kernel[k];
      }
      smooth[i] = s / w;
    }
    double mean = 0, var = 0;
    for (double g : smooth) mean += g;
    mean /= static_cast<double>(smooth.size());
    for (double g : smooth) var += (g - mean) * (g - mean);
    double limit = mean + o.c * std::sqrt(var / static_cast<double>(smooth.size()));
    number = 0;
    while (number < smooth.size() && smooth[number] > limit) ++number;
  }
  result.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(number));
  std::sort(result.begin(), result.end());
  return result;
}

namespace {

// x log(x + 1), tabulated for small counts.
struct XLog1 {
  double table[1024];
  XLog1() {
    for (std::size_t i = 0; i < 1024; ++i) table[i] = static_cast<double>(i) * std::log(static_cast<double>(i) + 1);
  }
  double operator()(std::uint32_t x) const {
    return x < 1024 ? table[x] : static_cast<double>(x) * std::log(static_cast<double>(x) + 1);
  }
};
const XLog1 xlog1;

}  // namespace

std::vector<std::size_t> u00_segment(const std::vector<TermVector>& v, std::size_t segments, std::size_t max_len) {
  const std::size_t n = v.size();
  std::vector<std::size_t> result;
  if (n < 2 || segments == 1) return result;
  // Dense local term ids.
  std::vector<std::uint32_t> ids;
  for (const auto& s : v)
    for (auto [t, c] : s) ids.push_back(t);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> local(n);
  std::uint64_t words = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (auto [t, c] : v[i]) {
      auto id = static_cast<std::uint32_t>(std::lower_bound(ids.begin(), ids.end(), t) - ids.begin());
      local[i].emplace_back(id, c);
      words += c;
    }
  const double k = static_cast<double>(ids.size());
  const double prior = std::log(static_cast<double>(std::max<std::uint64_t>(words, 2)));
  if (max_len == 0 || max_len > n) max_len = n;
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> nlog(words + 1);  // x log(x + k)
  for (std::size_t x = 0; x <= words; ++x) nlog[x] = static_cast<double>(x) * std::log(static_cast<double>(x) + k);
  // Segment costs, start by start, extended one sentence at a time.
  std::vector<std::uint32_t> count(ids.size(), 0);
  std::vector<std::uint32_t> touched;
  auto each_segment = [&](auto&& use) {  // use(start, len, cost)
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0;  // sum over the segment's words of f log(f + 1)
      std::uint64_t len_words = 0;
      touched.clear();
      for (std::size_t len = 1; len <= max_len && i + len <= n; ++len) {
        for (auto [t, c] : local[i + len - 1]) {
          std::uint32_t& f = count[t];
          if (f == 0) touched.push_back(t);
          s += xlog1(f + c) - xlog1(f);
          f += c;
          len_words += c;
        }
        use(i, len, nlog[len_words] - s + prior);
      }
      for (std::uint32_t t : touched) count[t] = 0;
    }
  };
  std::vector<std::size_t> cuts;
  if (segments == 0) {
    // Forward relaxation: best[i] is final once every start before i is done.
    std::vector<double> best(n + 1, inf);
    std::vector<std::size_t> from(n + 1, 0);
    best[0] = 0;
    each_segment([&](std::size_t i, std::size_t len, double c) {
      double t = best[i] + c;
      if (t < best[i + len]) best[i + len] = t, from[i + len] = i;
    });
    for (std::size_t j = n; j > 0; j = from[j])
      if (from[j] > 0) cuts.push_back(from[j]);
  } else {
    std::vector<double> cost(n * max_len, inf);
    each_segment([&](std::size_t i, std::size_t len, double c) { cost[i * max_len + len - 1] = c; });
    const std::size_t m = std::min(segments, n);
    std::vector<double> best((m + 1) * (n + 1), inf);
    std::vector<std::size_t> from((m + 1) * (n + 1), 0);
    best[0] = 0;
    for (std::size_t g = 1; g <= m; ++g)
      for (std::size_t j = g; j <= n; ++j)
        for (std::size_t len = std::min(max_len, j - (g - 1)); len >= 1; --len) {  // earliest start first
          double prev = best[(g - 1) * (n + 1) + j - len];
          if (prev == inf) continue;
          double c = prev + cost[(j - len) * max_len + len - 1];
          if (c < best[g * (n + 1) + j]) best[g * (n + 1) + j] = c, from[g * (n + 1) + j] = j - len;
        }
    std::size_t j = n;
    for (std::size_t g = m; g > 0 && j > 0; --g) {
      std::size_t f = from[g * (n + 1) + j];
      if (f > 0) cuts.push_back(f);
      j = f;
    }
  }
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

}  // namespace hewn::chunk
