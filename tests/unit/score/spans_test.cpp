#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "score/evaluate.hpp"
#include "score/spans.hpp"

using namespace hewn;
using namespace hewn::score;

namespace {

// A file in the temporary folder holding text, removed at scope exit.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name, const std::string& text)
      : path(std::string(P_tmpdir) + "/hewn-score-unit-" + name) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("span measures: -m names at cutoffs, ordered by cutoff then kind, omegas last") {
  auto m = SpanMeasures::parse({}, {});
  CHECK(m.names == std::vector<std::string>{"span_recall@10", "span_precision@10", "span_iou@10", "precision_omega"});
  m = SpanMeasures::parse({"precision_omega_sum", "span_iou", "span_recall@3", "span_recall"}, {20, 5});
  CHECK(m.names == std::vector<std::string>{"span_recall@3", "span_recall@5", "span_iou@5", "span_recall@20",
                                            "span_iou@20", "precision_omega_sum"});
  m = SpanMeasures::parse({"span_recall", "span_recall@10"}, {});  // the same value once
  CHECK(m.names == std::vector<std::string>{"span_recall@10"});
  CHECK_THROWS_AS(SpanMeasures::parse({"bogus"}, {}), UsageError);
  CHECK_THROWS_AS(SpanMeasures::parse({"map"}, {}), UsageError);
  CHECK_THROWS_AS(SpanMeasures::parse({"span_iou@"}, {}), UsageError);
  CHECK_THROWS_AS(SpanMeasures::parse({"span_iou@2x"}, {}), UsageError);
  CHECK_THROWS_AS(SpanMeasures::parse({}, {0}), UsageError);
}

TEST_CASE("precision-omega: Chroma's union of touching and overlapping chunks, and the summed variant") {
  // d: chunks [0,10) [5,15) [10,20) [20,30) [5,15) [33,40); references [8,20) [31,36).
  TempFile chunks("omega-chunks.jsonl",
                  "{\"id\":\"c0\",\"doc\":\"d\",\"start\":0,\"end\":10}\n"
                  "{\"id\":\"c1\",\"doc\":\"d\",\"start\":5,\"end\":15}\n"
                  "{\"id\":\"c2\",\"doc\":\"d\",\"start\":10,\"end\":20}\n"
                  "{\"id\":\"c3\",\"doc\":\"d\",\"start\":20,\"end\":30}\n"
                  "{\"id\":\"c4\",\"doc\":\"d\",\"start\":5,\"end\":15}\n"
                  "{\"id\":\"c5\",\"doc\":\"d\",\"start\":33,\"end\":40}\n");
  TempFile refs("omega-refs.jsonl",
                "{\"qid\":\"q\",\"doc\":\"d\",\"start\":8,\"end\":20}\n{\"qid\":\"q\",\"doc\":\"d\",\"start\":31,\"end\":36}\n"
                "{\"qid\":\"r\",\"doc\":\"e\",\"start\":0,\"end\":4}\n");
  TempFile hits("omega-hits.jsonl", "{\"qid\":\"q\",\"id\":\"c2\",\"score\":1}\n");
  auto ev = evaluate_spans(SpanRefs::read(refs.path, nullptr), Run::read(hits.path, {MatchField::id, true}),
                           Chunks::read(chunks.path, false, false),
                           SpanMeasures::parse({"precision_omega", "precision_omega_sum"}, {}));
  REQUIRE(ev.queries.size() == 2);
  CHECK(ev.queries[0].values[0] == 15.0 / 39.0);
  CHECK(ev.queries[0].values[1] == 15.0 / 47.0);
  // A reference in a document without chunks: nothing covers it.
  CHECK(ev.queries[1].values[0] == 0.0);
  CHECK(ev.queries[1].values[1] == 0.0);
}

TEST_CASE("qrels: BEIR's TSV with its header, and the count behind num_rel under -c") {
  TempFile tsv("beir.tsv", "query-id\tcorpus-id\tscore\n1\ta\t2\n1\tb\t0\n2\tc\t1\n2\td\t-1\n");
  auto q = Qrels::read(tsv.path);
  REQUIRE(q.topics().size() == 2);
  CHECK(q.topics()[0].docs.size() == 2);
  CHECK(q.topics()[1].docs[0].doc == "c");
  CHECK(q.num_positive() == 2);
  TempFile headless("headless.tsv", "1\ta\t2\n");
  CHECK_THROWS_AS(Qrels::read(headless.path), DataError);
}

TEST_CASE("the first requested mean: the delta chart's measure") {
  MeasureSet ms;
  for (auto m : {"num_q", "P.20,5", "map"}) ms.add(m);
  ms.finish();  // values: num_q, map, P_5, P_20
  CHECK(ms.first_requested_mean() == 3);
  MeasureSet off;
  off.add("official");
  off.finish();  // runid, num_q, num_ret, num_rel, num_rel_ret, map, ...
  CHECK(off.first_requested_mean() == 5);
  MeasureSet counts;
  counts.add("num_ret");
  counts.finish();
  CHECK(counts.first_requested_mean() == counts.num_values());
}
