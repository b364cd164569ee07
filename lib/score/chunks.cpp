#include "score/chunks.hpp"

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"
#include "core/utf8.hpp"

namespace hewn::score {

namespace field = records::field;

long offset_field(const json::Record& r, std::string_view key) { return static_cast<long>(r.require_whole(key)); }

Chunks Chunks::read(const std::string& path, bool keep_text, bool keep_embedding) {
  Chunks c;
  c.source = path;
  records::for_each_record(path, [&](const json::Record& r) {
    ChunkRecord rec;
    auto id = r.id(field::id);
    if (!id) r.fail("missing field \"id\"");
    auto doc = r.id(field::doc);
    if (!doc) r.fail("missing field \"doc\"");
    rec.id = *id;
    rec.doc = *doc;
    rec.start = offset_field(r, field::start);
    rec.end = offset_field(r, field::end);
    rec.line = r.line;
    if (rec.start > rec.end)
      r.fail("chunk start " + std::to_string(rec.start) + " is after its end " + std::to_string(rec.end));
    if (keep_text)
      if (auto t = r.string(field::text)) rec.text = std::string(*t);
    if (keep_embedding && records::read_vector(r, field::embedding, rec.embedding) != records::VectorSource::none) {
      std::string_view m = r.string(field::model).value_or("");
      if (c.model_line == 0) {
        c.model = std::string(m);
        c.model_line = r.line;
      } else if (m != c.model) {
        r.fail("embedded by model " + quoted(m) + ", earlier chunks by " + quoted(c.model));
      }
    }
    if (!c.by_id.emplace(rec.id, c.records.size()).second) r.fail("chunk id " + quoted(rec.id) + " repeated");
    c.by_doc[rec.doc].push_back(c.records.size());
    c.records.push_back(std::move(rec));
  });
  return c;
}

Documents Documents::read(const std::string& path, const std::string& id_field, const std::string& text_field,
                          bool keep_text) {
  Documents d;
  records::for_each_record(path, [&](const json::Record& r) {
    auto id = r.id(id_field);
    if (!id) r.fail("missing field " + quoted(id_field));
    std::string_view text = r.require_string(text_field);
    if (!d.length.emplace(*id, static_cast<long>(utf8::count(text))).second)
      r.fail("document id " + quoted(*id) + " repeated");
    if (keep_text) d.text.emplace(*id, std::string(text));
    d.ids.push_back(*id);
  });
  return d;
}

}  // namespace hewn::score
