#include "index/chunk_records.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/records.hpp"
#include "core/utf8.hpp"
#include "index/analyzer.hpp"
#include "index/columns.hpp"

namespace hewn::index {

namespace field = records::field;

void AnalyzedChunk::view(ChunkEntry& d) const {
  d.where = where;
  d.id = id;
  d.doc = doc;
  d.start = start;
  d.end = end;
  d.n = n;
  d.length = length;
  d.terms.clear();
  std::size_t b = 0;
  for (auto [e, tf] : terms) {
    d.terms.emplace_back(std::string_view(term_bytes).substr(b, e - b), tf);
    b = e;
  }
  d.record = record;
  d.embedding = embedding;
  d.model = model;
  d.level = level;
  d.parent = parent;
  d.columns = columns;
}

namespace {

class ChunkAnalyzer final : public io::BasicHandler<AnalyzedChunks> {
 public:
  explicit ChunkAnalyzer(const BuildOptions& o)
      : opt_(o), b64_field_(records::b64_key(o.embedding_field)), analyzer_(o.analyzer) {
    if (opt_.fields.empty()) opt_.fields = {opt_.text_field};
    // Filterable: every field but the indexed ones and the vector's.
    skip_ = opt_.fields;
    skip_.push_back(opt_.embedding_field);
    skip_.push_back(b64_field_);
    skip_b64_ = skip_;
    skip_b64_.push_back(std::string(field::dtype));
  }

  void handle(const io::Input& in, AnalyzedChunks& out) override {
    if (!in.record) throw DataError(std::string(in.source) + ": index reads JSON Lines chunk records");
    const json::Record& r = *in.record;
    terms_.clear();
    bool any = false;
    for (auto& f : opt_.fields) {
      auto v = r.string(f);
      if (!v) continue;
      any = true;
      analyzer_.analyze(*v, terms_);
    }
    if (!any) r.fail("missing field " + hewn::quoted(opt_.fields.front()));
    AnalyzedChunk& c = out.push();
    c.where = in.default_id();
    auto id = r.id(opt_.id_field);
    c.id = id ? std::move(*id) : c.where;
    auto doc = r.id(opt_.doc_field);
    c.doc = doc ? std::move(*doc) : c.id;
    auto text = r.string(opt_.text_field);
    c.start = 0;
    c.end = text ? utf8::count(*text) : 0;
    if (auto s = r.whole(field::start)) c.start = *s;
    if (auto e = r.whole(field::end)) c.end = *e;
    if (c.start > c.end) r.fail("field \"start\" is after \"end\"");
    c.n = -1;
    if (auto v = r.whole(field::n)) c.n = static_cast<std::int64_t>(*v);
    c.level = -1;
    c.parent.clear();
    if (auto v = r.whole(field::level)) {
      if (*v > 1000) r.fail("field \"level\" is over 1000");
      c.level = static_cast<std::int64_t>(*v);
      if (auto p = r.id(field::parent)) c.parent = std::move(*p);
    }
    c.embedding.clear();
    const records::VectorSource emb_from = records::read_vector(r, opt_.embedding_field, c.embedding);
    c.model.clear();
    if (emb_from != records::VectorSource::none) c.model = r.string(field::model).value_or("");

    // The terms: distinct, in byte order, with their frequencies.
    c.length = static_cast<std::uint32_t>(terms_.size());
    std::sort(terms_.begin(), terms_.end());
    c.term_bytes.clear();
    c.terms.clear();
    for (std::size_t i = 0; i < terms_.size();) {
      std::size_t j = i + 1;
      while (j < terms_.size() && terms_[j] == terms_[i]) ++j;
      c.term_bytes += terms_[i];
      c.terms.emplace_back(c.term_bytes.size(), static_cast<std::uint32_t>(j - i));
      i = j;
    }
    // The stored record: every field but the vector, stored once, in the dense part.
    c.record.assign(1, '{');
    bool first = true;
    for (auto& f : r.fields()) {
      if (emb_from == records::VectorSource::array && f.key == opt_.embedding_field) continue;
      if (emb_from == records::VectorSource::b64 && (f.key == b64_field_ || f.key == field::dtype)) continue;
      json::append_key(c.record, f.key, first);
      c.record.append(f.raw);
      first = false;
    }
    c.record.push_back('}');
    encode_columns(r, emb_from == records::VectorSource::b64 ? skip_b64_ : skip_, c.columns);
  }

 private:
  BuildOptions opt_;
  std::string b64_field_;  // the base64 form of opt_.embedding_field
  Analyzer analyzer_;
  std::vector<std::string> terms_;
  std::vector<std::string> skip_, skip_b64_;  // fields that get no column
};

}  // namespace

std::unique_ptr<io::BasicHandler<AnalyzedChunks>> make_analyzer(const BuildOptions& options) {
  return std::make_unique<ChunkAnalyzer>(options);
}

void add_chunks(LevelBuilder& builder, const AnalyzedChunks& chunks, std::size_t from, std::size_t to) {
  ChunkEntry d;
  for (std::size_t i = from; i < to; ++i) {
    chunks[i].view(d);
    builder.add(d);
  }
}

}  // namespace hewn::index
