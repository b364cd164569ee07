// MoC's boundary clarity and chunk stickiness: see moc.hpp and score(1).
#include "score/moc.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::score {

std::optional<double> moc_loss(const std::vector<TokenScore>& tokens, std::uint64_t q_offset) {
  double sum = 0;
  std::size_t n = 0;
  bool first = true;
  for (const TokenScore& t : tokens) {
    if (t.offset < q_offset) continue;
    if (first) {  // q's first token: without context it has no score, so it is left out of both losses
      first = false;
      continue;
    }
    if (!t.logprob) continue;
    sum -= *t.logprob;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

double structural_entropy(std::size_t nodes, const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
  std::vector<std::uint64_t> degree(nodes, 0);
  for (const auto& [a, b] : edges) {
    ++degree[a];
    ++degree[b];
  }
  const double total = 2.0 * static_cast<double>(edges.size());
  double h = 0;
  for (std::uint64_t d : degree)
    if (d > 0) {
      double p = static_cast<double>(d) / total;
      h -= p * std::log2(p);
    }
  return h;
}

namespace {

constexpr std::string_view separator = "\n\n";
constexpr std::size_t batch_texts = 256;  // texts asked at once (several documents)

struct Doc {
  std::vector<std::size_t> chunks;  // record indices, by start
  std::vector<std::optional<double>> alone;  // L(c_j)
  std::unordered_map<std::uint64_t, std::optional<double>> given;  // i * n + j -> L(c_j | c_i)
};

}  // namespace

MocResult moc_measures(const Chunks& chunks, const MocOptions& o) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Documents in the order they first appear; chunks by start, then end.
  std::vector<std::string> order;
  {
    std::unordered_map<std::string, bool> seen;
    for (const ChunkRecord& r : chunks.records)
      if (!seen[r.doc]) {
        seen[r.doc] = true;
        order.push_back(r.doc);
      }
  }
  for (const ChunkRecord& r : chunks.records)
    if (r.text.empty())
      data_error(chunks.source, r.line, "chunk " + quoted(r.id) + " has no \"text\" (MoC measures read it)");

  double bc_sum = 0, cs_c_sum = 0, cs_i_sum = 0;
  std::uint64_t pairs = 0, docs_counted = 0;
  bool any_loss = false;

  std::vector<Doc> batch;
  // One request: which document, which chunk is q, which is the context (-1: none).
  struct Ask {
    std::size_t doc, q;
    long context;
  };
  std::vector<Ask> asks;  // the batch's requests; their texts are built batch_texts at a time

  auto finish_batch = [&] {
    std::vector<std::string> texts;
    std::vector<std::vector<TokenScore>> got;
    std::vector<std::string> errors;
    for (std::size_t from = 0; from < asks.size(); from += batch_texts) {
      const std::size_t to = std::min(asks.size(), from + batch_texts);
      texts.clear();
      for (std::size_t k = from; k < to; ++k) {
        const Doc& d = batch[asks[k].doc];
        const std::string& q = chunks.records[d.chunks[asks[k].q]].text;
        if (asks[k].context < 0) {
          texts.push_back(q);
        } else {
          texts.push_back(chunks.records[d.chunks[asks[k].context]].text);
          texts.back() += separator;
          texts.back() += q;
        }
      }
      o.model->logprobs(texts, got, errors);
      for (std::size_t k = from; k < to; ++k) {
        Doc& d = batch[asks[k].doc];
        const ChunkRecord& q = chunks.records[d.chunks[asks[k].q]];
        if (!errors[k - from].empty())
          data_error(chunks.source, q.line,
                     "the model gave no log-probabilities for chunk " + quoted(q.id) + ": " + errors[k - from]);
        std::uint64_t q_offset = 0;
        if (asks[k].context >= 0)
          q_offset = utf8::count(chunks.records[d.chunks[asks[k].context]].text) + separator.size();
        auto loss = moc_loss(got[k - from], q_offset);
        if (loss) any_loss = true;
        if (asks[k].context < 0) d.alone[asks[k].q] = loss;
        else d.given[static_cast<std::uint64_t>(asks[k].context) * d.chunks.size() + asks[k].q] = loss;
      }
    }
    for (Doc& d : batch) {
      const std::size_t n = d.chunks.size();
      auto ratio = [&](std::size_t i, std::size_t j) -> std::optional<double> {  // ppl(c_j | c_i) / ppl(c_j)
        auto it = d.given.find(static_cast<std::uint64_t>(i) * n + j);
        if (it == d.given.end() || !it->second || !d.alone[j]) return std::nullopt;
        return std::exp(*it->second - *d.alone[j]);
      };
      for (std::size_t j = 1; j < n; ++j) {
        auto it = d.given.find(static_cast<std::uint64_t>(j - 1) * n + j);
        if (it == d.given.end() || !it->second || !d.alone[j] || *d.alone[j] == 0) continue;
        bc_sum += *it->second / *d.alone[j];
        ++pairs;
      }
      std::vector<std::pair<std::size_t, std::size_t>> complete, incomplete;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) {
          if (i == j) continue;
          auto w = ratio(i, j);
          if (!w) continue;
          double v = o.edge == MocEdge::ratio ? *w : 1.0 - *w;
          if (!(v > o.k)) continue;
          complete.emplace_back(i, j);
          if (i < j) incomplete.emplace_back(i, j);
        }
      cs_c_sum += structural_entropy(n, complete);
      cs_i_sum += structural_entropy(n, incomplete);
      ++docs_counted;
    }
    batch.clear();
    asks.clear();
  };

  for (const std::string& id : order) {
    Doc d;
    d.chunks = chunks.by_doc.at(id);
    std::stable_sort(d.chunks.begin(), d.chunks.end(), [&](std::size_t a, std::size_t b) {
      const ChunkRecord &x = chunks.records[a], &y = chunks.records[b];
      return x.start != y.start ? x.start < y.start : x.end < y.end;
    });
    const std::size_t n = d.chunks.size();
    d.alone.assign(n, std::nullopt);
    const std::size_t di = batch.size();
    for (std::size_t j = 0; j < n; ++j) asks.push_back({di, j, -1});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (i == j) continue;
        std::size_t gap = i < j ? j - i : i - j;
        if (o.distance > 0 && gap > static_cast<std::size_t>(o.distance)) continue;
        asks.push_back({di, j, static_cast<long>(i)});
      }
    batch.push_back(std::move(d));
    if (asks.size() >= batch_texts) finish_batch();
  }
  if (!batch.empty()) finish_batch();

  MocResult r;
  r.names = {"boundary_clarity", "chunk_stickiness_complete", "chunk_stickiness_incomplete", "moc_pairs",
             "moc_documents"};
  bool scored = any_loss;  // a dry run scores nothing
  r.values = {pairs ? bc_sum / static_cast<double>(pairs) : nan,
              scored && docs_counted ? cs_c_sum / static_cast<double>(docs_counted) : nan,
              scored && docs_counted ? cs_i_sum / static_cast<double>(docs_counted) : nan, static_cast<double>(pairs),
              static_cast<double>(docs_counted)};
  return r;
}

}  // namespace hewn::score
