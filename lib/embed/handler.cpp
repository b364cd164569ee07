#include "embed/handler.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::embed {
namespace {

// Fields embed writes (replaced when present) or leaves out (doc_text); with
// --tokens also "tokens", which then counts the model's tokens.
namespace field = records::field;
constexpr std::string_view own_keys[] = {field::embedding,   field::embedding_b64,    field::dtype,
                                         field::dim,         field::model,            field::token_spans,
                                         field::token_embeddings, field::token_embeddings_b64, field::doc_text};

class EmbedHandler final : public io::Handler {
 public:
  EmbedHandler(const Embedder& e, const RecordOptions& o, RunCounters& c) : e_(e), o_(o), c_(c) {}

  void handle(const io::Input& in, std::string& out) override {
    vec_.resize(e_.dim());
    if (in.record) {
      record_text(*in.record, o_, text_);
    } else {
      text_ = o_.prefix;
      text_ += in.raw_text;
    }
    EmbedInfo info;
    try {
      info = o_.tokens ? e_.embed_tokens(text_, tv_) : e_.embed(text_, vec_.data());
    } catch (const DataError& e) {  // the model's own errors, located
      if (in.record) in.record->fail(e.what());
      data_error(in.source, in.line, e.what());
    }
    if (!info.error.empty()) {  // openai: the request failed
      if (in.record) in.record->fail(info.error);
      data_error(in.source, in.line, info.error);
    }
    if (const char* what = too_long(info)) {
      if (in.record) in.record->fail(what);
      data_error(in.source, in.line, what);
    }
    bool any;
    if (in.record) {
      any = append_source_fields(out, *in.record, o_.tokens);
    } else {
      out += '{';
      json::append_key(out, field::id, true);
      json::append_string(out, in.source);
      json::append_key(out, field::text);
      json::append_string(out, in.raw_text);
      any = true;
    }
    std::size_t mark = out.size();
    if (o_.tokens)
      append_token_vectors(out, text_, tv_, e_.dim(), e_.name(), o_);
    else
      append_vector(out, vec_.data(), vec_.size(), e_.name(), o_);
    if (!any) out[mark] = '{';  // no leading comma after a bare "{"
    out += "}\n";
  }

  // Embedders that batch (bert) get the batch's texts at once: each record's
  // text and source fields are taken in order, the texts embedded together,
  // then the records written in input order (rejected ones in their place).
  void handle_batch(io::Batch& b) override {
    if (o_.tokens || !e_.batches()) return io::Handler::handle_batch(b);
    const std::size_t n = b.size(), H = e_.dim();
    texts_.resize(n);
    heads_.clear();
    head_end_.assign(n, 0);
    errors_.assign(n, std::string());
    ok_.clear();
    lines_.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      try {
        io::Input in = b.input(i);
        source_ = in.source;
        lines_[i] = in.line;
        record_text(*in.record, o_, texts_[i]);
        if (!append_source_fields(heads_, *in.record, false)) heads_.pop_back();  // a bare "{" comes back below
        ok_.push_back(i);
      } catch (const DataError& e) {
        errors_[i] = e.what();
      }
      head_end_[i] = heads_.size();
    }
    views_.clear();
    for (std::size_t i : ok_) views_.emplace_back(texts_[i]);
    vecs_.resize(ok_.size() * H);
    infos_.resize(ok_.size());
    try {
      e_.embed_batch(views_, vecs_.data(), infos_.data());
    } catch (const DataError&) {
      // Find the records at fault: embed them one by one.
      for (std::size_t k = 0; k < ok_.size(); ++k) {
        try {
          infos_[k] = e_.embed(views_[k], &vecs_[k * H]);
        } catch (const DataError& e) {
          errors_[ok_[k]] = located(source_, lines_[ok_[k]], e.what());
        }
      }
    }
    std::string& out = b.out();
    for (std::size_t i = 0, k = 0; i < n && !b.stopped(); ++i) {
      bool embedded = k < ok_.size() && ok_[k] == i;
      std::size_t v = embedded ? k++ : 0;
      if (embedded && errors_[i].empty() && !infos_[v].error.empty())  // openai: the request failed
        errors_[i] = located(source_, lines_[i], infos_[v].error);
      if (embedded && errors_[i].empty())
        if (const char* what = too_long(infos_[v])) errors_[i] = located(source_, lines_[i], what);
      if (!errors_[i].empty()) {
        b.reject(i, errors_[i]);
        continue;
      }
      std::size_t head = i ? head_end_[i - 1] : 0;
      bool any = head_end_[i] > head;
      if (any) out.append(heads_, head, head_end_[i] - head);
      std::size_t mark = out.size();
      append_vector(out, &vecs_[v * H], H, e_.name(), o_);
      if (!any) {
        out[mark] = '{';
      }
      out += "}\n";
      b.accept(i);
    }
  }

