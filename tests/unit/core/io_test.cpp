#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <unistd.h>

#include "core/error.hpp"
#include "core/input.hpp"
#include "core/line_reader.hpp"
#include "core/output.hpp"
#include "core/utf8.hpp"

using namespace hewn;

namespace {

class StringSource final : public io::ByteSource {
 public:
  StringSource(std::string data, std::size_t step) : ByteSource("mem"), data_(std::move(data)), step_(step) {}
  std::size_t read(char* buf, std::size_t n) override {
    std::size_t k = std::min({n, step_, data_.size() - pos_});
    data_.copy(buf, k, pos_);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  std::size_t step_, pos_ = 0;
};

std::vector<std::pair<std::string, std::uint64_t>> lines_of(const std::string& s, std::size_t step,
                                                            std::size_t batch = 1) {
  io::LineReader r(std::make_unique<StringSource>(s, step));
  io::LineBatch b;
  std::vector<std::pair<std::string, std::uint64_t>> out;
  while (r.next_batch(b, batch))
    for (std::size_t i = 0; i < b.lines.size(); ++i) out.emplace_back(std::string(b.line(i)), b.lines[i].number);
  return out;
}

std::string temp_path(const char* name) { return "/tmp/hewn-io-test-" + std::to_string(::getpid()) + name; }

}  // namespace

TEST_CASE("line ends, BOM, blank lines and a missing final newline") {
  std::string in = "\xEF\xBB\xBF{\"a\":1}\r\n\r\n  \t\n{\"b\":2}\n{\"c\":3}";
  for (std::size_t step : {1, 2, 3, 7, 4096}) {
    auto lines = lines_of(in, step);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == std::make_pair(std::string("{\"a\":1}"), std::uint64_t{1}));
    CHECK(lines[1] == std::make_pair(std::string("{\"b\":2}"), std::uint64_t{4}));
    CHECK(lines[2] == std::make_pair(std::string("{\"c\":3}"), std::uint64_t{5}));
  }
}

TEST_CASE("lines longer than the buffer") {
  std::string big(3 << 20, 'x');
  auto lines = lines_of("a\n" + big + "\nb\n", 1 << 16, 1 << 20);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1].first == big);
  CHECK(lines[2].second == 3);
}

TEST_CASE("zstd output reads back through transparent decompression") {
  std::string path = temp_path(".jsonl.zst");
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "{\"id\":" + std::to_string(i) + "}\n";
  {
    auto sink = io::open_output(path);
    sink->write(text);
    sink->commit();
  }
  auto src = io::open_input(path);
  CHECK(io::read_all(*src) == text);
  std::remove(path.c_str());
}

TEST_CASE("an output file appears only on commit") {
  std::string path = temp_path(".out");
  {
    auto sink = io::open_output(path);
    sink->write("partial");
  }  // destroyed without commit: nothing left behind
  CHECK(::access(path.c_str(), F_OK) != 0);
}

TEST_CASE("UTF-8 validation finds the first bad byte") {
  CHECK(utf8::first_invalid("ok") == 2);
  CHECK(utf8::first_invalid("ab\xC0\xAF") == 2);          // overlong
  CHECK(utf8::first_invalid("a\xED\xA0\x80") == 1);       // surrogate
  CHECK(utf8::first_invalid("\xF4\x90\x80\x80") == 0);    // above U+10FFFF
  CHECK(utf8::first_invalid("\xE6\x97\xA5\xE6") == 3);    // truncated
  CHECK(utf8::count("a\xE6\x97\xA5\xF0\x9F\x91\xA9" "abcdefghij") == 13);
  CHECK(utf8::is_ascii("plain text, long enough for a word"));
  CHECK_FALSE(utf8::is_ascii("plain text, long enough for a w\xC3\xA9rd"));
}

// Compressed input and output: every format round trips through the sinks
// and sources, whatever the sizes of the reads on either side.
namespace {
std::string slurp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  std::string out;
  char buf[4096];
  while (std::size_t k = std::fread(buf, 1, sizeof buf, f)) out.append(buf, k);
  std::fclose(f);
  return out;
}

// Reads src with reads of at most `chunk` bytes.
std::string drain(io::ByteSource& src, std::size_t chunk) {
  std::string out, buf(chunk, '\0');
  while (std::size_t k = src.read(buf.data(), chunk)) out.append(buf.data(), k);
  return out;
}

std::string sample() {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "{\"id\":" + std::to_string(i * 7919 % 10007) + ",\"text\":\"line\"}\n";
  return s;
}
}  // namespace

TEST_CASE("each compressed -o round trips through open_input, in reads of any size") {
  const std::string data = sample();
  char dir[] = "/tmp/hewn-compressed-XXXXXX";
  REQUIRE(::mkdtemp(dir));
  for (const char* ext : {".gz", ".xz", ".bz2", ".zst"}) {
    CAPTURE(ext);
    std::string path = std::string(dir) + "/out.jsonl" + ext;
    auto sink = io::open_output(path);
    for (std::size_t p = 0; p < data.size(); p += 1000) sink->write(std::string_view(data).substr(p, 1000));
    sink->commit();
    sink.reset();
    std::string packed = slurp(path);
    CHECK(packed.size() < data.size() / 4);  // compressed, not plain JSON
    auto src = io::open_input(path);
    CHECK(drain(*src, 1 << 16) == data);
    for (std::size_t step : {1, 7, 4096}) {
      auto slow = io::decompress(std::make_unique<StringSource>(packed, step));
      CHECK(drain(*slow, step == 1 ? 3 : 1000) == data);
    }
    // Cut anywhere before the end: a data error naming the input.
    for (std::size_t cut : {packed.size() / 3, packed.size() - 1}) {
      auto cutsrc = io::decompress(io::open_memory("cut" + std::string(ext), packed.substr(0, cut)));
      CHECK_THROWS_AS(drain(*cutsrc, 4096), DataError);
    }
    ::unlink(path.c_str());
  }
  ::rmdir(dir);
}

TEST_CASE("names lose a compressed extension, and only that") {
  CHECK(io::without_compression_suffix("a.jsonl.gz") == "a.jsonl");
  CHECK(io::without_compression_suffix("a.jsonl.bz2") == "a.jsonl");
  CHECK(io::without_compression_suffix("a.jsonl.xz") == "a.jsonl");
  CHECK(io::without_compression_suffix("a.jsonl.zst") == "a.jsonl");
  CHECK(io::without_compression_suffix("a.jsonl") == "a.jsonl");
  CHECK(io::without_compression_suffix(".gz") == ".gz");
}
