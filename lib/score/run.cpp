#include "score/run.hpp"

#include <algorithm>
#include <unordered_map>

#include <simdjson.h>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"
#include "core/line_reader.hpp"
#include "score/text_fields.hpp"

namespace hewn::score {

namespace field = records::field;

namespace {

// The "start"/"end" of each object of the array field key (query's
// "before"/"after" neighbours), appended to out.
void neighbour_spans(const json::Record& r, std::string_view key, std::vector<std::pair<long, long>>& out) {
  const json::Field* f = r.find(key);
  if (!f) return;
  auto bad = [&] {
    r.fail("field " + quoted(key) + " is not an array of objects with integer \"start\" and \"end\"");
  };
  if (f->type != json::Type::array) bad();
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string text(f->raw);
  simdjson::dom::element doc;
  if (parser.parse(text).get(doc)) bad();
  for (simdjson::dom::element e : doc.get_array()) {
    int64_t s = 0, t = 0;
    if (!e.is_object() || e["start"].get_int64().get(s) || e["end"].get_int64().get(t) || s < 0 || t < s) bad();
    out.emplace_back(static_cast<long>(s), static_cast<long>(t));
  }
}

// A hit's own span, neighbours and rank.
HitSpan hit_span(const json::Record& r) {
  HitSpan h;
  bool has_start = r.find(field::start), has_end = r.find(field::end);
  if (has_start != has_end) r.fail(has_start ? "hit has \"start\" but no \"end\"" : "hit has \"end\" but no \"start\"");
  if (has_start) {
    h.start = static_cast<long>(r.require_whole(field::start));
    h.end = static_cast<long>(r.require_whole(field::end));
    if (h.start > h.end)
      r.fail("hit span start " + std::to_string(h.start) + " is after its end " + std::to_string(h.end));
  }
  neighbour_spans(r, "before", h.context);
  neighbour_spans(r, "after", h.context);
  if (has_start || !h.context.empty()) {
    auto doc = r.id(field::doc);
    if (!doc) r.fail("missing field \"doc\" (the document of the hit's span)");
    h.doc = std::move(*doc);
  }
  if (auto rank = r.number("rank")) {
    h.has_rank = true;
    h.rank = *rank;
  }
  return h;
}

}  // namespace

const TopicRun* Run::find(std::string_view qid) const {
  auto it = std::lower_bound(order_.begin(), order_.end(), qid,
                             [&](std::size_t i, std::string_view q) { return topics_[i].qid < q; });
  return it != order_.end() && topics_[*it].qid == qid ? &topics_[*it] : nullptr;
}

Run Run::read(const std::string& path, const RunOptions& options,
               const std::function<void(const TopicRun&)>* sink) {
  Run run;
  run.source = path;
  io::LineReader reader(io::open_input(path));
  io::LineBatch batch;
  json::Parser parser;
  std::unordered_map<std::string, std::size_t> index;
  // Per topic, for JSON "doc" matching: doc -> hit index (MaxP).
  std::vector<std::unordered_map<std::string_view, std::size_t>> seen;
  int jsonl = -1;
  std::string qid_buf;
  std::size_t current = static_cast<std::size_t>(-1);
  std::vector<Hit> spare;  // sink mode: hit storage reused across topics
  auto hand_off = [&] {
    TopicRun& done = run.topics_[current];
    (*sink)(done);
    spare.swap(done.hits);
    spare.clear();
    done.spans.clear();
    if (jsonl) seen[current].clear();
    run.storage_->clear();
  };
  auto topic = [&](std::string_view qid) -> std::size_t {
    if (current != static_cast<std::size_t>(-1) && run.topics_[current].qid == qid) return current;
    qid_buf.assign(qid);
    auto [it, fresh] = index.try_emplace(qid_buf, run.topics_.size());
    if (sink) {
      if (!fresh) throw TopicsNotGrouped();
      if (current != static_cast<std::size_t>(-1)) hand_off();
    }
    if (fresh) {
      run.topics_.push_back({qid_buf, {}, {}});
      if (sink) run.topics_.back().hits.swap(spare);
      if (jsonl) seen.emplace_back();
    }
    return current = it->second;
  };
  std::string_view f[6];
  std::string_view last_tag;
  std::string tag;
  while (reader.next_batch(batch, 1 << 20)) {
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
      std::string_view line = batch.line(i);
      std::uint64_t no = batch.lines[i].number;
      if (jsonl < 0) jsonl = detail::first_char(line) == '{';
      if (!jsonl) {
        if (detail::is_comment(line)) continue;
        std::size_t n = detail::split_fields(line, f, 6);
        if (n < 6)
          data_error(batch.source, no,
                     "expected 6 fields (topic Q0 document rank score run), found " + std::to_string(n));
        auto score = detail::parse_double(f[4]);
        if (!score) data_error(batch.source, no, "score " + quoted(f[4]) + " is not a number");
        std::size_t t = topic(f[0]);
        run.topics_[t].hits.push_back({*score, run.storage_->add(f[2]), no});
        last_tag = f[5];
        ++run.lines;
        continue;
      }
      const json::Record& r = parser.parse(line, batch.source, no);
      auto qid = r.id(field::qid);
      if (!qid) r.fail("missing field \"qid\"");
      std::optional<std::string> doc;
      if (options.match == MatchField::doc && r.find(field::doc)) doc = r.id(field::doc);
      else doc = r.id(field::id);
      if (!doc) r.fail(options.match == MatchField::doc ? "missing field \"doc\" (or \"id\")" : "missing field \"id\"");
      const json::Field* sf = r.find(field::score);
      if (!sf) r.fail("missing field \"score\"");
      if (sf->type != json::Type::number) r.fail("field \"score\" is not a number");
      double score = *r.number(field::score);
      if (run.runid.empty()) {
        if (auto rn = r.string("run")) run.runid = std::string(*rn);
      }
      std::size_t t = topic(*qid);
      auto& hits = run.topics_[t].hits;
      ++run.lines;
      if (options.match == MatchField::doc) {
        auto found = seen[t].find(std::string_view(*doc));
        if (found != seen[t].end()) {
          if (score > hits[found->second].score) hits[found->second].score = score;
          continue;
        }
        std::string_view d = run.storage_->add(*doc);
        seen[t].emplace(d, hits.size());
        hits.push_back({score, d, no});
      } else {
        hits.push_back({score, run.storage_->add(*doc), no});
      }
      if (options.spans) run.topics_[t].spans.push_back(hit_span(r));
    }
    if (!jsonl && !last_tag.empty()) tag.assign(last_tag);  // batch memory is reused
    last_tag = {};
  }
  if (run.topics_.empty()) data_error(reader.name(), 0, "no results");
  if (sink) hand_off();
  if (!jsonl) run.runid = tag;
  run.json = jsonl == 1;
  if (run.runid.empty()) run.runid = path;
  run.order_.resize(run.topics_.size());
  for (std::size_t i = 0; i < run.order_.size(); ++i) run.order_[i] = i;
  std::sort(run.order_.begin(), run.order_.end(),
            [&](std::size_t a, std::size_t b) { return run.topics_[a].qid < run.topics_[b].qid; });
  return run;
}

}  // namespace hewn::score
