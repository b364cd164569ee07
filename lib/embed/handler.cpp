#include "embed/handler.hpp"

#include <algorithm>
#include <cstring>

#include "core/error.hpp"
#include "core/utf8.hpp"
#include "embed/half.hpp"

namespace hewn::embed {
namespace {

constexpr std::string_view own_keys[] = {"embedding", "embedding_b64", "dtype", "dim", "model"};

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
    EmbedInfo info = e_.embed(text_, vec_.data());
    if (info.truncated) {
      if (o_.on_long == OnLong::error) {
        std::string what = "text is longer than the model allows (--on-long error)";
        if (in.record) in.record->fail(what);
        data_error(in.source, in.line, what);
      }
      c_.truncated.fetch_add(1, std::memory_order_relaxed);
    }
    bool any;
    if (in.record) {
      any = append_source_fields(out, *in.record);
    } else {
      out += "{\"id\":";
      json::append_string(out, in.source);
      json::append_key(out, "text");
      json::append_string(out, in.raw_text);
      any = true;
    }
    std::size_t mark = out.size();
    append_vector(out, vec_.data(), vec_.size(), e_.name(), o_);
    if (!any) out[mark] = '{';  // no leading comma after a bare "{"
    out += "}\n";
  }

 private:
  const Embedder& e_;
  const RecordOptions& o_;
  RunCounters& c_;
  std::string text_;
  std::vector<float> vec_;
};

}  // namespace

void append_base64(std::string& out, const unsigned char* d, std::size_t n) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    std::uint32_t v = d[i] << 16 | d[i + 1] << 8 | d[i + 2];
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (n - i == 1) {
    std::uint32_t v = d[i] << 16;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    std::uint32_t v = d[i] << 16 | d[i + 1] << 8;
    out += tbl[v >> 18];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += '=';
  }
}

void append_vector(std::string& out, const float* v, std::size_t dim, const std::string& model,
                   const RecordOptions& o) {
  if (o.format == Format::json) {
    out += ",\"embedding\":[";
    for (std::size_t i = 0; i < dim; ++i) {
      if (i) out += ',';
      float x = o.dtype == Dtype::f16 ? half_to_float(float_to_half(v[i])) : v[i];
      json::append_float(out, x);
    }
    out += ']';
  } else {
    thread_local std::vector<unsigned char> bytes;
    bytes.clear();
    for (std::size_t i = 0; i < dim; ++i) {
      if (o.dtype == Dtype::f16) {
        std::uint16_t h = float_to_half(v[i]);
        bytes.push_back(static_cast<unsigned char>(h & 0xFF));
        bytes.push_back(static_cast<unsigned char>(h >> 8));
      } else {
        std::uint32_t b = std::bit_cast<std::uint32_t>(v[i]);
        for (int k = 0; k < 4; ++k) bytes.push_back(static_cast<unsigned char>(b >> (8 * k)));
      }
    }
    out += ",\"embedding_b64\":\"";
    append_base64(out, bytes.data(), bytes.size());
    out += o.dtype == Dtype::f16 ? "\",\"dtype\":\"f16\"" : "\",\"dtype\":\"f32\"";
  }
  json::append_key(out, "dim");
  json::append_uint(out, dim);
  json::append_key(out, "model");
  json::append_string(out, model);
}

bool append_source_fields(std::string& out, const json::Record& source) {
  out += '{';
  bool first = true;
  for (const json::Field& f : source.fields()) {
    if (std::find(std::begin(own_keys), std::end(own_keys), f.key) != std::end(own_keys)) continue;
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

}  // namespace hewn::embed
