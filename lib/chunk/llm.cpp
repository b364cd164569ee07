// The LLM-driven strategies and enrichers: see llm.hpp and chunk(1).
#include "chunk/llm.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <unordered_map>

#include "chunk/chunker.hpp"
#include "chunk/emitter.hpp"
#include "chunk/splitter.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

namespace hewn::chunk {

namespace prompts_data {
struct Entry {
  const char* name;
  const char* text;
};
extern const Entry entries[];
extern const std::size_t count;
}  // namespace prompts_data

namespace {

// The placeholders each prompt may use, the required ones first.
struct PromptSpec {
  std::string_view name;
  std::vector<std::string_view> known, required;
};

const std::vector<PromptSpec>& prompt_specs() {
  static const std::vector<PromptSpec> specs = {
      {"lumber", {"paragraphs"}, {"paragraphs"}},
      {"margin", {"first", "second", "both"}, {"first", "second"}},
      {"context", {"document", "chunk"}, {"chunk"}},
      {"questions", {"chunk", "n", "document"}, {"chunk"}},
      {"intents", {"document", "n"}, {"document"}},
  };
  return specs;
}

bool is_space_byte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_space_byte(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_byte(s.back())) s.remove_suffix(1);
  return s;
}

// Estimated tokens as LumberChunker counts them: 1.2 per white-space
// separated word, rounded.
std::uint64_t word_count(std::string_view s) {
  std::uint64_t n = 0;
  bool in = false;
  for (char c : s) {
    bool sp = is_space_byte(c);
    if (!sp && !in) ++n;
    in = !sp;
  }
  return n;
}

// Lower-case ASCII letters and digits, other bytes kept (UTF-8 letters stay
// whole words); words of 3 bytes or more that are not stop words.
std::vector<std::string> content_words(std::string_view s) {
  static const std::set<std::string, std::less<>> stop = {
      "the",  "and",   "but",   "for",   "with",  "from",  "was",  "were",  "been", "its",  "this", "that",
      "these", "those", "she",  "they",  "you",   "his",   "her",  "their", "our",  "your", "him",  "them",
      "not",  "than",  "there", "here",  "what",  "which", "who",  "whom",  "whose", "when", "where", "why",
      "how",  "all",   "any",   "some",  "such",  "very",  "more", "most",  "much", "many", "had",  "has",
      "have", "does",  "did",   "will",  "would", "shall", "should", "can",  "could", "may", "might", "must",
      "are",  "into",  "about", "also",  "then",  "only",  "one",   "said"};
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    if (w.size() >= 3 && !stop.count(w)) out.push_back(w);
    w.clear();
  };
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) w += c;
    else if (c >= 'A' && c <= 'Z') w += static_cast<char>(c - 'A' + 'a');
    else flush();
  }
  flush();
  return out;
}

// Shared machinery: the measure, the emitter, a recursive splitter for
// segments larger than --size, sentences, and asking the model.
class LlmChunker : public Chunker {
 public:
  LlmChunker(const Options& o, const Unit& unit)
      : options_(o),
        measure_(unit.make_measure()),
        emitter_(options_, *measure_),
        below_(default_levels(), options_, *measure_, emitter_, 0),
        sentences_(text::Boundary::sentence, o.lang),
        graphemes_(o.lang) {
    if (!llm_.model) throw UsageError("-s " + o.strategy + " needs an LLM (--llm-model NAME)");
  }

  void split(const Document& doc, std::vector<Chunk>& out) override {
    doc_ = &doc;
    measure_->reset(doc.text);
    emitter_.begin(doc.text, out);
    below_.reset(doc.text);
    graphemes_.reset(doc.text);
    cuts_.clear();
    find_cuts(doc);
    std::sort(cuts_.begin(), cuts_.end());
    cuts_.erase(std::unique(cuts_.begin(), cuts_.end()), cuts_.end());
    std::size_t b = 0;
    for (std::size_t i = 0; i <= cuts_.size(); ++i) {
      std::size_t e = i < cuts_.size() ? cuts_[i] : doc.text.size();
      if (e <= b || e > doc.text.size()) continue;
      if (measure_->size(b, e) <= options_.size) emitter_.add(b, e);
      else below_.split(b, e, 0);
      b = e;
    }
    emitter_.end();
  }

