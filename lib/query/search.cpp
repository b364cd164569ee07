#include "query/search.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "core/records.hpp"
#include "core/utf8.hpp"
#include "index/analyzer.hpp"

namespace hewn::query {

namespace field = records::field;

void check_options(const SearchOptions& o, const index::Index& ix) {
  if (o.mode != Mode::bm25 && !ix.has_dense())
    throw UsageError(std::string("--mode ") + (o.mode == Mode::dense ? "dense" : "hybrid") + ": " + ix.dir() +
                     " has no dense vectors");
  if (o.k == 0) throw UsageError("-k must be at least 1");
  if (o.adaptive && o.min_k > (o.max_k ? o.max_k : o.k))
    throw UsageError(std::string("--min-k is larger than ") + (o.max_k ? "--max-k" : "-k"));
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw UsageError("--alpha must be within [0, 1]");  // NaN too
  if (!(o.rrf_k >= 0 && o.rrf_k < 1e9)) throw UsageError("--rrf-k must be within [0, 1e9)");
  if (o.budget_unit == BudgetUnit::tokens && !o.count_tokens)
    throw UsageError("--budget-unit tokens needs --tokenizer");
  if (o.fine.unit != FineUnit::none) {
    if (o.group != Group::none) throw UsageError("--fine returns spans of chunks, not documents: not with --group doc");
    if (o.neighbors) throw UsageError("--fine returns spans inside chunks: not with --neighbors");
    if (o.trec)
      throw UsageError("--fine: a TREC run cannot hold a span's offsets (use --format jsonl, which score --spans reads)");
    if (o.fine.depth && o.adaptive)
      throw UsageError("--fine-depth: --cutoff adaptive already chooses the chunks refined (leave one out)");
    if (o.fine.adaptive != 0 && !(o.fine.adaptive >= 1 && o.fine.adaptive <= 1e6))  // NaN too
      throw UsageError("--fine-adaptive must be within [1, 1e6]");
    if (o.fine.adaptive != 0 && o.fine.score != FineScore::bm25)
      throw UsageError("--fine-adaptive compares BM25 scores: not with --fine-score dense or hybrid");
    if (o.fine.score != FineScore::bm25 && !ix.has_dense())
      throw UsageError(std::string("--fine-score ") + (o.fine.score == FineScore::dense ? "dense" : "hybrid") + ": " +
                       ix.dir() + " has no dense vectors (nor a model to embed spans with)");
  }
}

bool trec_word(std::string_view id) {
  return !id.empty() && id.find_first_of(" \t\r\n\v\f") == std::string_view::npos;
}

std::size_t adaptive_cut(const std::vector<double>& s, std::size_t min_k, std::size_t max_k) {
  std::size_t n = std::min(s.size(), max_k);
  if (n <= min_k) return n;
  std::size_t best = n;
  double drop = 0;
  for (std::size_t i = std::max<std::size_t>(min_k, 1); i < n; ++i) {
    double prev = std::abs(s[i - 1]);
    if (prev == 0) continue;
    double d = (s[i - 1] - s[i]) / prev;
    if (d > drop) {
      drop = d;
      best = i;
    }
  }
  return best;
}

void dense_ranked(const index::DenseIndex& dense, std::uint32_t total, const float* q, std::uint32_t n,
                  std::vector<std::pair<std::uint32_t, float>>& scratch, std::vector<Hit>& out,
                  const index::ChunkSet* allow, const index::Index* ix) {
  out.clear();
  n = std::min(n, total);
  if (n == 0) return;
  // FAISS breaks ties at its cut arbitrarily: ask for one more than needed,
  // and for twice as many while the last one asked for ties with the n-th.
  std::uint32_t ask = n < total ? n + 1 : n;
  for (;;) {
    dense.search(q, ask, scratch, allow);
    if (allow && ix && scratch.size() < std::min(ask, total)) dense.scan([ix](std::uint32_t c) { return ix->vector(c); }, q, *allow, ask, scratch);
    out.clear();
    for (auto& [d, s] : scratch) out.push_back({d, static_cast<double>(s)});
    std::sort(out.begin(), out.end(), ranks_before);
    if (out.size() < ask || ask >= total || out.size() <= n || out.back().score < out[n - 1].score) break;
    ask = static_cast<std::uint32_t>(std::min<std::uint64_t>(total, std::uint64_t(ask) * 2));
  }
  if (out.size() > n) out.resize(n);
}

namespace {

class Searcher : public io::Handler {
 public:
  Searcher(const index::Index& ix, const SearchOptions& o)
      : ix_(ix),
        sx_(o.levels ? o.levels->level(o.level) : ix),
        o_(o),
        analyzer_(ix.manifest().analyzer),
        topk_(sx_) {
    if (o.fine.unit != FineUnit::none) fine_ = std::make_unique<FineRanker>(ix, o.fine);
  }

