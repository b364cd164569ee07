#include "chunk/handler.hpp"

#include "chunk/documents.hpp"
#include "chunk/registry.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"
#include "core/utf8.hpp"

namespace hewn::chunk {
namespace {

namespace field = records::field;

// Byte offset -> code point offset, for offsets visited mostly in order.
class Cursor {
 public:
  Cursor(std::string_view s, bool ascii) : s_(s), ascii_(ascii) {}
  std::size_t at(std::size_t byte) {
    if (ascii_) return byte;
    if (byte >= byte_) {
      cp_ += utf8::count(s_.substr(byte_, byte - byte_));
    } else {
      cp_ -= utf8::count(s_.substr(byte, byte_ - byte));
    }
    byte_ = byte;
    return cp_;
  }

 private:
  std::string_view s_;
  bool ascii_;
  std::size_t byte_ = 0, cp_ = 0;
};

class ChunkHandler final : public io::Handler {
 public:
  ChunkHandler(const ChunkerFactory& f, const RecordOptions& o) : chunker_(f.make()), options_(o) {
    for (const ChunkerFactory* lf : o.levels) {
      levels_.push_back(lf->make());
      level_chunkers_.push_back(levels_.back().get());
      // Code counts in non-white-space units, which widening over white
      // space does not change: no measure needed.
      const Options& lo = lf->options();
      const bool nws = (lf->spec().options & applies::languages) && !lo.unit_given;
      measures_.push_back(nws ? nullptr : lf->unit().make_measure());
      level_measures_.push_back(measures_.back().get());
    }
  }

  void handle(const io::Input& in, std::string& out) override {
    Document doc;
    std::string id;
    if (in.record) {
      read_record(in, doc, id);
    } else {
      extracted_ = extract::read_raw(in.raw_text, in.source, options_.raw);
      doc.text = extracted_.text;
      doc.path = in.source;
      id = std::string(in.source);
    }
    doc.id = id;
    doc.source = in.source;
    doc.line = in.line;
    chunks_.clear();
    if (in.record) chunker_->split(doc, chunks_);
    else split_extracted(*chunker_, doc, extracted_, chunks_);
    if (levels_.empty()) return append_chunk_records(out, doc, chunks_, in.record, options_);
    if (!in.record && !extracted_.blocks.empty()) {  // PDF: the layout strategy places blocks at every level
      doc.blocks = &extracted_.blocks;
      doc.words = &extracted_.words;
    }
    split_levels(doc, chunks_, level_chunkers_, level_measures_, nested_);
    if (!in.record) inherit_extracted(nested_);
    append_level_records(out, doc, nested_, in.record, options_);
  }

  // Strategies that embed get the batch's documents at once, so that their
  // texts are embedded together (Chunker::split_all): each record's text,
  // id and language are copied, the documents split, then the records
  // parsed again and written in input order (rejected ones in their place).
  void handle_batch(io::Batch& b) override {
    if (!chunker_->embeds() || !levels_.empty()) return io::Handler::handle_batch(b);
    const std::size_t n = b.size();
    errors_.assign(n, std::string());
    slot_.assign(n, n);
    std::size_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
      try {
        io::Input in = b.input(i);
        Document doc;
        std::string id;
        read_record(in, doc, id);
        if (held_.size() <= m) held_.resize(m + 1);
        Held& h = held_[m];
        h.text.assign(doc.text);
        h.id = std::move(id);
        h.lang.assign(doc.lang);
        h.source.assign(in.source);
        h.line = in.line;
        slot_[i] = m++;
      } catch (const DataError& e) {
        errors_[i] = e.what();
      }
    }
    docs_.resize(m);
    for (std::size_t k = 0; k < m; ++k) {  // views taken once held_ no longer grows
      const Held& h = held_[k];
      docs_[k] = Document{};
      docs_[k].text = h.text;
      docs_[k].id = h.id;
      docs_[k].lang = h.lang;
      docs_[k].source = h.source;
      docs_[k].line = h.line;
    }
    chunker_->split_all(docs_, outs_, split_errors_);
    for (std::size_t i = 0; i < n && !b.stopped(); ++i) {
      const std::size_t k = slot_[i];
      if (k < m && !split_errors_[k].empty()) errors_[i] = split_errors_[k];
      if (!errors_[i].empty()) {
        b.reject(i, errors_[i]);
        continue;
      }
      try {
        io::Input in = b.input(i);
        append_chunk_records(b.out(), docs_[k], outs_[k], in.record, options_);
        b.accept(i);
      } catch (const DataError& e) {
        b.reject(i, e.what());
      }
    }
  }

