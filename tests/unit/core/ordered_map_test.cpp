// The record loop in its parts: InputProducer (units in input order, input
// errors held and handed back) and ordered_map with typed results (consumed
// in input order, identical for any -j, rejections dropped in place).
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "core/ordered_map.hpp"

using namespace hewn;

namespace {

std::string write_file(const std::string& name, const std::string& text) {
  std::string path = "/tmp/hewn-map-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << text;
  return path;
}

// Results: one int per record ("n"), two for records with "twice"; records
// with "bad" are rejected after their first result was appended.
class Numbers final : public io::BasicHandler<std::vector<int>> {
 public:
  void handle(const io::Input& in, std::vector<int>& out) override {
    if (!in.record) {
      out.push_back(-static_cast<int>(in.raw_text.size()));
      return;
    }
    int n = static_cast<int>(*in.record->number("n"));
    out.push_back(n);
    if (in.record->find("bad")) in.record->fail("bad");
    if (in.record->find("twice")) out.push_back(n);
  }
};

}  // namespace

TEST_CASE("InputProducer: batches and raw files in input order; a missing input is held as an error") {
  std::string a = write_file("a.jsonl", "{\"n\":1}\n\n{\"n\":2}\n");
  std::string raw = write_file("b.txt", "\xEF\xBB\xBFraw text");
  io::InputOptions o;
  o.inputs = {a, "/nonexistent/x.jsonl", raw};
  io::InputProducer p(o);
  io::Unit u;
  REQUIRE(p.next(u));
  CHECK(!u.raw);
  CHECK(u.lines.lines.size() == 2);
  CHECK(u.lines.lines[1].number == 3);
  CHECK(!p.next(u));
  CHECK(p.take_error().find("/nonexistent/x.jsonl") != std::string::npos);
  CHECK(p.take_error().empty());
  REQUIRE(p.next(u));
  CHECK(u.raw);
  CHECK(u.raw_text == "raw text");
  CHECK(!p.next(u));
  CHECK(p.take_error().empty());
  std::remove(a.c_str());
  std::remove(raw.c_str());
}

TEST_CASE("ordered_map: typed results in input order for any -j; rejections drop theirs") {
  std::string text;
  for (int n = 0; n < 300; ++n)
    text += "{\"n\":" + std::to_string(n) + (n % 17 == 5 ? ",\"bad\":1" : n % 3 == 0 ? ",\"twice\":1" : "") + "}\n";
  std::string path = write_file("c.jsonl", text);
  std::vector<int> want;
  for (int n = 0; n < 300; ++n) {
    if (n % 17 == 5) continue;
    want.push_back(n);
    if (n % 3 == 0) want.push_back(n);
  }
  for (unsigned jobs : {1u, 2u, 5u}) {
    io::InputOptions o;
    o.inputs = {path};
    o.batch_bytes = 100;
    io::InputProducer input(o);
    std::vector<int> got;
    std::vector<std::string> diags;
    io::StreamStats st = io::ordered_map<std::vector<int>>(
        input, jobs, io::OnError::skip, [] { return std::make_unique<Numbers>(); },
        [&](const std::vector<int>& out, std::size_t from, std::size_t to) {
          got.insert(got.end(), out.begin() + static_cast<long>(from), out.begin() + static_cast<long>(to));
        },
        [&](const std::string& m) { diags.push_back(m); }, [](const io::StreamStats&) {});
    CHECK(got == want);
    CHECK(st.records == 282);
    CHECK(st.errors == 18);
    REQUIRE(diags.size() == 18);
    CHECK(diags[0] == path + ":6: bad");
  }
  io::InputOptions o;
  o.inputs = {path};
  io::InputProducer input(o);
  std::vector<int> got;
  CHECK_THROWS_WITH_AS(io::ordered_map<std::vector<int>>(
                           input, 3, io::OnError::fail, [] { return std::make_unique<Numbers>(); },
                           [&](const std::vector<int>& out, std::size_t from, std::size_t to) {
                             got.insert(got.end(), out.begin() + static_cast<long>(from),
                                        out.begin() + static_cast<long>(to));
                           },
                           [](const std::string&) {}, [](const io::StreamStats&) {}),
                       (path + ":6: bad").c_str(), DataError);
  CHECK(got == std::vector<int>{0, 0, 1, 2, 3, 3, 4});
  std::remove(path.c_str());
}
