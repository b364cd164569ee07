#include "score/intrinsic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "text/segment.hpp"

namespace hewn::score {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Byte offset of every code point of s, plus s.size().
std::vector<std::size_t> code_point_bytes(std::string_view s) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (utf8::is_boundary(s, i)) out.push_back(i);
  out.push_back(s.size());
  return out;
}

bool horizontal_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// True when only whitespace holding at least two line breaks (a blank line),
// or nothing, follows byte b.
bool paragraph_end(std::string_view s, std::size_t b) {
  int breaks = 0;
  for (std::size_t i = b; i < s.size(); ++i) {
    if (s[i] == '\n') ++breaks;
    else if (!horizontal_space(s[i])) return breaks >= 2;
  }
  return true;
}

// Fenced code blocks (``` or ~~~ lines to the matching fence, or to the end)
// and tables (runs of lines whose first non-blank character is '|'), as
// byte ranges.
std::vector<std::pair<std::size_t, std::size_t>> blocks(std::string_view s) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t i = 0;
  std::size_t table_start = std::string_view::npos, table_end = 0;
  std::string fence;
  std::size_t fence_start = 0;
  while (i < s.size()) {
    std::size_t nl = s.find('\n', i);
    std::size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(i, end - i);
    std::size_t k = 0;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    std::string_view body = line.substr(k);
    while (!body.empty() && body.back() == '\r') body.remove_suffix(1);
    if (!fence.empty()) {
      if (body.starts_with(fence) && body.find_first_not_of(fence[0]) == std::string_view::npos) {
        out.emplace_back(fence_start, end);
        fence.clear();
      }
    } else if (body.starts_with("```") || body.starts_with("~~~")) {
      if (table_start != std::string_view::npos) {
        out.emplace_back(table_start, table_end);
        table_start = std::string_view::npos;
      }
      std::size_t n = body.find_first_not_of(body[0]);
      fence = std::string(body.substr(0, n == std::string_view::npos ? body.size() : n));
      fence_start = i + k;
    } else if (body.starts_with("|")) {
      if (table_start == std::string_view::npos) table_start = i + k;
      table_end = end;
    } else if (table_start != std::string_view::npos) {
      out.emplace_back(table_start, table_end);
      table_start = std::string_view::npos;
    }
    i = end + 1;
  }
  if (!fence.empty()) out.emplace_back(fence_start, s.size());
  if (table_start != std::string_view::npos) out.emplace_back(table_start, table_end);
  return out;
}

double cosine(const std::vector<float>& a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}

// ICC: per chunk, the mean cosine of its sentences' embeddings (ICU
// sentences of the chunk's text, trimmed, empty ones skipped) with the
// chunk's embedding; the mean over chunks that have a sentence.
double intrachunk_cohesion(const Chunks& chunks, const IntrinsicOptions& o) {
  text::Segmenter seg(text::Boundary::sentence, text::check_locale(o.lang));
  std::vector<float> v;
  std::vector<double> chunk_vec;
  double total = 0;
  long counted = 0;
  for (const auto& c : chunks.records) {
    chunk_vec.assign(c.embedding.begin(), c.embedding.end());
    std::string_view t = c.text;
    seg.set_text(t);
    double sum = 0;
    long sentences = 0;
    for (std::size_t b = seg.first(), e; b != text::done && (e = seg.next()) != text::done; b = e) {
      std::size_t sb = b, se = e;
      text::trim(t, sb, se);
      if (sb >= se) continue;
      v.resize(o.encoder->dim());
      o.encoder->encode_one(t.substr(sb, se - sb), v.data());
      if (v.size() != c.embedding.size())
        data_error(chunks.source, c.line,
                   "the sentence embedder gives " + std::to_string(v.size()) + " dimensions, the chunk embedding has " +
                       std::to_string(c.embedding.size()));
      sum += cosine(v, chunk_vec);
      ++sentences;
    }
    if (!sentences) continue;
    total += sum / static_cast<double>(sentences);
    ++counted;
  }
  return counted ? total / static_cast<double>(counted) : nan;
}

double quantile(std::vector<long> v, double q) {  // nearest rank
  if (v.empty()) return nan;
  std::sort(v.begin(), v.end());
  std::size_t idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return static_cast<double>(v[idx == 0 ? 0 : idx - 1]);
}

}  // namespace