 private:
  // A record's document: its text (checked), id (given or the default) and
  // language.
  // Errors: DataError for a missing or non-string text, text that is not
  // valid Unicode, an id that is not a string or integer.
  void read_record(const io::Input& in, Document& doc, std::string& id) const {
    const json::Record& r = *in.record;
    doc.text = r.require_string(options_.text_field);
    if (!utf8::is_ascii(doc.text) && !utf8::valid(doc.text))
      r.fail("field " + quoted(options_.text_field) + " is not valid Unicode (a lone surrogate escape)");
    auto given = r.id(options_.id_field);
    id = given ? *given : in.default_id();
    if (auto lang = r.string(field::lang)) doc.lang = *lang;
  }

  std::unique_ptr<Chunker> chunker_;
  RecordOptions options_;
  std::vector<Chunk> chunks_;
  extract::Extracted extracted_;
  std::vector<std::unique_ptr<Chunker>> levels_;  // --levels: levels 1, 2, ...
  std::vector<Chunker*> level_chunkers_;
  std::vector<std::unique_ptr<Measure>> measures_;
  std::vector<Measure*> level_measures_;
  std::vector<LevelChunk> nested_;

  // Below level 0, the chunks of an extracted document take the fields of
  // the section their parent is in (page, headings), and their own span in
  // the source file.
  void inherit_extracted(std::vector<LevelChunk>& chunks) {
    for (LevelChunk& c : chunks) {
      if (c.parent < 0) continue;
      auto& fields = c.chunk.fields;
      auto has = [&](const std::string& k) {
        return std::any_of(fields.begin(), fields.end(), [&](const auto& kv) { return kv.first == k; });
      };
      for (const auto& kv : chunks[static_cast<std::size_t>(c.parent)].chunk.fields)
        if (kv.first != "source_start" && kv.first != "source_end" && !has(kv.first)) fields.push_back(kv);
      if (extracted_.map.empty()) continue;
      std::erase_if(fields, [](const auto& kv) { return kv.first == "source_start" || kv.first == "source_end"; });
      fields.emplace_back("source_start", std::to_string(extracted_.map.start(c.chunk.begin)));
      fields.emplace_back("source_end", std::to_string(extracted_.map.end(c.chunk.end)));
    }
  }
  // handle_batch(): the documents read (copies: a record's views end at the
  // next input), each input's document (slot_, n when it has none) or error.
  struct Held {
    std::string text, id, lang, source;
    std::uint64_t line = 0;
  };
  std::vector<Held> held_;
  std::vector<Document> docs_;
  std::vector<std::vector<Chunk>> outs_;
  std::vector<std::string> errors_, split_errors_;
  std::vector<std::size_t> slot_;
};

}  // namespace

namespace {

// Appends one chunk record (rec holds its own fields, c its span and
// strategy fields), then the source document's other fields.
void append_record(std::string& out, const records::ChunkFields& rec, const Chunk& c, const json::Record* source,
                   const RecordOptions& options) {
  records::append_chunk(out, rec);
  for (const auto& [k, v] : c.fields) {
    json::append_key(out, k);
    out += v;
  }
  if (source) {
    for (const json::Field& f : source->fields()) {
      if (f.key == options.id_field || f.key == options.text_field) continue;
      if (options.tokenizer && f.key == field::tokens) continue;
      if (options.keep_doc && f.key == field::doc_text) continue;
      if (rec.level && (f.key == field::level || f.key == field::parent)) continue;
      if (std::find(std::begin(records::chunk_keys), std::end(records::chunk_keys), f.key) !=
          std::end(records::chunk_keys))
        continue;
      if (std::any_of(c.fields.begin(), c.fields.end(), [&](const auto& kv) { return kv.first == f.key; }))
        continue;
      json::append_key(out, f.key);
      out += f.raw;
    }
  }
  out += "}\n";
}

// Sets rec's span fields from c (offsets in code points through the cursors).
void set_span(records::ChunkFields& rec, const Document& doc, const Chunk& c, Cursor& starts, Cursor& ends,
              bool first, const RecordOptions& options) {
  rec.text = doc.text.substr(c.begin, c.end - c.begin);
  rec.start = starts.at(c.begin);
  rec.end = ends.at(c.end);
  rec.byte_start = c.begin;
  rec.byte_end = c.end;
  rec.size = c.size;
  rec.oversize = c.oversize;
  if (options.tokenizer) rec.tokens = options.tokenizer->count(rec.text);
  if (options.keep_doc) rec.doc_text = first ? std::optional<std::string_view>(doc.text) : std::nullopt;
}

}  // namespace

