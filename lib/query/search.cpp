#include "query/search.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "core/utf8.hpp"
#include "index/analyzer.hpp"

namespace hewn::query {

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

namespace {

class Searcher : public io::Handler {
 public:
  Searcher(const index::Index& ix, const SearchOptions& o)
      : ix_(ix), o_(o), analyzer_(ix.manifest().analyzer), topk_(ix) {}

  void handle(const io::Input& in, std::string& out) override {
    if (!in.record) throw DataError(std::string(in.source) + ": query reads JSON Lines query records");
    const json::Record& r = *in.record;
    std::string qid = r.id(o_.id_field).value_or(in.default_id());
    if (o_.trec && !trec_word(qid))
      r.fail("query id " + hewn::quoted(qid) + " cannot be written in a TREC run (empty, or with white space)");
    std::uint32_t depth = o_.depth ? o_.depth : std::max<std::uint32_t>(o_.k, 100);
    std::uint32_t want = o_.k;
    if (o_.adaptive) want = o_.max_k ? o_.max_k : o_.k;
    bool reshape = o_.group != Group::none || o_.mode == Mode::hybrid;
    std::uint32_t n = std::min(reshape ? std::max(depth, want) : want, ix_.size());

    if (o_.mode != Mode::dense) {
      auto text = r.string(o_.text_field);
      if (!text) r.fail("missing field " + hewn::quoted(o_.text_field));
      terms_.clear();
      analyzer_.analyze(*text, terms_);
      topk_.search(weigh(ix_, terms_), n, lex_);
    }
    if (o_.mode != Mode::bm25) {
      emb_.clear();
      if (r.vector(o_.embedding_field, emb_) == json::Record::VectorField::none) {
        auto text = r.string(o_.text_field);
        if (!o_.embed_text) r.fail("missing field " + hewn::quoted(o_.embedding_field));
        if (!text) r.fail("missing fields " + hewn::quoted(o_.embedding_field) + " and " + hewn::quoted(o_.text_field));
        o_.embed_text(*text, emb_);
      }
      if (emb_.size() != ix_.dense()->dim())
        r.fail("embedding has " + std::to_string(emb_.size()) + " dimensions, the index has " +
               std::to_string(ix_.dense()->dim()));
      ix_.dense()->search(emb_.data(), n, dense_raw_);
      den_.clear();
      for (auto& [d, s] : dense_raw_) den_.push_back({d, static_cast<double>(s)});
      std::stable_sort(den_.begin(), den_.end(), ranks_before);
    }
    std::vector<Hit>& hits = o_.mode == Mode::bm25 ? lex_ : o_.mode == Mode::dense ? den_ : fused_;
    if (o_.mode == Mode::hybrid) fuse();
    if (o_.group != Group::none) group(hits);
    if (hits.size() > want) hits.resize(want);
    if (o_.adaptive) {
      scores_.clear();
      for (auto& h : hits) scores_.push_back(h.score);
      hits.resize(adaptive_cut(scores_, o_.min_k, want));
    }
    if (o_.budget) apply_budget(hits);
    write(r, qid, hits, out);
  }