  // With a remote query encoder: the texts of the batch's queries that need
  // a vector are embedded together first, then each query is handled as
  // alone.
  void handle_batch(io::Batch& b) override {
    if (!o_.query_encoder || !o_.query_encoder->remote() || o_.mode == Mode::bm25)
      return io::Handler::handle_batch(b);
    const std::size_t n = b.size();
    batch_texts_.clear();
    batch_slot_.assign(n, ~std::size_t(0));
    for (std::size_t i = 0; i < n; ++i) {
      try {
        io::Input in = b.input(i);
        if (!in.record) continue;
        if (records::read_vector(*in.record, o_.embedding_field, emb_) != records::VectorSource::none) continue;
        if (auto text = in.record->string(o_.text_field)) {
          batch_slot_[i] = batch_texts_.size();
          batch_texts_.emplace_back(o_.query_prefix + std::string(*text));
        }
      } catch (const DataError&) {  // reported when the query is handled below
      }
    }
    std::vector<std::string_view> views(batch_texts_.begin(), batch_texts_.end());
    if (!views.empty()) {
      try {
        batch_vecs_.resize(views.size() * o_.query_encoder->dim());
        o_.query_encoder->encode_each(views, batch_vecs_.data(), batch_errors_);
      } catch (const DataError&) {  // not one query's: embed them one by one, so each is located
        batch_slot_.assign(n, ~std::size_t(0));
      }
    }
    for (std::size_t i = 0; i < n && !b.stopped(); ++i) {
      try {
        io::Input in = b.input(i);
        pre_ = batch_slot_[i];
        handle(in, b.out());
        pre_ = ~std::size_t(0);
        b.accept(i);
      } catch (const DataError& e) {
        pre_ = ~std::size_t(0);
        b.reject(i, e.what());
      }
    }
  }

  void handle(const io::Input& in, std::string& out) override {
    if (in.record) search(in, *in.record, out);
    else lines(in, out);
  }

 private:
  // A raw file of queries: JSON Lines (its first character "{"), or one
  // query a line, "QID<TAB>TEXT" (a first line "query-id<TAB>..." or the
  // like is a header) or TEXT alone (its line number as id).
  void lines(const io::Input& in, std::string& out) {
    std::string_view t = in.raw_text;
    const std::size_t first = t.find_first_not_of(" \t\r\n");
    const bool jsonl = first != std::string_view::npos && t[first] == '{';
    std::uint64_t number = 0;
    while (!t.empty()) {
      std::size_t nl = t.find('\n');
      std::string_view l = t.substr(0, nl);
      t.remove_prefix(nl == std::string_view::npos ? t.size() : nl + 1);
      ++number;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (l.find_first_not_of(" \t") == std::string_view::npos) continue;
      line_.clear();
      if (jsonl) {
        line_ = l;
      } else {
        std::size_t tab = l.find('\t');
        std::string qid = tab == std::string_view::npos ? std::to_string(number) : std::string(l.substr(0, tab));
        std::string_view text = tab == std::string_view::npos ? l : l.substr(tab + 1);
        if (number == 1 && tab != std::string_view::npos) {
          std::string h = qid;
          for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (h == "id" || h == "qid" || h == "_id" || h == "query-id" || h == "query_id" || h == "topic" ||
              h == "topic_id")
            continue;
        }
        line_ = "{";
        json::append_string(line_, o_.id_field);
        line_ += ':';
        json::append_string(line_, qid);
        line_ += ',';
        json::append_string(line_, o_.text_field);
        line_ += ':';
        json::append_string(line_, text);
        line_ += '}';
      }
      const std::size_t n = line_.size();
      line_.append(io::line_padding, '\0');
      io::Input one = in;
      one.line = number;
      one.raw_text = {};
      const json::Record& r = query_parser_.parse(std::string_view(line_).substr(0, n), in.source, number);
      one.record = &r;
      search(one, r, out);
    }
  }