 private:
  const Embedder& e_;
  const RecordOptions& o_;
  RunCounters& c_;
  std::string text_;
  std::vector<float> vec_;
  TokenVectors tv_;
  // A truncated text: the error under --on-long error, else counted (null).
  const char* too_long(const EmbedInfo& info) {
    if (!info.truncated) return nullptr;
    if (o_.on_long == OnLong::error) return "text is longer than the model allows (--on-long error)";
    c_.truncated.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  // handle_batch(): per input, its text, the end of its source fields in
  // heads_, its error; the inputs read (ok_) and their vectors.
  std::vector<std::string> texts_;
  std::string heads_;
  std::vector<std::size_t> head_end_, ok_;
  std::string_view source_;
  std::vector<std::uint64_t> lines_;
  std::vector<std::string> errors_;
  std::vector<std::string_view> views_;
  std::vector<float> vecs_;
  std::vector<EmbedInfo> infos_;
};

// Appends the values of v as a JSON array or as base64 bytes (no key).
void append_values(std::string& out, const float* v, std::size_t n, const RecordOptions& o) {
  records::append_vector_value(out, v, n, o.format, o.dtype);
}

void append_tail(std::string& out, std::size_t dim, const std::string& model, const RecordOptions& o) {
  if (o.format == Format::b64) records::append_dtype(out, o.dtype);
  json::append_key(out, field::dim);
  json::append_uint(out, dim);
  json::append_key(out, field::model);
  json::append_string(out, model);
}

// Byte offset -> code point offset, for offsets visited in order.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  std::size_t at(std::size_t byte) {
    if (byte < byte_) byte_ = cp_ = 0;
    cp_ += utf8::count(s_.substr(byte_, byte - byte_));
    byte_ = byte;
    return cp_;
  }

 private:
  std::string_view s_;
  std::size_t byte_ = 0, cp_ = 0;
};

class LateHandler final : public io::Handler {
 public:
  LateHandler(const Embedder& e, const DocStore* d, std::size_t overlap, const RecordOptions& o)
      : e_(e), docs_(d), overlap_(overlap), o_(o) {}

  // A batch starts with no stream document, whichever batches this thread
  // had before, so that what a chunk may use never depends on -j.
  void handle_batch(io::Batch& b) override {
    have_stream_doc_ = false;
    io::Handler::handle_batch(b);
  }

  void handle(const io::Input& in, std::string& out) override {
    if (!in.record) data_error(in.source, 0, "--late needs chunk records (JSON Lines), not raw files");
    const json::Record& r = *in.record;
    auto doc_id = r.id(field::doc);
    if (!doc_id) r.fail("missing field \"doc\"");
    const std::string* doc;
    if (docs_) {
      doc = docs_->find(*doc_id);
      if (!doc) r.fail("document " + quoted(*doc_id) + " is not in --docs");
    } else {
      // The stream carries each document on its first chunk (chunk --keep-doc).
      if (auto given = r.string(field::doc_text)) {
        if (!utf8::valid(*given)) r.fail("field \"doc_text\" is not valid Unicode (a lone surrogate escape)");
        stream_doc_.assign(*given);
        stream_id_ = *doc_id;
        have_stream_doc_ = true;
        cached_ = false;
      } else if (!have_stream_doc_ || stream_id_ != *doc_id) {
        r.fail("document " + quoted(*doc_id) +
               " was not given before its chunk (no \"doc_text\" on its first chunk: chunk --keep-doc)");
      }
      doc = &stream_doc_;
    }
    const std::size_t bs = r.require_whole(field::byte_start), be = r.require_whole(field::byte_end);
    std::string_view text = r.require_string(o_.text_from.back());
    if (be < bs || be > doc->size() || std::string_view(*doc).substr(bs, be - bs) != text)
      r.fail("chunk text does not match its document at bytes " + std::to_string(bs) + ".." + std::to_string(be));
    if (!cached_ || cached_id_ != *doc_id) {
      try {
        e_.document_tokens(*doc, overlap_, tv_);
      } catch (const DataError& e) {
        cached_ = false;
        r.fail(e.what());
      }
      cached_id_ = *doc_id;
      cached_ = true;
    }
    const std::size_t H = e_.dim();
    acc_.assign(H, 0.0);
    std::size_t n = 0;
    for (std::size_t t = 0; t < tv_.count; ++t) {
      auto [tb, te] = tv_.spans[t];
      if (tb < be && te > bs) {
        for (std::size_t j = 0; j < H; ++j) acc_[j] += tv_.data[t * H + j];
        ++n;
      }
    }
    vec_.resize(H);
    for (std::size_t j = 0; j < H; ++j) vec_[j] = n ? static_cast<float>(acc_[j] / static_cast<double>(n)) : 0.0f;
    if (e_.normalizes()) l2_normalize(vec_.data(), H);
    append_source_fields(out, r, false);
    append_vector(out, vec_.data(), H, e_.name(), o_);
    out += "}\n";
  }