void append_chunk_records(std::string& out, const Document& doc, const std::vector<Chunk>& chunks,
                          const json::Record* source, const RecordOptions& options) {
  const bool ascii = utf8::is_ascii(doc.text);
  Cursor starts(doc.text, ascii), ends(doc.text, ascii);
  records::ChunkFields rec;  // reused: the id's buffer too
  rec.doc = doc.id;
  for (std::size_t n = 0; n < chunks.size(); ++n) {
    const Chunk& c = chunks[n];
    rec.id.assign(doc.id);
    rec.id += '#';
    rec.id += std::to_string(n);
    rec.n = n;
    set_span(rec, doc, c, starts, ends, n == 0, options);
    append_record(out, rec, c, source, options);
  }
}

void append_level_records(std::string& out, const Document& doc, const std::vector<LevelChunk>& chunks,
                          const json::Record* source, const RecordOptions& options) {
  const bool ascii = utf8::is_ascii(doc.text);
  Cursor starts(doc.text, ascii), ends(doc.text, ascii);
  records::ChunkFields rec;
  rec.doc = doc.id;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const LevelChunk& lc = chunks[i];
    rec.id = lc.id;
    rec.n = lc.n;
    rec.level = lc.level;
    if (lc.parent >= 0) rec.parent = chunks[static_cast<std::size_t>(lc.parent)].id;
    else rec.parent.reset();
    set_span(rec, doc, lc.chunk, starts, ends, i == 0, options);
    append_record(out, rec, lc.chunk, source, options);
  }
}

void split_levels(const Document& doc, const std::vector<Chunk>& top, const std::vector<Chunker*>& chunkers,
                  const std::vector<Measure*>& measures, std::vector<LevelChunk>& out) {
  out.clear();
  std::vector<std::uint64_t> next_n(chunkers.size() + 1, 0);  // per level: the next chunk's n
  std::vector<Chunk> children;
  // Appends chunk c at level (its parent at index parent of out), then its subtree.
  auto add = [&](auto& self, Chunk c, std::size_t level, std::ptrdiff_t parent, std::string id) -> void {
    const std::size_t at = out.size();
    out.push_back({std::move(c), level, parent, next_n[level]++, std::move(id)});
    if (level == chunkers.size()) return;
    const std::size_t b = out[at].chunk.begin, e = out[at].chunk.end;
    Document sub = doc;  // blocks (PDF) stay, placed by offset
    sub.text = doc.text.substr(b, e - b);
    sub.offset = doc.offset + b;
    children.clear();
    chunkers[level]->split(sub, children);
    std::vector<Chunk> kids;
    kids.swap(children);  // children is reused by the recursion
    if (kids.empty()) kids.push_back({0, e - b, 0, false, {}});
    Measure* m = measures[level];
    if (m) m->reset(sub.text);
    for (std::size_t j = 0; j < kids.size(); ++j) {
      Chunk& k = kids[j];
      const std::size_t kb = j == 0 ? 0 : k.begin, ke = j + 1 == kids.size() ? e - b : kids[j + 1].begin;
      if (ke <= kb) throw Error("chunk --levels: the chunks of a level are not in order");
      if (m && (kb != k.begin || ke != k.end)) k.size = m->exact(kb, ke);
      k.begin = b + kb;
      k.end = b + ke;
    }
    for (std::size_t j = 0; j < kids.size(); ++j)
      self(self, std::move(kids[j]), level + 1, static_cast<std::ptrdiff_t>(at), out[at].id + "." + std::to_string(j));
  };
  for (std::size_t i = 0; i < top.size(); ++i)
    add(add, top[i], 0, -1, std::string(doc.id) + "#" + std::to_string(i));
}

std::unique_ptr<io::Handler> make_handler(const ChunkerFactory& factory, const RecordOptions& options) {
  return std::make_unique<ChunkHandler>(factory, options);
}

}  // namespace hewn::chunk
