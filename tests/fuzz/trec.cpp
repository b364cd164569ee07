// LIBS: hewn_score
// Fuzz target: the TREC run and qrels parsers (and their JSON Lines forms)
// and trec_eval's evaluation over what they read. The first byte picks the
// mode: a run alone, qrels alone, or qrels and a run separated by the byte
// 0x1e, evaluated with every measure. Bad input may only raise DataError.
#include <cmath>
#include <cstdint>
#include <string>

#include "common.hpp"
#include "core/error.hpp"
#include "score/evaluate.hpp"
#include "score/judgments.hpp"
#include "score/run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  if (size < 1) return 0;
  int mode = data[0] % 4;
  score::RunOptions ro;
  ro.match = data[0] & 0x10 ? score::MatchField::id : score::MatchField::doc;
  std::string_view body = fuzz::bytes_of(data + 1, size - 1);
  try {
    if (mode == 0) {
      score::Run run = score::Run::read(fuzz::put("run", body), ro);
      for (const auto& t : run.topics())
        for (const auto& h : t.hits) FUZZ_REQUIRE(h.line >= 1);
      return 0;
    }
    if (mode == 1) {
      score::Qrels q = score::Qrels::read(fuzz::put("qrels", body));
      for (std::size_t i = 1; i < q.topics().size(); ++i) FUZZ_REQUIRE(q.topics()[i - 1].qid < q.topics()[i].qid);
      return 0;
    }
    std::size_t cut = body.find('\x1e');
    if (cut == std::string_view::npos) return 0;
    score::Qrels q = score::Qrels::read(fuzz::put("qrels", body.substr(0, cut)));
    static score::MeasureSet measures = [] {
      score::MeasureSet m;
      m.add("all_trec");
      m.finish();
      return m;
    }();
    score::EvalOptions eo;
    eo.all_topics = data[0] & 0x20;
    eo.judged_only = data[0] & 0x40;
    if (data[0] & 0x80) eo.max_per_topic = 3;
    std::string run_path = fuzz::put("run", body.substr(cut + 1));
    score::Evaluation e = mode == 2 ? score::evaluate(q, score::Run::read(run_path, ro), measures, eo)
                                    : score::evaluate(q, run_path, ro, measures, eo);
    FUZZ_REQUIRE(e.summary.size() == measures.num_values());
    for (const auto& t : e.topics) FUZZ_REQUIRE(t.values.size() == measures.num_values());
  } catch (const DataError&) {
  }
  return 0;
}