IntrinsicResult intrinsic(const Chunks& chunks, const Documents* docs, const IntrinsicOptions& o) {
  IntrinsicResult res;
  auto put = [&](const char* name, double v) {
    res.names.push_back(name);
    res.values.push_back(v);
  };
  std::size_t n = chunks.records.size();
  double sum = 0, comply = 0;
  for (const auto& c : chunks.records) {
    long size = c.end - c.start;
    res.sizes.push_back(size);
    sum += static_cast<double>(size);
    comply += size >= o.min_size && (o.max_size < 0 || size <= o.max_size);
  }
  double dn = static_cast<double>(n);
  double mean = n ? sum / dn : nan, var = 0;
  for (long s : res.sizes) var += (static_cast<double>(s) - mean) * (static_cast<double>(s) - mean);
  put("chunks", dn);
  put("size_mean", mean);
  put("size_std", n ? std::sqrt(var / dn) : nan);
  put("size_min", n ? static_cast<double>(*std::min_element(res.sizes.begin(), res.sizes.end())) : nan);
  put("size_p50", quantile(res.sizes, 0.5));
  put("size_p90", quantile(res.sizes, 0.9));
  put("size_max", n ? static_cast<double>(*std::max_element(res.sizes.begin(), res.sizes.end())) : nan);
  put("size_compliance", n ? comply / dn : nan);
  if (docs) {
    text::Segmenter seg(text::Boundary::sentence, text::check_locale(o.lang));
    long sentence_ends = 0, paragraph_ends = 0, num_blocks = 0, intact = 0;
    for (const auto& [doc, idx] : chunks.by_doc) {
      auto t = docs->text.find(doc);
      if (t == docs->text.end()) {
        const ChunkRecord& c = chunks.records[idx.front()];
        data_error(chunks.source, c.line, "document " + quoted(doc) + " is unknown");
      }
      std::string_view s = t->second;
      auto cp = code_point_bytes(s);
      long len = static_cast<long>(cp.size()) - 1;
      seg.set_text(s);
      for (std::size_t i : idx) {
        const ChunkRecord& c = chunks.records[i];
        if (c.end > len)
          data_error(chunks.source, c.line,
                     "chunk end " + std::to_string(c.end) + " is beyond the end of document " + quoted(doc) + " (" +
                         std::to_string(len) + " code points)");
        std::size_t b = cp[c.end];
        std::size_t after = b;  // ICU sentences include their trailing spaces
        while (after < s.size() && (horizontal_space(s[after]) || s[after] == '\n')) ++after;
        sentence_ends += after == s.size() || seg.is_boundary(after);
        paragraph_ends += paragraph_end(s, b);
      }
      for (auto [bb, be] : blocks(s)) {
        ++num_blocks;
        long cb = static_cast<long>(std::lower_bound(cp.begin(), cp.end(), bb) - cp.begin());
        long ce = static_cast<long>(std::lower_bound(cp.begin(), cp.end(), be) - cp.begin());
        bool whole = false;
        for (std::size_t i : idx) whole = whole || (chunks.records[i].start <= cb && ce <= chunks.records[i].end);
        intact += whole;
      }
    }
    put("sentence_end_share", n ? static_cast<double>(sentence_ends) / dn : nan);
    put("paragraph_end_share", n ? static_cast<double>(paragraph_ends) / dn : nan);
    put("blocks", static_cast<double>(num_blocks));
    put("block_integrity", num_blocks ? static_cast<double>(intact) / static_cast<double>(num_blocks) : nan);
  }
  // DCC: cosine of each chunk's embedding with the mean embedding of up to
  // `window` neighbours on each side in the same document (input order).
  bool embedded = n > 0;
  for (const auto& c : chunks.records) embedded = embedded && !c.embedding.empty();
  if (embedded) {
    double total = 0;
    long counted = 0;
    for (const auto& [doc, idx] : chunks.by_doc) {
      for (std::size_t p = 0; p < idx.size(); ++p) {
        const auto& e = chunks.records[idx[p]].embedding;
        std::vector<double> ctx(e.size(), 0.0);
        long used = 0;
        for (long d = -o.window; d <= o.window; ++d) {
          long q = static_cast<long>(p) + d;
          if (d == 0 || q < 0 || q >= static_cast<long>(idx.size())) continue;
          const auto& f = chunks.records[idx[q]].embedding;
          if (f.size() != e.size())
            data_error(chunks.source, chunks.records[idx[q]].line, "embedding sizes differ");
          for (std::size_t i = 0; i < f.size(); ++i) ctx[i] += f[i];
          ++used;
        }
        if (!used) continue;
        total += cosine(e, ctx);
        ++counted;
      }
    }
    put("dcc", counted ? total / static_cast<double>(counted) : nan);
    if (o.encoder) put("icc", intrachunk_cohesion(chunks, o));
  }
  return res;
}

}  // namespace hewn::score