  void search(const io::Input& in, const json::Record& r, std::string& out) {
    std::string qid = r.id(o_.id_field).value_or(in.default_id());
    if (o_.trec && !trec_word(qid))
      r.fail("query id " + hewn::quoted(qid) + " cannot be written in a TREC run (empty, or with white space)");
    std::uint32_t want = fine_ && o_.fine.depth ? o_.fine.depth : o_.k;
    if (o_.adaptive) want = o_.max_k ? o_.max_k : o_.k;
    std::uint32_t depth = o_.depth ? o_.depth : std::max<std::uint32_t>(want, 100);
    bool grouping = o_.group != Group::none;
    bool reshape = grouping || o_.mode == Mode::hybrid;
    std::uint32_t n = std::min(reshape ? std::max(depth, want) : want, sx_.size());

    std::vector<Hit>& hits = o_.run ? given_ : o_.mode == Mode::bm25 ? lex_ : o_.mode == Mode::dense ? den_ : fused_;
    bool exhausted = true;
    if (o_.run) {
      auto it = o_.run->find(qid);
      if (it != o_.run->end())
        given_ = it->second;
      else
        given_.clear();
      if (o_.filter)
        std::erase_if(given_, [&](const Hit& h) { return !o_.filter->has(h.chunk); });
      if (given_.empty() && o_.on_not_in_run) o_.on_not_in_run(in, qid);
    } else {
      prepare(r);
      if (o_.reranker) n = std::min(std::max(n, rerank_depth(want)), sx_.size());
      exhausted = retrieve(n);
      // Small-to-big: k ancestors need more chunks than k.
      while (lifting() && hits.size() < want && !exhausted && n < sx_.size()) {
        n = static_cast<std::uint32_t>(std::min<std::uint64_t>(sx_.size(), std::uint64_t(n) * 2));
        exhausted = retrieve(n);
      }
    }
    if (o_.reranker) {
      // Under --group doc the candidates are the chunks of the first
      // rerank-depth documents: fetch deeper until there are that many.
      std::uint32_t rd = rerank_depth(want);
      while (grouping && !o_.run && groups_in(hits) < rd && !exhausted && n < sx_.size()) {
        n = static_cast<std::uint32_t>(std::min<std::uint64_t>(sx_.size(), std::uint64_t(n) * 2));
        exhausted = retrieve(n);
      }
      rerank(r, hits, rd);
      if (grouping) group(hits);
    } else if (grouping) {
      group(hits);
      // k counts documents: fetch deeper until k of them are found or no
      // chunk is left.
      while (hits.size() < want && !exhausted && n < sx_.size()) {
        n = static_cast<std::uint32_t>(std::min<std::uint64_t>(sx_.size(), std::uint64_t(n) * 2));
        exhausted = retrieve(n);
        group(hits);
      }
    }
    if (hits.size() > want) hits.resize(want);
    if (o_.adaptive) {
      scores_.clear();
      for (auto& h : hits) scores_.push_back(h.score);
      hits.resize(adaptive_cut(scores_, o_.min_k, want));
    }
    if (o_.auto_merge > 0) auto_merge(hits);
    if (fine_) return refine(in, r, qid, hits, out);
    context(hits);
    if (o_.budget && !hits.empty()) {
      out_ = &index_of_hit(0);
      std::uint64_t best = size_of(hits.front().chunk);
      apply_budget(hits);
      if (hits.empty() && o_.on_budget_empty) o_.on_budget_empty(in, qid, best);
    }
    write(r, qid, hits, out);
  }

  std::uint32_t rerank_depth(std::uint32_t want) const {
    return o_.rerank_depth ? o_.rerank_depth : std::max<std::uint32_t>(want, 100);
  }

  // The number of documents the chunks of hits belong to.
  std::size_t groups_in(const std::vector<Hit>& hits) {
    seen_.clear();
    for (auto& h : hits) seen_.insert(ix_.document_of(h.chunk));
    return seen_.size();
  }

  // The reranking stage: keeps the first stage's candidates (the first rd
  // chunks of hits, or with grouping the chunks of its first rd documents),
  // records their first-stage rank and score (per chunk, or per document
  // with grouping), and replaces hits by them, rescored by the reranker and
  // ranked by that score, ties in first-stage order.
  void rerank(const json::Record& r, std::vector<Hit>& hits, std::uint32_t rd) {
    auto query = r.string(o_.text_field);
    if (!query) r.fail("missing field " + hewn::quoted(o_.text_field) + " (--rerank reads the query's text)");
    cand_.clear();
    seen_.clear();
    for (auto& h : hits) {
      if (o_.group == Group::none && cand_.size() == rd) break;
      if (o_.group != Group::none && !seen_.count(ix_.document_of(h.chunk)) && seen_.size() == rd) continue;
      seen_.insert(ix_.document_of(h.chunk));
      cand_.push_back(h);
    }
    first_.clear();
    if (o_.group == Group::none) {
      for (std::size_t i = 0; i < cand_.size(); ++i) first_[cand_[i].chunk] = {i + 1, cand_[i].score};
    } else {
      firsts_ = cand_;
      group(firsts_);
      for (std::size_t i = 0; i < firsts_.size(); ++i)
        first_[ix_.document_of(firsts_[i].chunk)] = {i + 1, firsts_[i].score};
    }
    texts_.resize(cand_.size());
    views_.clear();
    for (std::size_t i = 0; i < cand_.size(); ++i) {
      texts_[i] = chunk_text(cand_[i].chunk);
      views_.push_back(texts_[i]);
    }
    hits.clear();
    if (cand_.empty()) return;
    rescored_.resize(cand_.size());
    std::size_t cut = 0;
    try {
      cut = o_.reranker->score(*query, views_, rescored_.data());
    } catch (const DataError& e) {
      r.fail(std::string("--rerank: ") + e.what());
    }
    if (cut && o_.on_truncated) o_.on_truncated(cut);
    order_.resize(cand_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return rescored_[a] > rescored_[b]; });
    for (std::size_t i : order_) hits.push_back({cand_[i].chunk, rescored_[i]});
  }