 protected:
  // Fills cuts_ with byte offsets where chunks end (segments between them
  // larger than --size are split further).
  virtual void find_cuts(const Document& doc) = 0;

  struct Span {
    std::size_t b, e;
  };

  // ICU sentences tiling the document (a sentence end inside a grapheme
  // cluster is not a cut); whitespace-only pieces join the previous one.
  void sentences(std::string_view text, std::vector<Span>& out) {
    out.clear();
    sentences_.set_text(text);
    std::size_t prev = sentences_.first();
    for (std::size_t b = sentences_.next(); b != text::done; b = sentences_.next()) {
      if (!graphemes_.is_cut(b)) continue;
      if (trim_ascii(text.substr(prev, b - prev)).empty() && !out.empty()) out.back().e = b;
      else out.push_back({prev, b});
      prev = b;
    }
  }

  [[noreturn]] void fail(const std::string& what) const { data_error(doc_->source, doc_->line, what); }

  // Answers to prompts; valid(i, answer) says whether an answer is usable.
  // An unusable one is asked again (seed + attempt) up to --reask times;
  // then (or at once in a dry run) it stays "" and ok[i] is false.
  // Errors: DataError for a request that failed after its retries.
  void ask(std::vector<Prompt>& prompts, const std::function<bool(std::size_t, std::string_view)>& valid,
           std::vector<std::string>& answers, std::vector<char>& ok) {
    answers.assign(prompts.size(), std::string());
    ok.assign(prompts.size(), 0);
    std::vector<std::size_t> todo(prompts.size());
    for (std::size_t i = 0; i < todo.size(); ++i) todo[i] = i;
    std::vector<Prompt> batch;
    std::vector<std::string> got, errors;
    for (unsigned attempt = 0; !todo.empty() && attempt <= llm_.reask; ++attempt) {  // bounded
      batch.clear();
      for (std::size_t i : todo) {
        prompts[i].attempt = attempt;
        batch.push_back(prompts[i]);
      }
      llm_.model->complete(batch, got, errors);
      std::vector<std::size_t> again;
      for (std::size_t k = 0; k < todo.size(); ++k) {
        if (!errors[k].empty()) fail(errors[k]);
        if (valid(todo[k], got[k])) {
          answers[todo[k]] = std::move(got[k]);
          ok[todo[k]] = 1;
        } else {
          again.push_back(todo[k]);
        }
      }
      todo.swap(again);
      if (llm_.model->dry()) break;
      if (!todo.empty() && attempt < llm_.reask) llm_.counters->asked_again.fetch_add(todo.size());
    }
    llm_.counters->fallbacks.fetch_add(todo.size());
  }

  // Log-probabilities of texts. Errors: DataError for a failed request.
  void scores(const std::vector<std::string>& texts, std::vector<std::vector<TokenScore>>& out) {
    std::vector<std::string> errors;
    llm_.model->logprobs(texts, out, errors);
    for (const std::string& e : errors)
      if (!e.empty()) fail(e);
  }

  Options options_;
  const LlmOptions& llm_ = options_.llm;
  const Document* doc_ = nullptr;
  std::unique_ptr<Measure> measure_;
  Emitter emitter_;
  Splitter below_;
  text::Segmenter sentences_;
  text::GraphemeCuts graphemes_;
  std::vector<std::size_t> cuts_;
};

// LumberChunker (Duarte et al., 2024), as its code does it: paragraphs
// "ID k: text" joined by newlines, as many as stay under --window estimated
// tokens (1.2 a word) from the current one; the model names the first
// paragraph where the content changes; the group ends before it and the next
// window starts there. An unusable answer (no "Answer: ID k", or k not
// after the window's first paragraph and inside the window) is asked again
// --reask times; then the group is the whole window.
class Lumber final : public LlmChunker {
 public:
  using LlmChunker::LlmChunker;

