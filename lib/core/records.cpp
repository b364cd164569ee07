#include "core/records.hpp"

#include <bit>
#include <cmath>

#include "core/base64.hpp"
#include "core/error.hpp"
#include "core/half.hpp"
#include "core/input.hpp"
#include "core/line_reader.hpp"

namespace hewn::records {

void append_chunk(std::string& out, const ChunkFields& c) {
  out += '{';
  json::append_key(out, field::id, true);
  json::append_string(out, c.id);
  json::append_key(out, field::doc);
  json::append_string(out, c.doc);
  json::append_key(out, field::n);
  json::append_uint(out, c.n);
  json::append_key(out, field::text);
  json::append_string(out, c.text);
  json::append_key(out, field::start);
  json::append_uint(out, c.start);
  json::append_key(out, field::end);
  json::append_uint(out, c.end);
  json::append_key(out, field::byte_start);
  json::append_uint(out, c.byte_start);
  json::append_key(out, field::byte_end);
  json::append_uint(out, c.byte_end);
  json::append_key(out, field::size);
  json::append_uint(out, c.size);
  if (c.oversize) {
    json::append_key(out, field::oversize);
    out += "true";
  }
  if (c.level) {
    json::append_key(out, field::level);
    json::append_uint(out, *c.level);
  }
  if (c.parent) {
    json::append_key(out, field::parent);
    json::append_string(out, *c.parent);
  }
  if (c.tokens) {
    json::append_key(out, field::tokens);
    json::append_uint(out, *c.tokens);
  }
  if (c.doc_text) {
    json::append_key(out, field::doc_text);
    json::append_string(out, *c.doc_text);
  }
}

void read_chunk(const json::Record& r, ChunkFields& c) {
  if (auto v = r.id(field::id)) c.id = std::move(*v);
  if (auto v = r.id(field::doc)) c.doc = std::move(*v);
  if (auto v = r.whole(field::n)) c.n = *v;
  if (auto v = r.string(field::text)) c.text = *v;
  if (auto v = r.whole(field::start)) c.start = *v;
  if (auto v = r.whole(field::end)) c.end = *v;
  if (auto v = r.whole(field::byte_start)) c.byte_start = *v;
  if (auto v = r.whole(field::byte_end)) c.byte_end = *v;
  if (auto v = r.whole(field::size)) c.size = *v;
  if (const json::Field* f = r.find(field::oversize)) {
    if (f->type != json::Type::boolean) r.fail("field \"oversize\" is not a boolean");
    c.oversize = f->raw == "true";
  }
  if (auto v = r.whole(field::level)) c.level = *v;
  if (auto v = r.id(field::parent)) c.parent = std::move(*v);
  if (auto v = r.whole(field::tokens)) c.tokens = *v;
  if (auto v = r.string(field::doc_text)) c.doc_text = *v;
}

std::string b64_key(std::string_view key) { return std::string(key) + "_b64"; }

void append_vector_value(std::string& out, const float* v, std::size_t n, VectorFormat format, Dtype dtype) {
  if (format == VectorFormat::json) {
    out += '[';
    for (std::size_t i = 0; i < n; ++i) {
      if (i) out += ',';
      float x = dtype == Dtype::f16 ? half_to_float(float_to_half(v[i])) : v[i];
      json::append_float(out, x);
    }
    out += ']';
    return;
  }
  thread_local std::vector<unsigned char> bytes;  // reused: no allocation per vector
  const std::size_t width = dtype == Dtype::f16 ? 2 : 4;
  bytes.resize(n * width);
  unsigned char* w = bytes.data();
  for (std::size_t i = 0; i < n; ++i, w += width) {
    if (dtype == Dtype::f16) {
      std::uint16_t h = float_to_half(v[i]);
      w[0] = static_cast<unsigned char>(h & 0xFF);
      w[1] = static_cast<unsigned char>(h >> 8);
    } else {
      std::uint32_t b = std::bit_cast<std::uint32_t>(v[i]);
      for (int k = 0; k < 4; ++k) w[k] = static_cast<unsigned char>(b >> (8 * k));
    }
  }
  out += '"';
  append_base64(out, bytes.data(), bytes.size());
  out += '"';
}

void append_dtype(std::string& out, Dtype dtype) {
  json::append_key(out, field::dtype);
  out += dtype == Dtype::f16 ? "\"f16\"" : "\"f32\"";
}

VectorSource read_vector(const json::Record& r, std::string_view key, std::vector<float>& out) {
  if (r.floats(key, out)) return VectorSource::array;
  const std::string key_b64 = b64_key(key);
  auto text = r.string(key_b64);
  if (!text) return VectorSource::none;
  auto dtype = r.string(field::dtype);
  const bool f16 = dtype && *dtype == "f16";
  if (dtype && !f16 && *dtype != "f32") r.fail("field \"dtype\" is not \"f32\" or \"f16\"");
  thread_local std::string bytes;  // reused: no allocation per vector
  bytes.clear();
  const std::string name = "field " + quoted(key_b64);
  if (!decode_base64(*text, bytes)) r.fail(name + " is not valid base64");
  const std::size_t width = f16 ? 2 : 4;
  if (bytes.size() % width != 0) r.fail(name + " is not a whole number of " + (f16 ? "f16" : "f32") + " values");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < bytes.size(); i += width) {
    float v = f16 ? half_to_float(static_cast<std::uint16_t>(p[i] | p[i + 1] << 8))
                  : std::bit_cast<float>(static_cast<std::uint32_t>(p[i] | p[i + 1] << 8 | p[i + 2] << 16 |
                                                                    static_cast<std::uint32_t>(p[i + 3]) << 24));
    if (!std::isfinite(v)) r.fail(name + " has a value that is not finite");
    out.push_back(v);
  }
  return VectorSource::b64;
}

void for_each_record(const std::string& path, const std::function<void(const json::Record&)>& fn) {
  io::LineReader reader(io::open_input(path));
  io::LineBatch batch;
  json::Parser parser;
  while (reader.next_batch(batch, 1 << 20))
    for (std::size_t i = 0; i < batch.lines.size(); ++i)
      fn(parser.parse(batch.line(i), batch.source, batch.lines[i].number));
}

}  // namespace hewn::records