  // Analyzes the query's text and gets its vector, as the mode needs.
  void prepare(const json::Record& r) {
    if (o_.mode != Mode::dense) prepare_terms(r);
    if (o_.mode != Mode::bm25) prepare_vector(r);
  }

  void prepare_terms(const json::Record& r) {
    auto text = r.string(o_.text_field);
    if (!text) r.fail("missing field " + hewn::quoted(o_.text_field));
    terms_.clear();
    analyzer_.analyze(*text, terms_);
    weighed_ = weigh(sx_, terms_);
  }

  void prepare_vector(const json::Record& r) {
    emb_.clear();
    if (records::read_vector(r, o_.embedding_field, emb_) == records::VectorSource::none) {
      auto text = r.string(o_.text_field);
      if (!o_.query_encoder)
        r.fail("missing field " + hewn::quoted(o_.embedding_field) +
               (o_.no_embedder.empty() ? std::string() : " (" + o_.no_embedder + ")"));
      if (!text) r.fail("missing fields " + hewn::quoted(o_.embedding_field) + " and " + hewn::quoted(o_.text_field));
      try {
        if (pre_ != ~std::size_t(0)) {  // embedded with its batch
          if (!batch_errors_[pre_].empty()) throw DataError(batch_errors_[pre_]);
          const std::size_t d = batch_vecs_.size() / batch_texts_.size();
          emb_.assign(batch_vecs_.begin() + pre_ * d, batch_vecs_.begin() + (pre_ + 1) * d);
        } else {
          emb_.resize(o_.query_encoder->dim());
          std::string_view t = *text;
          if (!o_.query_prefix.empty()) {
            with_prefix_.assign(o_.query_prefix);
            with_prefix_.append(t);
            t = with_prefix_;
          }
          o_.query_encoder->encode_one(t, emb_.data());
        }
      } catch (const DataError& e) {  // a remote model's failed request, located
        r.fail(e.what());
      }
    } else if (auto* f = r.find(field::model); f && f->type == json::Type::string) {
      // A vector that names its model (embed writes "model"): it must be
      // the index's, or the scores compare unrelated spaces.
      const std::string& built = sx_.manifest().dense.model.name;
      std::string_view made = *r.string(field::model);
      if (!built.empty() && made != built)
        r.fail("query embedded by model " + hewn::quoted(made) + ", the index by " + hewn::quoted(built) +
               " (embed the queries with the index's model)");
    }
    if (emb_.size() != sx_.dense()->dim())
      r.fail("embedding has " + std::to_string(emb_.size()) + " dimensions, the index has " +
             std::to_string(sx_.dense()->dim()));
  }

  // The n best chunks of each retriever (and their fusion); true when no
  // retriever has more than it returned.
  bool retrieve(std::uint32_t n) {
    bool exhausted = true;
    if (o_.mode != Mode::dense) {
      topk_.search(weighed_, n, lex_, o_.filter);
      exhausted = exhausted && lex_.size() < n;
    }
    if (o_.mode != Mode::bm25) {
      dense_ranked(*sx_.dense(), o_.filter ? o_.filter->count() : sx_.size(), emb_.data(), n, dense_raw_, den_,
                   o_.filter, &sx_);
      exhausted = exhausted && den_.size() < n;
    }
    if (o_.mode == Mode::hybrid) fuse();
    if (lifting()) lift(o_.mode == Mode::bm25 ? lex_ : o_.mode == Mode::dense ? den_ : fused_);
    return exhausted;
  }

  bool lifting() const { return o_.levels && o_.answer < o_.level; }

  // --auto-merge: replaces enough siblings among hits by their parent,
  // level by level; hit i is then a chunk of level hit_level_[i].
  void auto_merge(std::vector<Hit>& hits) {
    hit_level_.assign(hits.size(), o_.level);
    hit_origin_.clear();
    for (auto& h : hits) hit_origin_.push_back(h.chunk);
    std::unordered_map<std::uint32_t, std::size_t> count;  // parent -> its children among the hits; 0: placed
    for (std::size_t l = o_.level; l > 0; --l) {
      count.clear();
      for (std::size_t i = 0; i < hits.size(); ++i)
        if (hit_level_[i] == l) ++count[o_.levels->parent(l, hits[i].chunk)];
      for (auto& [p, n] : count)
        if (double(n) < o_.auto_merge * double(o_.levels->children(l - 1, p))) n = ~std::size_t(0);  // stays
      std::size_t kept = 0;
      for (std::size_t i = 0; i < hits.size(); ++i) {
        Hit h = hits[i];
        std::size_t hl = hit_level_[i];
        if (hl == l) {
          std::size_t& n = count[o_.levels->parent(l, h.chunk)];
          if (n != ~std::size_t(0)) {
            if (n == 0) continue;  // its parent took the place of an earlier (better) sibling
            n = 0;
            h.chunk = o_.levels->parent(l, h.chunk);  // the best child's place and score
            hl = l - 1;
          }
        }
        hits[kept] = h;
        hit_origin_[kept] = hit_origin_[i];
        hit_level_[kept++] = hl;
      }
      hits.resize(kept);
      hit_level_.resize(kept);
      hit_origin_.resize(kept);
    }
  }

