// run_stream's batch hook (Handler::handle_batch) and group_start.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/record_stream.hpp"

using namespace hewn;

namespace {

struct StringSink final : io::ByteSink {
  std::string data;
  void write(std::string_view b) override { data += b; }
  void commit() override {}
};

// Writes each record's "n" with the first line of its batch; rejects
// records with "bad", after the whole batch was read (as a model would).
class Grouping final : public io::Handler {
 public:
  void handle(const io::Input&, std::string&) override { FAIL("handle() called for JSON Lines"); }
  void handle_batch(io::Batch& b) override {
    std::vector<std::string> out(b.size());
    std::vector<bool> bad(b.size());
    std::uint64_t first = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      io::Input in = b.input(i);
      if (i == 0) first = in.line;
      bad[i] = in.record->find("bad") != nullptr;
      out[i] = std::to_string(static_cast<int>(*in.record->number("n"))) + "@" + std::to_string(first) + "\n";
    }
    for (std::size_t i = 0; i < b.size() && !b.stopped(); ++i) {
      if (bad[i]) {
        b.reject(i, "bad " + std::to_string(i));
        continue;
      }
      b.out() += out[i];
      b.accept(i);
    }
  }
};

std::string write_lines(const std::vector<std::string>& lines) {
  std::string path = "/tmp/hewn-stream-test-" + std::to_string(::getpid()) + ".jsonl";
  std::ofstream f(path);
  for (auto& l : lines) f << l << "\n";
  return path;
}

}  // namespace

TEST_CASE("group_start keeps groups in one batch, whatever -j") {
  // Groups of 1 to 7 lines; a group starts at a line with "g".
  std::vector<std::string> lines;
  std::vector<std::uint64_t> group_of;  // the first line of each line's group
  for (int n = 0, g = 0; n < 200; ++g) {
    int size = 1 + g % 7;
    std::uint64_t start = static_cast<std::uint64_t>(n) + 1;
    for (int k = 0; k < size && n < 200; ++k, ++n) {
      lines.push_back("{\"n\":" + std::to_string(n) + (k == 0 ? ",\"g\":1" : "") + ",\"pad\":\"xxxxxxxxxx\"}");
      group_of.push_back(start);
    }
  }
  std::string path = write_lines(lines);
  for (unsigned jobs : {1u, 3u}) {
    for (std::size_t batch_bytes : {std::size_t{1}, std::size_t{100}, std::size_t{1000}}) {
      io::StreamOptions o;
      o.inputs = {path};
      o.jobs = jobs;
      o.batch_bytes = batch_bytes;
      o.group_start = [](std::string_view l) { return l.find("\"g\"") != std::string_view::npos; };
      StringSink sink;
      io::StreamStats st = io::run_stream(
          o, [] { return std::make_unique<Grouping>(); }, sink, [](const std::string&) {}, [](const io::StreamStats&) {});
      CHECK(st.records == 200);
      // Every line in input order, each batch starting at a group's start
      // and (batch_bytes 1) holding exactly one group.
      std::size_t pos = 0;
      for (int n = 0; n < 200; ++n) {
        std::size_t e = sink.data.find('\n', pos);
        REQUIRE(e != std::string::npos);
        std::string line = sink.data.substr(pos, e - pos);
        pos = e + 1;
        std::uint64_t first = std::stoull(line.substr(line.find('@') + 1));
        CHECK(line.substr(0, line.find('@')) == std::to_string(n));
        CHECK(first <= group_of[n]);
        if (batch_bytes == 1) CHECK(first == group_of[n]);
        if (first != group_of[n]) CHECK(group_of[first - 1] == first);  // a batch starts at a group
      }
      CHECK(pos == sink.data.size());
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("a batch handler's rejections keep their places") {
  std::vector<std::string> lines;
  for (int n = 0; n < 50; ++n)
    lines.push_back("{\"n\":" + std::to_string(n) + (n % 9 == 4 ? ",\"bad\":1" : "") + "}");
  lines.insert(lines.begin() + 20, "{not json");
  std::string path = write_lines(lines);
  for (io::OnError policy : {io::OnError::skip, io::OnError::fail}) {
    io::StreamOptions o;
    o.inputs = {path};
    o.jobs = 2;
    o.batch_bytes = 64;
    o.on_error = policy;
    StringSink sink;
    std::vector<std::string> diags;
    auto run = [&] {
      // The default handle_batch loops over handle(): a malformed line is
      // rejected by Batch::input().
      struct Skipping final : io::Handler {
        void handle(const io::Input& in, std::string& out) override {
          if (in.record->find("bad")) in.record->fail("bad");
          out += std::to_string(static_cast<int>(*in.record->number("n"))) + "\n";
        }
      };
      return io::run_stream(
          o, [] { return std::make_unique<Skipping>(); }, sink, [&](const std::string& m) { diags.push_back(m); },
          [](const io::StreamStats&) {});
    };
    if (policy == io::OnError::fail) {
      CHECK_THROWS_WITH_AS(run(), doctest::Contains(":5: bad"), DataError);
      CHECK(sink.data == "0\n1\n2\n3\n");
    } else {
      io::StreamStats st = run();
      CHECK(st.errors == 7);  // n = 4, 13, 22, 31, 40, 49 and the malformed line
      CHECK(st.records == 44);
      REQUIRE(diags.size() == 7);
      CHECK(diags[2].find(":21: invalid JSON") != std::string::npos);
      CHECK(sink.data.find("3\n5\n") != std::string::npos);
    }
  }
  std::remove(path.c_str());
}