 private:
  void find_cuts(const Document& doc) override {
    const std::string_view text = doc.text;
    paras_.clear();
    // Paragraphs: runs of text between blank lines.
    std::size_t i = 0, n = text.size();
    while (i < n) {
      while (i < n && is_space_byte(text[i])) ++i;
      if (i == n) break;
      std::size_t b = i, e = i;
      while (i < n) {
        std::size_t eol = text.find('\n', i);
        if (eol == std::string_view::npos) {
          e = i = n;
          break;
        }
        std::size_t j = eol + 1;
        while (j < n && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
        e = eol;
        i = j;
        if (j >= n || text[j] == '\n') break;  // a blank line ends the paragraph
      }
      while (e > b && is_space_byte(text[e - 1])) --e;
      paras_.push_back({b, e});
    }
    const std::size_t count = paras_.size();
    const std::uint64_t window = llm_.window ? llm_.window : 550;
    const std::string_view tmpl = prompt_of(llm_, "lumber");
    std::size_t start = 0;
    while (start < count) {  // each pass moves start forward by at least one paragraph
      std::size_t end = start + 1;
      std::uint64_t words = word_count(text.substr(paras_[start].b, paras_[start].e - paras_[start].b)) + 2;
      while (end < count) {
        std::uint64_t w = word_count(text.substr(paras_[end].b, paras_[end].e - paras_[end].b)) + 2;
        if (std::llround(1.2 * static_cast<double>(words + w)) >= static_cast<long long>(window)) break;
        words += w;
        ++end;
      }
      std::size_t cut = end;
      if (end - start >= 2) {
        std::string listing;
        for (std::size_t k = start; k < end; ++k) {
          if (k > start) listing += '\n';
          listing += "ID " + std::to_string(k) + ": ";
          listing += text.substr(paras_[k].b, paras_[k].e - paras_[k].b);
        }
        std::pair<std::string_view, std::string_view> values[] = {{"paragraphs", listing}};
        std::vector<Prompt> prompt(1);
        prompt[0].text = fill_template(tmpl, "--prompt lumber", values);
        prompt[0].max_tokens = 64;
        std::vector<std::string> answers;
        std::vector<char> ok;
        ask(
            prompt,
            [&](std::size_t, std::string_view a) {
              auto k = parse_lumber_answer(a);
              return k && *k > start && *k < end;
            },
            answers, ok);
        if (ok[0]) cut = *parse_lumber_answer(answers[0]);
      }
      if (cut < count) cuts_.push_back(paras_[cut].b);
      start = cut;
    }
  }

  std::vector<Span> paras_;
};

// The strategies that cut between sentences: sents_ holds the document's
// sentences when cut_sentences() runs.
class SentenceCuts : public LlmChunker {
 public:
  using LlmChunker::LlmChunker;

 protected:
  virtual void cut_sentences(std::string_view text) = 0;
  std::vector<Span> sents_;

 private:
  void find_cuts(const Document& doc) override {
    sentences(doc.text, sents_);
    if (sents_.size() >= 2) cut_sentences(doc.text);
  }
};

// Meta-Chunking's perplexity chunking (Zhao et al., 2024): the mean
// negative log-probability of each sentence's tokens, in windows of
// sentences up to --window estimated tokens (UTF-8 bytes / 4) sent whole
// (the first token of a window has no score); a sentence ends a chunk where
// its value is a minimum (find_minima, --split-threshold, default 0).
class Perplexity final : public SentenceCuts {
 public:
  using SentenceCuts::SentenceCuts;

