#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"
#include "query/search.hpp"

using namespace hewn;
namespace fs = std::filesystem;

namespace {

// Ten chunks that all hold "cat" once, chunk d with d filler terms (so BM25
// ranks them d0, d1, ..., d9), in documents of two chunks each; chunk d's
// text is d % 3 letters "x".
std::string small_index() {
  auto dir = (fs::temp_directory_path() / ("hewn-rerank-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  index::Builder b(dir, index::BuildOptions{});
  for (std::uint32_t d = 0; d < 10; ++d) {
    index::ChunkEntry e;
    std::string id = "d", doc = "g";
    id += std::to_string(d);
    doc += std::to_string(d / 2);
    std::vector<std::pair<std::string_view, std::uint32_t>> terms = {{"cat", 1}};
    if (d) terms.emplace_back("filler", d);
    e.where = "t";
    e.id = id;
    e.doc = doc;
    e.n = d % 2;
    e.terms = terms;
    e.length = 1 + d;
    std::string record = "{\"id\":\"";
    record += id;
    record += "\",\"doc\":\"";
    record += doc;
    record += "\",\"text\":\"";
    record.append(d % 3, 'x');
    record += "\"}";
    e.record = record;
    b.add(e);
  }
  b.commit();
  return dir;
}

// Scores a passage by its number of "x" (so scores tie), and reports the
// passages of two letters as cut.
class CountX : public PairScorer {
 public:
  const std::string& name() const override { return name_; }
  std::size_t score(std::string_view query, std::span<const std::string_view> passages, double* out) const override {
    if (query == "too long") throw DataError("query of 9 tokens leaves no room");
    std::size_t cut = 0;
    for (std::size_t i = 0; i < passages.size(); ++i) {
      out[i] = static_cast<double>(std::count(passages[i].begin(), passages[i].end(), 'x'));
      cut += passages[i].size() == 2;
    }
    return cut;
  }

 private:
  std::string name_ = "count-x";
};

// The hits of one query record, as "id first_rank" words.
std::string run_query(const index::Index& ix, const query::SearchOptions& o, std::string line) {
  auto h = query::make_searcher(ix, o);
  std::size_t len = line.size();
  line.append(io::line_padding, ' ');
  json::Parser p;
  const json::Record& r = p.parse(std::string_view(line).substr(0, len), "q.jsonl", 1);
  io::Input in;
  in.record = &r;
  in.source = "q.jsonl";
  in.line = 1;
  std::string out;
  h->handle(in, out);
  std::string words;
  std::istringstream lines(out);
  json::Parser hp;
  for (std::string hit; std::getline(lines, hit);) {
    std::size_t n = hit.size();
    hit.append(io::line_padding, ' ');
    const json::Record& x = hp.parse(std::string_view(hit).substr(0, n), "out", 1);
    words += *x.string("id");
    words += ' ';
    words += std::to_string(x.require_whole("first_rank"));
    words += ' ';
  }
  return words;
}

}  // namespace

TEST_CASE("rerank stage: the first --rerank-depth chunks, ranked by the scorer, ties in first-stage order") {
  index::Index ix(small_index());
  CountX scorer;
  query::SearchOptions o;
  o.reranker = &scorer;
  o.rerank_depth = 6;
  std::size_t cut = 0;
  o.on_truncated = [&](std::size_t n) { cut += n; };
  // d0..d5 score 0 1 2 0 1 2; d2 and d5 tie (d2 came first), and so on.
  CHECK(run_query(ix, o, R"({"id":"q","text":"cat"})") == "d2 3 d5 6 d1 2 d4 5 d0 1 d3 4 ");
  CHECK(cut == 2);
  o.k = 2;  // the cut to k comes after reranking
  CHECK(run_query(ix, o, R"({"id":"q","text":"cat"})") == "d2 3 d5 6 ");
}

TEST_CASE("rerank stage: with --group doc the depth counts documents and first_rank is the document's") {
  index::Index ix(small_index());
  CountX scorer;
  query::SearchOptions o;
  o.reranker = &scorer;
  o.rerank_depth = 2;  // documents g0 (d0, d1) and g1 (d2, d3)
  o.group = query::Group::max;
  CHECK(run_query(ix, o, R"({"id":"q","text":"cat"})") == "d2 2 d1 1 ");
}

TEST_CASE("rerank stage: a run's hits replace retrieval; the scorer's errors name the query") {
  index::Index ix(small_index());
  CountX scorer;
  query::SearchOptions o;
  o.reranker = &scorer;
  std::unordered_map<std::string, std::vector<query::Hit>> run = {{"q", {{9, 5.0}, {8, 4.0}, {4, 3.0}}}};
  o.run = &run;
  int missing = 0;
  o.on_not_in_run = [&](const io::Input&, const std::string& qid) { missing += qid == "other"; };
  CHECK(run_query(ix, o, R"({"id":"q","text":"cat"})") == "d8 2 d4 3 d9 1 ");
  CHECK(run_query(ix, o, R"({"id":"other","text":"cat"})").empty());
  CHECK(missing == 1);
  CHECK_THROWS_WITH_AS(run_query(ix, o, R"({"id":"q","text":"too long"})"),
                       "q.jsonl:1: --rerank: query of 9 tokens leaves no room", DataError);
  CHECK_THROWS_WITH_AS(run_query(ix, o, R"({"id":"q"})"),
                       "q.jsonl:1: missing field \"text\" (--rerank reads the query's text)", DataError);
}