  // Small-to-big: each ranked chunk of the searched level replaced by its
  // ancestor at the answer level, the first (best) time it is reached.
  void lift(std::vector<Hit>& hits) {
    seen_.clear();
    std::size_t kept = 0;
    for (const Hit& h : hits) {
      std::uint32_t a = o_.levels->ancestor(o_.level, h.chunk, o_.answer);
      if (seen_.insert(a).second) hits[kept++] = {a, h.score};
    }
    hits.resize(kept);
  }

  void fuse() {
    std::unordered_map<std::uint32_t, double> acc;
    if (o_.fusion == Fusion::rrf) {
      for (std::size_t i = 0; i < lex_.size(); ++i) acc[lex_[i].chunk] += 1.0 / (o_.rrf_k + double(i + 1));
      for (std::size_t i = 0; i < den_.size(); ++i) acc[den_[i].chunk] += 1.0 / (o_.rrf_k + double(i + 1));
    } else {
      auto add = [&](const std::vector<Hit>& v, double w) {
        if (v.empty()) return;
        double hi = v.front().score, lo = v.back().score;
        for (auto& h : v) acc[h.chunk] += w * (hi > lo ? (h.score - lo) / (hi - lo) : 1.0);
      };
      for (auto& h : lex_) acc[h.chunk] += 0;
      for (auto& h : den_) acc[h.chunk] += 0;
      add(lex_, 1 - o_.alpha);
      add(den_, o_.alpha);
    }
    fused_.clear();
    for (auto& [d, s] : acc) fused_.push_back({d, s});
    std::sort(fused_.begin(), fused_.end(), ranks_before);
  }

  // Document-level hits: each group represented by its best chunk, scored
  // by the max or sum of its chunks' scores.
  void group(std::vector<Hit>& hits) {
    std::unordered_map<std::uint32_t, std::size_t> at;
    grouped_.clear();
    for (auto& h : hits) {  // hits are ranked: the first chunk seen is the best
      std::uint32_t g = ix_.document_of(h.chunk);
      auto it = at.find(g);
      if (it == at.end()) {
        at.emplace(g, grouped_.size());
        grouped_.push_back(h);
      } else if (o_.group == Group::sum) {
        grouped_[it->second].score += h.score;
      }
    }
    std::stable_sort(grouped_.begin(), grouped_.end(), ranks_before);
    hits.swap(grouped_);
  }

  // Each hit's context (--neighbors): how many chunks before and after it.
  void context(const std::vector<Hit>& hits) {
    ctx_.clear();
    for (std::size_t i = 0; i < hits.size(); ++i) {
      const index::Index& x = index_of_hit(i);
      std::uint32_t p = x.position(hits[i].chunk), gs = x.document_size(x.document_of(hits[i].chunk));
      ctx_.push_back({std::min(p, o_.neighbors), std::min(gs - p - 1, o_.neighbors)});
    }
  }

  // The index hit i comes from: with --auto-merge, that of its level.
  const index::Index& index_of_hit(std::size_t i) const {
    return o_.auto_merge > 0 ? o_.levels->level(hit_level_[i]) : ix_;
  }

  // The size of a chunk of out_ in the budget's unit.
  std::uint64_t size_of(std::uint32_t chunk) {
    auto info = out_->info(chunk);
    if (o_.budget_unit == BudgetUnit::chars) return info.end - info.start;
    std::string text = chunk_text(chunk);
    if (o_.budget_unit == BudgetUnit::tokens) return o_.count_tokens(text);
    words_.clear();
    analyzer_.analyze(text, words_);
    return words_.size();
  }

  // The budget caps everything returned: hits are kept in rank order while
  // they fit (stopping at the first that does not), each with its context,
  // nearest chunks first, before and after in turn, each side ending at its
  // first chunk that does not fit.
  void apply_budget(std::vector<Hit>& hits) {
    std::uint64_t left = o_.budget;
    std::size_t kept = 0;
    for (; kept < hits.size(); ++kept) {
      std::uint32_t doc = hits[kept].chunk;
      out_ = &index_of_hit(kept);  // context (--neighbors) is only without --auto-merge: of ix_
      std::uint64_t s = size_of(doc);
      if (s > left) break;
      left -= s;
      std::uint32_t g = ix_.document_of(doc), p = ix_.position(doc);
      auto [nb, na] = ctx_[kept];
      std::uint32_t b = 0, a = 0;
      bool open_b = nb > 0, open_a = na > 0;
      while (open_b || open_a) {
        if (open_b) {
          std::uint64_t c = size_of(ix_.member(g, p - b - 1));
          if (c <= left) {
            left -= c;
            open_b = ++b < nb;
          } else {
            open_b = false;
          }
        }
        if (open_a) {
          std::uint64_t c = size_of(ix_.member(g, p + a + 1));
          if (c <= left) {
            left -= c;
            open_a = ++a < na;
          } else {
            open_a = false;
          }
        }
      }
      ctx_[kept] = {b, a};
    }
    hits.resize(kept);
    ctx_.resize(kept);
    out_ = &ix_;
  }