 private:
  void cut_sentences(std::string_view text) override {
    if (sents_.size() < 3) return;
    const std::uint64_t window = (llm_.window ? llm_.window : 1024) * 4;
    std::vector<std::string> texts;
    std::vector<std::size_t> first;  // first sentence of each window
    for (std::size_t s = 0; s < sents_.size();) {
      std::size_t e = s + 1;
      while (e < sents_.size() && sents_[e].e - sents_[s].b <= window) ++e;
      first.push_back(s);
      texts.emplace_back(text.substr(sents_[s].b, sents_[e - 1].e - sents_[s].b));
      s = e;
    }
    first.push_back(sents_.size());
    std::vector<std::vector<TokenScore>> got;
    scores(texts, got);
    std::vector<double> value(sents_.size(), NAN);
    for (std::size_t w = 0; w < texts.size(); ++w) {
      // Code point offsets of the window's sentence ends.
      std::vector<std::uint64_t> ends;
      std::uint64_t cp = 0;
      for (std::size_t s = first[w]; s < first[w + 1]; ++s) {
        cp += utf8::count(text.substr(sents_[s].b, sents_[s].e - sents_[s].b));
        ends.push_back(cp);
      }
      std::vector<double> sum(ends.size(), 0);
      std::vector<std::size_t> n(ends.size(), 0);
      std::size_t s = 0;
      for (const TokenScore& t : got[w]) {
        while (s + 1 < ends.size() && t.offset >= ends[s]) ++s;
        if (!t.logprob) continue;
        sum[s] -= *t.logprob;
        ++n[s];
      }
      for (std::size_t k = 0; k < ends.size(); ++k)
        if (n[k]) value[first[w] + k] = sum[k] / static_cast<double>(n[k]);
    }
    // A sentence without a scored token (the first of a window of one
    // token) takes its predecessor's value (or its successor's).
    for (std::size_t k = 1; k < value.size(); ++k)
      if (std::isnan(value[k])) value[k] = value[k - 1];
    for (std::size_t k = value.size() - 1; k-- > 0;)
      if (std::isnan(value[k])) value[k] = value[k + 1];
    if (std::isnan(value[0])) return;  // nothing scored (a dry run)
    for (std::size_t i : perplexity_minima(value, llm_.threshold.value_or(0.0))) cuts_.push_back(sents_[i].e);
  }
};

// Meta-Chunking's margin sampling: for the text before sentence s[i] and
// s[i], the log-probabilities of the margin prompt followed by " 1" (split)
// and by " 2" (keep) give margin = P(2) - P(1); s[i] starts a new chunk when
// the margin is at most the threshold: --split-threshold, else 0 for the
// first five pairs and then the mean of the last five margins (as their
// code). The text before s[i] is s[i-1] alone (--margin-context sentence:
// every pair is asked at once), or the chunk s[i] would join: its
// sentences since the last cut, joined by one space, the last of them that
// fit in --window estimated tokens (UTF-8 bytes / 4; default 1024; at least
// s[i-1]) (--margin-context chunk, their multi-sentence variant: one pair at
// a time, as each depends on the cuts before it).
class Margin final : public SentenceCuts {
 public:
  using SentenceCuts::SentenceCuts;

 private:
  std::string_view sentence(std::string_view text, std::size_t k) const {
    return trim_ascii(text.substr(sents_[k].b, sents_[k].e - sents_[k].b));
  }

  // The two texts asked for the pair (first, second): the prompt + " 1", + " 2".
  void pair_texts(std::string_view first, std::string_view second, std::vector<std::string>& texts,
                  std::vector<std::uint64_t>& prompt_cps) const {
    std::string both = std::string(first) + " " + std::string(second);
    std::pair<std::string_view, std::string_view> values[] = {{"first", first}, {"second", second}, {"both", both}};
    std::string p = fill_template(prompt_of(llm_, "margin"), "--prompt margin", values);
    prompt_cps.push_back(utf8::count(p));
    texts.push_back(p + " 1");
    texts.push_back(p + " 2");
  }

  // The margin of pair k of texts/got (for sentence i); none in a dry run.
  // Errors: DataError when an answer has no log-probability.
  std::optional<double> margin_of(const std::vector<std::vector<TokenScore>>& got,
                                  const std::vector<std::uint64_t>& prompt_cps, std::size_t k, std::size_t i) const {
    double lp[2];
    for (int a = 0; a < 2; ++a) {
      double sum = 0;
      bool any = false;
      for (const TokenScore& t : got[2 * k + a])
        if (t.offset >= prompt_cps[k] && t.logprob) {
          sum += *t.logprob;
          any = true;
        }
      if (!any) {
        if (llm_.model->dry()) return std::nullopt;
        fail("the model gave no log-probability for the answer \"" + std::to_string(a + 1) +
             "\" to the margin prompt (sentence " + std::to_string(i + 1) + ")");
      }
      lp[a] = sum;
    }
    return std::exp(lp[1]) - std::exp(lp[0]);
  }

