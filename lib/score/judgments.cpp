#include "score/judgments.hpp"

#include <cmath>

#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"
#include "core/line_reader.hpp"
#include "score/text_fields.hpp"

namespace hewn::score {

namespace field = records::field;

namespace {

// The last word of a TSV qrels header: BEIR's "score", or a synonym.
bool header_word(std::string_view s) {
  std::string w;
  for (char c : s) w += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return w == "score" || w == "rel" || w == "relevance" || w == "label";
}

}  // namespace

const TopicJudgments* Qrels::find(std::string_view qid) const {
  auto it = std::lower_bound(topics_.begin(), topics_.end(), qid,
                             [](const TopicJudgments& t, std::string_view q) { return t.qid < q; });
  return it != topics_.end() && it->qid == qid ? &*it : nullptr;
}

Qrels Qrels::read(const std::string& path) {
  Qrels q;
  io::LineReader reader(io::open_input(path));
  io::LineBatch batch;
  json::Parser parser;
  std::unordered_map<std::string, std::size_t> index;
  int jsonl = -1;  // unknown
  int beir = -1;   // TREC lines: unknown, TREC qrels (0) or BEIR's TSV with a header (1)
  std::string qid_buf;
  auto topic = [&](std::string_view qid) -> TopicJudgments& {
    qid_buf.assign(qid);
    auto [it, fresh] = index.try_emplace(qid_buf, q.topics_.size());
    if (fresh) q.topics_.push_back({qid_buf, {}});
    return q.topics_[it->second];
  };
  std::string_view f[4];
  while (reader.next_batch(batch, 1 << 20)) {
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
      std::string_view line = batch.line(i);
      std::uint64_t no = batch.lines[i].number;
      if (jsonl < 0) jsonl = detail::first_char(line) == '{';
      if (jsonl) {
        const json::Record& r = parser.parse(line, batch.source, no);
        auto qid = r.id(field::qid);
        if (!qid) r.fail("missing field \"qid\"");
        auto doc = r.find(field::doc) ? r.id(field::doc) : r.id(field::id);
        if (!doc) r.fail("missing field \"doc\" (or \"id\")");
        auto rel = r.number(field::rel);
        if (!rel) r.fail("missing field \"rel\"");
        if (!(std::fabs(*rel) <= static_cast<double>(max_relevance)) ||
            *rel != static_cast<double>(static_cast<long>(*rel)))
          r.fail(std::fabs(*rel) > static_cast<double>(max_relevance)
                     ? "relevance out of range (at most " + std::to_string(max_relevance) + " either way)"
                     : std::string("field \"rel\" is not an integer"));
        topic(*qid).docs.push_back({q.storage_->add(*doc), static_cast<long>(*rel), no});
        q.num_positive_ += *rel > 0;
        continue;
      }
      if (detail::is_comment(line)) continue;
      std::size_t n = detail::split_fields(line, f, 4);
      if (beir < 0) {  // BEIR's TSV starts with a header such as "query-id corpus-id score"
        beir = n == 3 && header_word(f[2]);
        if (beir) continue;
      }
      if (beir && n != 3)
        data_error(batch.source, no,
                   "expected 3 fields (query-id corpus-id score, as the header line says), found " + std::to_string(n));
      if (!beir && n != 4)
        data_error(batch.source, no,
                   "expected 4 fields (topic iteration document relevance), found " + std::to_string(n) +
                       (n == 3 ? " (BEIR's layout \"query-id corpus-id score\" needs its header line)" : ""));
      std::string_view rel_text = f[beir ? 2 : 3], doc = f[beir ? 1 : 2];
      auto rel = detail::parse_long(rel_text);
      if (!rel) data_error(batch.source, no, "relevance " + quoted(rel_text) + " is not an integer");
      if (*rel > max_relevance || *rel < -max_relevance)
        data_error(batch.source, no,
                   "relevance " + std::string(rel_text) + " is out of range (at most " +
                       std::to_string(max_relevance) + " either way)");
      topic(f[0]).docs.push_back({q.storage_->add(doc), *rel, no});
      q.num_positive_ += *rel > 0;
    }
  }
  if (q.topics_.empty()) data_error(reader.name(), 0, "no judgments");
  std::sort(q.topics_.begin(), q.topics_.end(),
            [](const TopicJudgments& a, const TopicJudgments& b) { return a.qid < b.qid; });
  for (auto& t : q.topics_) {
    std::stable_sort(t.docs.begin(), t.docs.end(), [](const Judgment& a, const Judgment& b) { return a.doc < b.doc; });
    for (std::size_t i = 1; i < t.docs.size(); ++i)
      if (t.docs[i].doc == t.docs[i - 1].doc)
        data_error(reader.name(), std::max(t.docs[i].line, t.docs[i - 1].line),
                   "document " + quoted(t.docs[i].doc) + " judged twice for topic " + quoted(t.qid) +
                       " (also at line " + std::to_string(std::min(t.docs[i].line, t.docs[i - 1].line)) + ")");
  }
  return q;
}

}  // namespace hewn::score
