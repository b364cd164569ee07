#include "chunk/handler.hpp"

#include "chunk/documents.hpp"

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
  ChunkHandler(const ChunkerFactory& f, const RecordOptions& o) : chunker_(f.make()), options_(o) {}

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
    append_chunk_records(out, doc, chunks_, in.record, options_);
  }

  // Strategies that embed get the batch's documents at once, so that their
  // texts are embedded together (Chunker::split_all): each record's text,
  // id and language are copied, the documents split, then the records
  // parsed again and written in input order (rejected ones in their place).
  void handle_batch(io::Batch& b) override {
    if (!chunker_->embeds()) return io::Handler::handle_batch(b);
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
    rec.text = doc.text.substr(c.begin, c.end - c.begin);
    rec.start = starts.at(c.begin);
    rec.end = ends.at(c.end);
    rec.byte_start = c.begin;
    rec.byte_end = c.end;
    rec.size = c.size;
    rec.oversize = c.oversize;
    if (options.tokenizer) rec.tokens = options.tokenizer->count(rec.text);
    if (options.keep_doc) rec.doc_text = n == 0 ? std::optional<std::string_view>(doc.text) : std::nullopt;
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
}

std::unique_ptr<io::Handler> make_handler(const ChunkerFactory& factory, const RecordOptions& options) {
  return std::make_unique<ChunkHandler>(factory, options);
}

}  // namespace hewn::chunk