  void cut_sentences(std::string_view text) override {
    std::vector<double> margins;
    double threshold = llm_.threshold.value_or(0.0);
    // Records the margin of sentence i; true when s[i] starts a chunk.
    auto decide = [&](double margin, std::size_t i) {
      margins.push_back(margin);
      bool cut = !(margin > threshold);
      if (cut) cuts_.push_back(sents_[i].b);
      if (!llm_.threshold && margins.size() >= 5) {
        double s = 0;
        for (std::size_t k = margins.size() - 5; k < margins.size(); ++k) s += margins[k];
        threshold = s / 5;
      }
      return cut;
    };
    std::vector<std::string> texts;
    std::vector<std::uint64_t> prompt_cps;
    std::vector<std::vector<TokenScore>> got;
    if (!llm_.margin_chunk) {
      for (std::size_t i = 1; i < sents_.size(); ++i) pair_texts(sentence(text, i - 1), sentence(text, i), texts, prompt_cps);
      scores(texts, got);
      for (std::size_t i = 1; i < sents_.size(); ++i) {
        auto m = margin_of(got, prompt_cps, i - 1, i);
        if (!m) return;
        decide(*m, i);
      }
      return;
    }
    const std::uint64_t window = (llm_.window ? llm_.window : 1024) * 4;
    std::size_t chunk_begin = 0;  // the first sentence of the chunk being grown
    for (std::size_t i = 1; i < sents_.size(); ++i) {  // one pair of requests per sentence: bounded
      std::size_t from = i - 1;
      std::uint64_t bytes = sentence(text, i - 1).size();
      while (from > chunk_begin && bytes + 1 + sentence(text, from - 1).size() <= window) {
        --from;
        bytes += 1 + sentence(text, from).size();
      }
      std::string first;
      for (std::size_t k = from; k < i; ++k) {
        if (k > from) first += ' ';
        first += sentence(text, k);
      }
      texts.clear();
      prompt_cps.clear();
      pair_texts(first, sentence(text, i), texts, prompt_cps);
      scores(texts, got);
      auto m = margin_of(got, prompt_cps, 0, i);
      if (!m) continue;  // a dry run: counted on the path without cuts
      if (decide(*m, i)) chunk_begin = i;
    }
  }
};

// Intent-driven chunking: the intents (--intents FILE, else the model's
// answer to the intents prompt for the document) are located in the
// sentences by their content words: the sentence sharing the most distinct
// words with an intent, widened over neighbours sharing at least half as
// many (and at least one); then a dynamic programme over sentence
// boundaries picks the chunking (each chunk within --size, a sentence alone
// may exceed it and is split further) that keeps the most intents whole in
// one chunk, then the fewest chunks, then the earliest cuts.
class Intent final : public SentenceCuts {
 public:
  using SentenceCuts::SentenceCuts;