  // The stored chunk record (valid until the next call), of out_.
  const json::Record& stored(std::uint32_t chunk) {
    stored_ = out_->record(chunk);
    std::size_t len = stored_.size();
    stored_.append(io::line_padding, ' ');
    return parser_.parse(std::string_view(stored_).substr(0, len), out_->dir() + "/docstore.bin", chunk + 1);
  }

  // The stored chunk's text: --text-field's field, else the first indexed
  // field it has (an index built with --text-field body); none is an error
  // (an empty text would pass any budget). Sets text_key_ to its field.
  std::string_view text_of(const json::Record& r) {
    text_key_ = o_.text_field;
    if (auto t = r.string(o_.text_field)) return *t;
    for (const std::string& f : ix_.manifest().fields)
      if (auto t = r.string(f)) {
        text_key_ = f;
        return *t;
      }
    r.fail("stored chunk has no " + hewn::quoted(o_.text_field) + " field (--text-field names it)");
  }

  std::string chunk_text(std::uint32_t chunk) { return std::string(text_of(stored(chunk))); }

  // "text" and "fields" of a chunk: the stored record's fields as stored,
  // but for the text and those the hit itself gives (id, doc, start, end).
  void append_stored(std::string& out, std::uint32_t chunk, bool with_text) {
    const json::Record& r = stored(chunk);
    std::string_view text = text_of(r);
    if (with_text) {
      json::append_key(out, field::text);
      json::append_string(out, text);
    }
    json::append_key(out, "fields");
    out += "{";
    bool first = true;
    for (const json::Field& f : r.fields()) {
      if (f.key == text_key_ || f.key == "id" || f.key == "doc" || f.key == "start" || f.key == "end") continue;
      json::append_key(out, f.key, first);
      out += f.raw;
      first = false;
    }
    out += "}";
  }

  // A hit record's opening: "{" and qid, id, doc, rank, score, and when
  // reranking the first stage's rank and score of first (a chunk, or a
  // document with grouping).
  void append_head(std::string& out, const std::string& qid, std::string_view id, std::string_view doc,
                   std::size_t rank, double score, std::uint32_t first) {
    out += "{";
    json::append_key(out, field::qid, true);
    json::append_string(out, qid);
    json::append_key(out, field::id);
    json::append_string(out, id);
    json::append_key(out, field::doc);
    json::append_string(out, doc);
    json::append_key(out, field::rank);
    json::append_uint(out, rank);
    json::append_key(out, field::score);
    json::append_double(out, score);
    if (o_.reranker) {
      auto [first_rank, first_score] = first_.at(first);
      json::append_key(out, field::first_rank);
      json::append_uint(out, first_rank);
      json::append_key(out, field::first_score);
      json::append_double(out, first_score);
    }
  }

  void write(const json::Record& r, const std::string& qid, const std::vector<Hit>& hits, std::string& out) {
    for (std::size_t i = 0; i < hits.size(); ++i) {
      out_ = &index_of_hit(i);
      auto info = out_->info(hits[i].chunk);
      if (o_.trec) {
        std::string_view docno = o_.group != Group::none ? info.doc : info.id;
        if (!trec_word(docno))
          r.fail("hit " + hewn::quoted(docno) + " cannot be written in a TREC run (empty, or with white space)");
        out += qid;
        out += " Q0 ";
        out += docno;
        out.push_back(' ');
        json::append_uint(out, i + 1);
        out.push_back(' ');
        json::append_double(out, hits[i].score);
        out.push_back(' ');
        out += o_.run_tag;
        out.push_back('\n');
        continue;
      }
      // first: what the reranker's first stage ranked (with --auto-merge,
      // the chunk of the searched level whose place the hit took).
      append_head(out, qid, info.id, info.doc, i + 1, hits[i].score,
                  o_.group != Group::none ? ix_.document_of(hits[i].chunk)
                  : o_.auto_merge > 0     ? hit_origin_[i]
                                          : hits[i].chunk);
      json::append_key(out, field::start);
      json::append_uint(out, info.start);
      json::append_key(out, field::end);
      json::append_uint(out, info.end);
      if (o_.text || o_.neighbors) append_stored(out, hits[i].chunk, o_.text);
      if (o_.neighbors) {
        std::uint32_t g = ix_.document_of(hits[i].chunk), p = ix_.position(hits[i].chunk);
        auto list = [&](std::string_view key, std::uint32_t from, std::uint32_t to) {
          json::append_key(out, key);
          out += "[";
          for (std::uint32_t j = from; j < to; ++j) {
            std::uint32_t d = ix_.member(g, j);
            auto ni = ix_.info(d);
            if (j > from) out += ",";
            out += "{";
            json::append_key(out, field::id, true);
            json::append_string(out, ni.id);
            json::append_key(out, field::start);
            json::append_uint(out, ni.start);
            json::append_key(out, field::end);
            json::append_uint(out, ni.end);
            append_stored(out, d, true);
            out += "}";
          }
          out += "]";
        };
        auto [b, a] = ctx_[i];
        list(field::before, p - b, p);
        list(field::after, p + 1, p + 1 + a);
      }
      out += "}\n";
    }
    out_ = &ix_;
  }

