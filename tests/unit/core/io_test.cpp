#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
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
