// The record protocol (core/records.hpp): what is appended parses and reads
// back the same (append -> parse -> read), in hewn(7)'s field order.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/half.hpp"
#include "core/records.hpp"

using namespace hewn;

namespace {

// Parses one record (the parser's padding added).
struct Parsed {
  std::string line;
  json::Parser parser;
  const json::Record* r;
  explicit Parsed(std::string text) : line(std::move(text)) {
    const std::size_t n = line.size();
    line.append(64, '\0');
    r = &parser.parse(std::string_view(line).substr(0, n), "in", 5);
  }
};

records::ChunkFields sample() {
  records::ChunkFields c;
  c.id = "d\"1#2";
  c.doc = "d\"1";
  c.n = 2;
  c.text = "h\u00e9llo\n";
  c.start = 10;
  c.end = 17;
  c.byte_start = 11;
  c.byte_end = 19;
  c.size = 7;
  return c;
}

}  // namespace

TEST_CASE("chunk fields: append, parse, read give the same fields") {
  for (int variant = 0; variant < 8; ++variant) {
    records::ChunkFields c = sample();
    if (variant & 1) c.oversize = true;
    if (variant & 4) {
      c.level = 2;
      c.parent = "d\"1#0.1";
    }
    if (variant & 2) {
      c.tokens = 3;
      c.doc_text = "the whole document";
    }
    std::string out;
    records::append_chunk(out, c);
    out += "}";
    Parsed p(out);
    records::ChunkFields back;
    records::read_chunk(*p.r, back);
    CHECK(back == c);
  }
}

TEST_CASE("chunk fields are written in hewn(7)'s order, optional ones only when set") {
  std::string out;
  records::append_chunk(out, sample());
  CHECK(out == R"({"id":"d\"1#2","doc":"d\"1","n":2,"text":"h)" "\u00e9" R"(llo\n","start":10,"end":17,)"
               R"("byte_start":11,"byte_end":19,"size":7)");
  Parsed p(out + "}");
  std::vector<std::string_view> keys;
  for (auto& f : p.r->fields()) keys.push_back(f.key);
  CHECK(keys == std::vector<std::string_view>(std::begin(records::chunk_keys), std::end(records::chunk_keys) - 1));
}

TEST_CASE("chunk fields: integer ids read as their digits; wrong types are located errors") {
  Parsed p(R"({"id":7,"doc":12,"start":1})");
  records::ChunkFields c;
  records::read_chunk(*p.r, c);
  CHECK(c.id == "7");
  CHECK(c.doc == "12");
  CHECK(c.start == 1);
  CHECK(c.end == 0);
  Parsed bad(R"({"id":"a","oversize":1})");
  CHECK_THROWS_WITH_AS(records::read_chunk(*bad.r, c), "in:5: field \"oversize\" is not a boolean", DataError);
  Parsed neg(R"({"n":-1})");
  CHECK_THROWS_WITH_AS(records::read_chunk(*neg.r, c), "in:5: field \"n\" is not a non-negative integer", DataError);
}

TEST_CASE("vectors: every format and dtype round-trips") {
  const std::vector<float> v = {0.0f, -1.5f, 3.1415927f, 1e-3f, 65504.0f, -0.0f};
  for (auto format : {records::VectorFormat::json, records::VectorFormat::b64}) {
    for (auto dtype : {records::Dtype::f32, records::Dtype::f16}) {
      std::string out = "{";
      json::append_key(out, format == records::VectorFormat::json ? "embedding" : "embedding_b64", true);
      records::append_vector_value(out, v.data(), v.size(), format, dtype);
      if (format == records::VectorFormat::b64) records::append_dtype(out, dtype);
      out += "}";
      Parsed p(out);
      std::vector<float> back;
      auto from = records::read_vector(*p.r, "embedding", back);
      CHECK(from == (format == records::VectorFormat::json ? records::VectorSource::array : records::VectorSource::b64));
      REQUIRE(back.size() == v.size());
      for (std::size_t i = 0; i < v.size(); ++i) {
        float want = dtype == records::Dtype::f16 ? half_to_float(float_to_half(v[i])) : v[i];
        CHECK(back[i] == want);
        // (JSON's "-0" reads back as the integer 0: only base64 keeps the sign of a zero)
        if (format == records::VectorFormat::b64) CHECK(std::signbit(back[i]) == std::signbit(want));
      }
    }
  }
}

TEST_CASE("vectors: absent, and the b64 form's errors") {
  std::vector<float> out;
  Parsed none(R"({"id":"x"})");
  CHECK(records::read_vector(*none.r, "embedding", out) == records::VectorSource::none);
  CHECK(records::b64_key("emb") == "emb_b64");
  Parsed bad64(R"({"embedding_b64":"AAA"})");
  CHECK_THROWS_WITH_AS((void)records::read_vector(*bad64.r, "embedding", out),
                       "in:5: field \"embedding_b64\" is not valid base64", DataError);
  Parsed odd(R"({"embedding_b64":"AAAAAAA=","dtype":"f32"})");  // 5 bytes
  CHECK_THROWS_WITH_AS((void)records::read_vector(*odd.r, "embedding", out),
                       "in:5: field \"embedding_b64\" is not a whole number of f32 values", DataError);
  Parsed dtype(R"({"embedding_b64":"AAAAAA==","dtype":"f64"})");
  CHECK_THROWS_WITH_AS((void)records::read_vector(*dtype.r, "embedding", out),
                       "in:5: field \"dtype\" is not \"f32\" or \"f16\"", DataError);
  Parsed inf(R"({"embedding_b64":"AHw=","dtype":"f16"})");  // 0x7c00: +infinity
  CHECK_THROWS_WITH_AS((void)records::read_vector(*inf.r, "embedding", out),
                       "in:5: field \"embedding_b64\" has a value that is not finite", DataError);
}

TEST_CASE("for_each_record reads every record of a file in order, with line numbers") {
  char path[] = "/tmp/hewn-records-XXXXXX.jsonl";
  int fd = ::mkstemps(path, 6);
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream f(path);
    f << "{\"id\":\"a\"}\n\n{\"id\":2}\r\n{\"id\":\"c\"}";
  }
  std::vector<std::pair<std::string, std::uint64_t>> seen;
  records::for_each_record(path, [&](const json::Record& r) { seen.emplace_back(*r.id("id"), r.line); });
  CHECK(seen == std::vector<std::pair<std::string, std::uint64_t>>{{"a", 1}, {"2", 3}, {"c", 4}});
  {
    std::ofstream f(path);
    f << "{\"id\":\"a\"}\n{\"id\":\n";
  }
  CHECK_THROWS_AS(records::for_each_record(path, [](const json::Record&) {}), DataError);
  std::remove(path);
}