  struct FineHit {
    std::uint32_t chunk;
    std::size_t chunk_rank;
    double chunk_score;
    FineSpan span;
    std::string text;
  };

  // --fine: the spans FineRanker chooses in each hit chunk, in the chunks'
  // rank order (each chunk's spans best first), cut by --budget (in span
  // sizes), written in place of the chunks.
  void refine(const io::Input& in, const json::Record& r, const std::string& qid, const std::vector<Hit>& hits,
              std::string& out) {
    // What the first stage did not compute: the query's terms (dense mode,
    // a run) and vector (bm25 mode, a run).
    if (o_.fine.score != FineScore::dense && (o_.run || o_.mode == Mode::dense)) prepare_terms(r);
    if (o_.fine.score != FineScore::bm25 && (o_.run || o_.mode == Mode::bm25)) prepare_vector(r);
    fine_hits_.clear();
    if (o_.fine.adaptive > 0) {
      adapt(r, hits);
    } else {
      refine_each(r, hits);
    }
    finish_fine(in, qid, out);
  }

  // A hit chunk's stored text, checked against its span.
  std::string exact_text(const json::Record& r, std::uint32_t chunk) {
    auto info = ix_.info(chunk);
    std::string text = chunk_text(chunk);
    const std::uint64_t n = utf8::count(text);
    if (n != info.end - info.start)
      r.fail("--fine: stored chunk " + hewn::quoted(info.id) + " has a text of " + std::to_string(n) +
             " code points for a span of " + std::to_string(info.end - info.start) +
             " (--fine needs each chunk's exact text, as chunk writes it)");
    return text;
  }

  // --fine-adaptive: the best unit of the refined chunks alone, scored by
  // its BM25 times its chunk's score over the best chunk's, when it
  // outscores every unit that does not overlap it by the ratio; else the
  // first k refined chunks whole.
  void adapt(const json::Record& r, const std::vector<Hit>& hits) {
    const bool weigh = !hits.empty() && std::all_of(hits.begin(), hits.end(), [](const Hit& h) { return h.score > 0; });
    double best = 0, second = 0;
    std::size_t best_i = 0;
    FineSpan top, sp;
    std::string best_text;
    for (std::size_t i = 0; i < hits.size(); ++i) {
      std::string text = exact_text(r, hits[i].chunk);
      double runner = 0;
      if (!fine_->best(text, weighed_, sp, runner)) continue;
      const double w = weigh ? hits[i].score / hits.front().score : 1.0;
      const double s = sp.score * w;
      runner *= w;
      if (s > best) {  // ties: the earlier chunk
        second = std::max(best, runner);
        best = s;
        best_i = i;
        top = sp;
        best_text = std::move(text);
      } else {
        second = std::max(second, s);
      }
    }
    if (best > 0 && best >= o_.fine.adaptive * second) {
      top.score = best;
      fine_hits_.push_back({hits[best_i].chunk, best_i + 1, hits[best_i].score, top,
                            best_text.substr(top.byte_start, top.byte_end - top.byte_start)});
      return;
    }
    const std::size_t n = std::min<std::size_t>(hits.size(), o_.k);
    for (std::size_t i = 0; i < n; ++i) {
      std::string text = exact_text(r, hits[i].chunk);
      FineSpan whole;
      whole.byte_end = text.size();
      whole.end = utf8::count(text);
      whole.score = hits[i].score;
      fine_hits_.push_back({hits[i].chunk, i + 1, hits[i].score, whole, std::move(text)});
    }
  }

  void refine_each(const json::Record& r, const std::vector<Hit>& hits) {
    for (std::size_t i = 0; i < hits.size(); ++i) {
      std::string text = exact_text(r, hits[i].chunk);
      try {
        fine_->rank(text, weighed_, emb_.data(), o_.passage_encoder, o_.passage_prefix, spans_);
      } catch (const DataError& e) {
        r.fail(std::string("--fine-score: ") + e.what());
      }
      for (const FineSpan& sp : spans_)
        fine_hits_.push_back({hits[i].chunk, i + 1, hits[i].score, sp,
                              text.substr(sp.byte_start, sp.byte_end - sp.byte_start)});
    }
    if (o_.fine.by_span)  // ties: the chunk's rank, then position
      std::stable_sort(fine_hits_.begin(), fine_hits_.end(),
                       [](const FineHit& a, const FineHit& b) { return a.span.score > b.span.score; });
  }