 private:
  void fuse() {
    std::unordered_map<std::uint32_t, double> acc;
    if (o_.fusion == Fusion::rrf) {
      for (std::size_t i = 0; i < lex_.size(); ++i) acc[lex_[i].doc] += 1.0 / (o_.rrf_k + double(i + 1));
      for (std::size_t i = 0; i < den_.size(); ++i) acc[den_[i].doc] += 1.0 / (o_.rrf_k + double(i + 1));
    } else {
      auto add = [&](const std::vector<Hit>& v, double w) {
        if (v.empty()) return;
        double hi = v.front().score, lo = v.back().score;
        for (auto& h : v) acc[h.doc] += w * (hi > lo ? (h.score - lo) / (hi - lo) : 1.0);
      };
      for (auto& h : lex_) acc[h.doc] += 0;
      for (auto& h : den_) acc[h.doc] += 0;
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
      std::uint32_t g = ix_.group_of(h.doc);
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

  std::uint64_t size_of(std::uint32_t doc) {
    auto info = ix_.info(doc);
    if (o_.budget_unit == BudgetUnit::chars) return info.end - info.start;
    std::string text = chunk_text(doc);
    if (o_.budget_unit == BudgetUnit::tokens) return o_.count_tokens(text);
    words_.clear();
    analyzer_.analyze(text, words_);
    return words_.size();
  }

  // Keeps hits in rank order while they fit in the budget, skipping those
  // that do not fit (greedy fill).
  void apply_budget(std::vector<Hit>& hits) {
    std::uint64_t left = o_.budget;
    std::size_t w = 0;
    for (auto& h : hits) {
      std::uint64_t s = size_of(h.doc);
      if (s <= left) {
        left -= s;
        hits[w++] = h;
      }
    }
    hits.resize(w);
  }

  std::string chunk_text(std::uint32_t doc) {
    std::string rec = ix_.record(doc);
    rec.append(io::line_padding, ' ');
    const json::Record& r =
        parser_.parse(std::string_view(rec).substr(0, rec.size() - io::line_padding), ix_.dir() + "/docstore.bin", doc + 1);
    // The stored chunk's text: --text-field's field, else the first indexed
    // field it has (an index built with --text-field body); none is an error
    // (an empty text would pass any budget).
    if (auto t = r.string(o_.text_field)) return std::string(*t);
    for (const std::string& f : ix_.manifest().fields)
      if (auto t = r.string(f)) return std::string(*t);
    r.fail("stored chunk has no " + hewn::quoted(o_.text_field) + " field (--text-field names it)");
  }


  void write(const json::Record& r, const std::string& qid, const std::vector<Hit>& hits, std::string& out) {
    for (std::size_t i = 0; i < hits.size(); ++i) {
      auto info = ix_.info(hits[i].doc);
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
      out += "{";
      json::append_key(out, "qid", true);
      json::append_string(out, qid);
      json::append_key(out, "id");
      json::append_string(out, info.id);
      json::append_key(out, "doc");
      json::append_string(out, info.doc);
      json::append_key(out, "rank");
      json::append_uint(out, i + 1);
      json::append_key(out, "score");
      json::append_double(out, hits[i].score);
      json::append_key(out, "start");
      json::append_uint(out, info.start);
      json::append_key(out, "end");
      json::append_uint(out, info.end);
      if (o_.text) {
        json::append_key(out, "text");
        json::append_string(out, chunk_text(hits[i].doc));
      }
      if (o_.neighbors) {
        std::uint32_t g = ix_.group_of(hits[i].doc), p = ix_.position(hits[i].doc), gs = ix_.group_size(g);
        auto list = [&](const char* key, std::uint32_t from, std::uint32_t to) {
          json::append_key(out, key);
          out += "[";
          for (std::uint32_t j = from; j < to; ++j) {
            std::uint32_t d = ix_.member(g, j);
            auto ni = ix_.info(d);
            if (j > from) out += ",";
            out += "{";
            json::append_key(out, "id", true);
            json::append_string(out, ni.id);
            json::append_key(out, "start");
            json::append_uint(out, ni.start);
            json::append_key(out, "end");
            json::append_uint(out, ni.end);
            json::append_key(out, "text");
            json::append_string(out, chunk_text(d));
            out += "}";
          }
          out += "]";
        };
        list("before", p >= o_.neighbors ? p - o_.neighbors : 0, p);
        list("after", p + 1, p + 1 + std::min<std::size_t>(gs - p - 1, o_.neighbors));
      }
      out += "}\n";
    }
  }

  const index::Index& ix_;
  const SearchOptions& o_;
  index::Analyzer analyzer_;
  TopK topk_;
  json::Parser parser_;
  std::vector<std::string> terms_, words_;
  std::vector<float> emb_;
  std::vector<std::pair<std::uint32_t, float>> dense_raw_;
  std::vector<Hit> lex_, den_, fused_, grouped_;
  std::vector<double> scores_;
};

}  // namespace

std::unique_ptr<io::Handler> make_searcher(const index::Index& ix, const SearchOptions& o) {
  return std::make_unique<Searcher>(ix, o);
}

}  // namespace hewn::query