 private:
  const Embedder& e_;
  const DocStore* docs_;
  std::size_t overlap_;
  const RecordOptions& o_;
  bool cached_ = false;
  std::string cached_id_;
  bool have_stream_doc_ = false;  // without --docs: the last document the stream gave
  std::string stream_id_, stream_doc_;
  TokenVectors tv_;
  std::vector<double> acc_;
  std::vector<float> vec_;
};

}  // namespace

void append_vector(std::string& out, const float* v, std::size_t dim, const std::string& model,
                   const RecordOptions& o) {
  json::append_key(out, o.format == Format::json ? field::embedding : field::embedding_b64);
  append_values(out, v, dim, o);
  append_tail(out, dim, model, o);
}

void append_token_vectors(std::string& out, std::string_view text, const TokenVectors& tv, std::size_t dim,
                          const std::string& model, const RecordOptions& o) {
  json::append_key(out, field::tokens);
  json::append_uint(out, tv.count);
  json::append_key(out, field::token_spans);
  out += '[';
  Cursor cur(text);
  for (std::size_t t = 0; t < tv.count; ++t) {
    if (t) out += ',';
    out += '[';
    json::append_uint(out, cur.at(tv.spans[t].first));
    out += ',';
    json::append_uint(out, cur.at(tv.spans[t].second));
    out += ']';
  }
  out += ']';
  if (o.format == Format::json) {
    json::append_key(out, field::token_embeddings);
    out += '[';
    for (std::size_t t = 0; t < tv.count; ++t) {
      if (t) out += ',';
      append_values(out, &tv.data[t * dim], dim, o);
    }
    out += ']';
  } else {
    json::append_key(out, field::token_embeddings_b64);
    append_values(out, tv.data.data(), tv.count * dim, o);
  }
  append_tail(out, dim, model, o);
}

bool append_source_fields(std::string& out, const json::Record& source, bool tokens) {
  out += '{';
  bool first = true;
  for (const json::Field& f : source.fields()) {
    if (std::find(std::begin(own_keys), std::end(own_keys), f.key) != std::end(own_keys)) continue;
    if (tokens && f.key == field::tokens) continue;
    json::append_key(out, f.key, first);
    out += f.raw;
    first = false;
  }
  return !first;
}

void record_text(const json::Record& r, const RecordOptions& o, std::string& out) {
  out = o.prefix;
  bool any = false;
  for (const std::string& field : o.text_from) {
    if (o.text_from.size() > 1) {  // of several fields, a null one is absent (e.g. a chunk without context)
      const json::Field* f = r.find(field);
      if (f && f->type == json::Type::null) continue;
    }
    std::optional<std::string_view> s =
        o.text_from.size() == 1 ? std::optional<std::string_view>(r.require_string(field)) : r.string(field);
    if (!s) continue;
    if (!utf8::valid(*s)) r.fail("field " + quoted(field) + " is not valid Unicode (a lone surrogate escape)");
    if (any) out += '\n';
    out += *s;
    any = true;
  }
  if (!any) {
    std::string names;
    for (std::size_t i = 0; i < o.text_from.size(); ++i) {
      if (i) names += i + 1 == o.text_from.size() ? " and " : ", ";
      names += quoted(o.text_from[i]);
    }
    r.fail("missing fields " + names);
  }
}

std::unique_ptr<io::Handler> make_handler(const Embedder& embedder, const RecordOptions& options,
                                          RunCounters& counters) {
  return std::make_unique<EmbedHandler>(embedder, options, counters);
}

DocStore::DocStore(const std::string& path, const std::string& id_field, const std::string& text_field) {
  records::for_each_record(path, [&](const json::Record& r) {
    auto id = r.id(id_field);
    if (!id) r.fail("missing field " + quoted(id_field));
    docs_.push_back({*id, std::string(r.require_string(text_field)), r.line});
  });
  std::stable_sort(docs_.begin(), docs_.end(), [](const Doc& a, const Doc& b) { return a.id < b.id; });
  for (std::size_t i = 1; i < docs_.size(); ++i)
    if (docs_[i].id == docs_[i - 1].id)
      data_error(path, docs_[i].line,
                 "duplicate document id " + quoted(docs_[i].id) + " (also on line " + std::to_string(docs_[i - 1].line) + ")");
}

const std::string* DocStore::find(std::string_view id) const {
  auto it = std::lower_bound(docs_.begin(), docs_.end(), id, [](const Doc& a, std::string_view k) { return a.id < k; });
  return it != docs_.end() && it->id == id ? &it->text : nullptr;
}

std::unique_ptr<io::Handler> make_late_handler(const Embedder& embedder, const DocStore* docs, std::size_t overlap,
                                               const RecordOptions& options) {
  return std::make_unique<LateHandler>(embedder, docs, overlap, options);
}

bool starts_document(std::string_view line) {
  thread_local json::Parser parser;
  try {
    return parser.parse(line, "", 0).find(field::doc_text) != nullptr;
  } catch (const DataError&) {
    return false;  // the handler reports it
  }
}

}  // namespace hewn::embed