 private:
  void cut_sentences(std::string_view text) override {
    const std::size_t n = sents_.size();
    std::vector<std::string> intents = llm_.intents;
    if (intents.empty()) {
      std::string count = std::to_string(llm_.intent_count);
      std::pair<std::string_view, std::string_view> values[] = {{"document", text}, {"n", count}};
      std::vector<Prompt> prompt(1);
      prompt[0].text = fill_template(prompt_of(llm_, "intents"), "--prompt intents", values);
      prompt[0].max_tokens = 40 * llm_.intent_count;
      std::vector<std::string> answers;
      std::vector<char> ok;
      ask(prompt, [&](std::size_t, std::string_view a) { return !parse_list(a, llm_.intent_count).empty(); }, answers,
          ok);
      intents = parse_list(answers[0], llm_.intent_count);  // none: the fallback is the fewest chunks
    }
    std::vector<std::vector<std::string>> words(n);
    for (std::size_t s = 0; s < n; ++s) {
      words[s] = content_words(text.substr(sents_[s].b, sents_[s].e - sents_[s].b));
      std::sort(words[s].begin(), words[s].end());
      words[s].erase(std::unique(words[s].begin(), words[s].end()), words[s].end());
    }
    std::vector<Span> spans;  // sentence ranges [b, e] of the intents
    for (const std::string& intent : intents) {
      std::vector<std::string> q = content_words(intent);
      std::sort(q.begin(), q.end());
      q.erase(std::unique(q.begin(), q.end()), q.end());
      std::vector<std::size_t> score(n, 0);
      std::size_t best = 0;
      for (std::size_t s = 0; s < n; ++s) {
        for (const std::string& w : q) score[s] += std::binary_search(words[s].begin(), words[s].end(), w);
        if (score[s] > score[best]) best = s;
      }
      if (score[best] == 0) continue;
      std::size_t need = std::max<std::size_t>(1, (score[best] + 1) / 2), b = best, e = best;
      while (b > 0 && score[b - 1] >= need) --b;
      while (e + 1 < n && score[e + 1] >= need) ++e;
      spans.push_back({b, e});
    }
    // best[j]: the most intents kept whole over sentences [0, j), then the
    // fewest chunks; from[j]: where the last chunk starts.
    std::vector<std::size_t> covered(n + 1, 0), chunks(n + 1, 0), from(n + 1, 0);
    for (std::size_t j = 1; j <= n; ++j) {
      bool have = false;
      for (std::size_t i = j; i-- > 0;) {
        if (i + 1 < j && measure_->size(sents_[i].b, sents_[j - 1].e) > options_.size) break;
        std::size_t c = covered[i];
        for (const Span& sp : spans) c += sp.b >= i && sp.e < j;
        std::size_t k = chunks[i] + 1;
        if (!have || c > covered[j] || (c == covered[j] && k < chunks[j])) {
          covered[j] = c;
          chunks[j] = k;
          from[j] = i;
          have = true;
        }
      }
    }
    for (std::size_t j = n; j > 0; j = from[j])
      if (j < n) cuts_.push_back(sents_[j - 1].e);
  }
};

// Adds "context" (--context llm) and "questions" (--questions N) to the
// chunks of the inner chunker; every prompt of a document goes out at once.
class Enricher final : public LlmChunker {
 public:
  Enricher(std::unique_ptr<Chunker> inner, const Options& o, const Unit& unit)
      : LlmChunker(o, unit), inner_(std::move(inner)) {}

  void split(const Document& doc, std::vector<Chunk>& out) override {
    doc_ = &doc;
    const std::size_t first = out.size();
    inner_->split(doc, out);
    if (out.size() == first) return;
    if (llm_.context) {
      annotate(doc, out, first, "context", 200, [](std::string_view a) -> std::optional<std::string> {
        std::string_view t = trim_ascii(a);
        if (t.empty()) return std::nullopt;
        return std::string(t);
      });
    }
    if (llm_.questions) {
      annotate(doc, out, first, "questions", 60 * llm_.questions, [&](std::string_view a) -> std::optional<std::string> {
        std::string joined;
        for (const std::string& q : parse_list(a, llm_.questions)) joined += (joined.empty() ? "" : "\n") + q;
        if (joined.empty()) return std::nullopt;
        return joined;
      });
    }
  }

 private:
  // Asks the prompt `name` for each chunk from first on (all at once) and
  // adds the field `name` with value(answer); a chunk whose answer stays
  // unusable gets no field.
  void annotate(const Document& doc, std::vector<Chunk>& out, std::size_t first, const char* name,
                std::uint32_t max_tokens, const std::function<std::optional<std::string>(std::string_view)>& value) {
    const std::size_t n = out.size() - first;
    const std::string count = std::to_string(llm_.questions);
    const std::string source = std::string("--prompt ") + name;
    std::vector<Prompt> prompts(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Chunk& c = out[first + i];
      std::pair<std::string_view, std::string_view> values[] = {
          {"document", doc.text}, {"chunk", doc.text.substr(c.begin, c.end - c.begin)}, {"n", count}};
      prompts[i].text = fill_template(prompt_of(llm_, name), source, values);
      prompts[i].max_tokens = max_tokens;
    }
    std::vector<std::string> answers;
    std::vector<char> ok;
    ask(prompts, [&](std::size_t, std::string_view a) { return value(a).has_value(); }, answers, ok);
    for (std::size_t i = 0; i < n; ++i) {
      if (!ok[i]) continue;
      std::string v;
      json::append_string(v, *value(answers[i]));
      out[first + i].fields.emplace_back(name, std::move(v));
    }
  }