  // The spans chosen, cut to k (--fine-depth) and by --budget, written.
  void finish_fine(const io::Input& in, const std::string& qid, std::string& out) {
    if (o_.fine.depth && fine_hits_.size() > o_.k) fine_hits_.resize(o_.k);
    if (o_.budget && !fine_hits_.empty()) {
      std::uint64_t left = o_.budget, best = span_size(fine_hits_.front());
      std::size_t kept = 0;
      for (; kept < fine_hits_.size(); ++kept) {
        std::uint64_t s = span_size(fine_hits_[kept]);
        if (s > left) break;
        left -= s;
      }
      fine_hits_.resize(kept);
      if (fine_hits_.empty() && o_.on_budget_empty) o_.on_budget_empty(in, qid, best);
    }
    for (std::size_t i = 0; i < fine_hits_.size(); ++i) {
      const FineHit& h = fine_hits_[i];
      auto info = ix_.info(h.chunk);
      const std::uint64_t start = info.start + h.span.start, end = info.start + h.span.end;
      append_head(out, qid, std::string(info.id) + ":" + std::to_string(start) + "-" + std::to_string(end), info.doc,
                  i + 1, h.span.score, h.chunk);
      json::append_key(out, field::chunk);
      json::append_string(out, info.id);
      json::append_key(out, field::chunk_rank);
      json::append_uint(out, h.chunk_rank);
      json::append_key(out, field::chunk_score);
      json::append_double(out, h.chunk_score);
      json::append_key(out, field::chunk_start);
      json::append_uint(out, info.start);
      json::append_key(out, field::chunk_end);
      json::append_uint(out, info.end);
      json::append_key(out, field::start);
      json::append_uint(out, start);
      json::append_key(out, field::end);
      json::append_uint(out, end);
      json::append_key(out, field::text);
      json::append_string(out, h.text);
      if (o_.text) append_stored(out, h.chunk, false);
      out += "}\n";
    }
  }

  // A span's size in --budget-unit.
  std::uint64_t span_size(const FineHit& h) {
    if (o_.budget_unit == BudgetUnit::chars) return h.span.end - h.span.start;
    if (o_.budget_unit == BudgetUnit::tokens) return o_.count_tokens(h.text);
    words_.clear();
    analyzer_.analyze(h.text, words_);
    return words_.size();
  }

  const index::Index& ix_;  // the index hits come from
  const index::Index& sx_;  // the index searched: ix_, or a level below it (SearchOptions::levels)
  const SearchOptions& o_;
  const index::Index* out_ = &ix_;  // the index of the hit being written (--auto-merge: of its level)
  std::vector<std::size_t> hit_level_;  // --auto-merge: each hit's level
  std::vector<std::uint32_t> hit_origin_;  // --auto-merge: the searched level's chunk each hit took the place of
  std::unique_ptr<FineRanker> fine_;
  std::vector<FineSpan> spans_;
  std::vector<FineHit> fine_hits_;
  index::Analyzer analyzer_;
  TopK topk_;
  json::Parser parser_, query_parser_;  // stored records; queries from raw files
  std::string stored_, text_key_, line_;
  std::vector<std::string> terms_, words_;
  std::vector<QueryTerm> weighed_;
  std::vector<float> emb_;
  std::string with_prefix_;  // a query text after query_prefix
  // handle_batch(): the texts embedded together, each input's place among
  // them (~0: none), their vectors and errors; the input being handled's.
  std::vector<std::string> batch_texts_;
  std::vector<std::size_t> batch_slot_;
  std::vector<float> batch_vecs_;
  std::vector<std::string> batch_errors_;
  std::size_t pre_ = ~std::size_t(0);
  std::vector<std::pair<std::uint32_t, float>> dense_raw_;
  std::vector<Hit> lex_, den_, fused_, grouped_, given_, cand_, firsts_;
  std::unordered_set<std::uint32_t> seen_;
  std::unordered_map<std::uint32_t, std::pair<std::size_t, double>> first_;  // chunk or document: first-stage rank, score
  std::vector<std::string> texts_;
  std::vector<std::string_view> views_;
  std::vector<double> rescored_;
  std::vector<std::size_t> order_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ctx_;  // context kept: before, after
  std::vector<double> scores_;
};

}  // namespace

std::unique_ptr<io::Handler> make_searcher(const index::Index& ix, const SearchOptions& o) {
  return std::make_unique<Searcher>(ix, o);
}

}  // namespace hewn::query