  void find_cuts(const Document&) override {}
  std::unique_ptr<Chunker> inner_;
};

}  // namespace

std::vector<std::string_view> prompt_names() {
  std::vector<std::string_view> out;
  for (const PromptSpec& s : prompt_specs()) out.push_back(s.name);
  return out;
}

std::string_view default_prompt(std::string_view name) {
  for (std::size_t i = 0; i < prompts_data::count; ++i)
    if (name == prompts_data::entries[i].name) return prompts_data::entries[i].text;
  return {};
}

std::string_view prompt_of(const LlmOptions& o, std::string_view name) {
  auto it = o.prompts.find(name);
  return it != o.prompts.end() ? std::string_view(it->second) : default_prompt(name);
}

void check_prompt(std::string_view name, std::string_view tmpl, std::string_view source) {
  for (const PromptSpec& s : prompt_specs())
    if (s.name == name) return check_template(tmpl, source, s.known, s.required);
  std::string list;
  for (auto n : prompt_names()) list += (list.empty() ? "" : ", ") + std::string(n);
  throw UsageError("--prompt " + std::string(name) + ": unknown prompt (known: " + list + ")");
}

std::unique_ptr<Chunker> make_lumber_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Lumber>(o, unit);
}

std::unique_ptr<Chunker> make_perplexity_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Perplexity>(o, unit);
}

std::unique_ptr<Chunker> make_margin_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Margin>(o, unit);
}

std::unique_ptr<Chunker> make_intent_chunker(const Options& o, const Unit& unit) {
  return std::make_unique<Intent>(o, unit);
}

std::unique_ptr<Chunker> make_enricher(std::unique_ptr<Chunker> inner, const Options& o, const Unit& unit) {
  return std::make_unique<Enricher>(std::move(inner), o, unit);
}

std::vector<std::string> parse_list(std::string_view answer, std::size_t n) {
  std::vector<std::string> out;
  while (!answer.empty() && out.size() < n) {
    std::size_t eol = answer.find('\n');
    std::string_view line = trim_ascii(answer.substr(0, eol));
    answer = eol == std::string_view::npos ? std::string_view() : answer.substr(eol + 1);
    std::size_t k = 0;
    while (k < line.size() && line[k] >= '0' && line[k] <= '9') ++k;
    if (k > 0 && k < line.size() && (line[k] == '.' || line[k] == ')' || line[k] == ':')) line = trim_ascii(line.substr(k + 1));
    else if (!line.empty() && (line[0] == '-' || line[0] == '*')) line = trim_ascii(line.substr(1));
    if (line.empty() || std::find(out.begin(), out.end(), line) != out.end()) continue;
    out.emplace_back(line);
  }
  return out;
}

std::optional<std::size_t> parse_lumber_answer(std::string_view a) {
  std::size_t p = a.find("Answer: ID ");
  if (p == std::string_view::npos) return std::nullopt;
  p += 11;
  std::size_t v = 0, k = p;
  while (k < a.size() && a[k] >= '0' && a[k] <= '9' && k - p < 12) v = v * 10 + static_cast<std::size_t>(a[k++] - '0');
  if (k == p) return std::nullopt;
  return v;
}

std::vector<std::size_t> perplexity_minima(const std::vector<double>& v, double threshold) {
  std::vector<std::size_t> out;
  for (std::size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] < v[i - 1] && v[i] < v[i + 1]) {
      if (v[i - 1] - v[i] >= threshold || v[i + 1] - v[i] >= threshold) out.push_back(i);
    } else if (v[i] < v[i - 1] && v[i] == v[i + 1]) {
      if (v[i - 1] - v[i] >= threshold) out.push_back(i);
    }
  }
  return out;
}

}  // namespace hewn::chunk
