// score: trec_eval-exact IR measures of runs against qrels. See score(1).
#include "common/tool.hpp"
#include "core/output.hpp"
#include "score/evaluate.hpp"
#include "score/report.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Score retrieval runs against relevance judgments (trec_eval 10 exact).", "score"};
  std::vector<std::string> runs;
  std::string qrels_path, output = "-", format = "json", match = "doc";
  std::vector<std::string> measures;
  bool per_query = false;
  hewn::score::EvalOptions opt;
  hewn::score::CompareOptions cmp_opt;
  std::string correction = "none";

  app.add_option("runs", runs, "Runs: TREC run files or hits JSON Lines from query; - is stdin")
      ->required()
      ->type_name("RUN ...");
  app.add_option("--qrels", qrels_path, "Judgments: TREC qrels or JSON Lines {qid, doc|id, rel}")->required();
  app.add_option("-m,--measure", measures,
                 "Measure (trec_eval or ir_measures name, e.g. map, P.5,10, ndcg_cut.10, nDCG@10, all_trec); "
                 "repeatable; default: official")
      ->type_name("NAME");
  app.add_flag("-q,--per-query", per_query, "Also print each topic's values (trec_eval -q)");
  app.add_flag("-c,--all-topics", opt.all_topics,
               "Average over every qrels topic; topics missing from a run count as empty (trec_eval -c)");
  app.add_flag("-J,--judged-only", opt.judged_only, "Drop unjudged documents from the ranking (trec_eval -J)");
  app.add_option("-l,--min-rel", opt.params.min_rel, "Smallest relevance that counts as relevant (trec_eval -l)")
      ->capture_default_str();
  app.add_option("-M,--max-per-topic", opt.max_per_topic,
                 "Use only the first N documents of each topic, after sorting (trec_eval -M)");
  app.add_option("-N,--num-docs", opt.params.num_docs_in_coll,
                 "Documents in the collection, for utility's fourth coefficient (trec_eval -N)");
  app.add_option("--match", match, "JSON runs: judge hits by doc (best hit per document) or id")
      ->check(CLI::IsMember({"doc", "id"}))
      ->capture_default_str();
  app.add_option("--correct", correction,
                 "Multiple-comparison correction of the p-values of compared runs: none, holm or bonferroni")
      ->capture_default_str();
  app.add_option("--permutations", cmp_opt.permutations, "Permutations of the paired randomization test")
      ->capture_default_str();
  app.add_option("--seed", cmp_opt.seed, "Seed of the randomization test")->capture_default_str();
  app.add_option("--format", format, "json, trec (trec_eval's layout), table, markdown or tsv")->capture_default_str();
  app.add_option("-o,--output", output, "Output file (written atomically); - is stdout")->capture_default_str();

  return hewn::cli::run("score", app, argc, argv, [&] {
    hewn::score::Format fmt = hewn::score::parse_format(format);
    cmp_opt.correction = hewn::score::parse_correction(correction);
    hewn::score::MeasureSet ms;
    for (const auto& m : measures) ms.add(m);
    ms.finish();
    hewn::score::RunOptions ro;
    ro.match = match == "id" ? hewn::score::MatchField::id : hewn::score::MatchField::doc;
    auto qrels = hewn::score::Qrels::read(qrels_path);
    std::vector<hewn::score::Evaluation> evs;
    for (const auto& path : runs) {
      auto run = hewn::score::Run::read(path, ro);
      evs.push_back(hewn::score::evaluate(qrels, run, ms, opt));
    }
    auto cmps = hewn::score::compare(evs, ms, cmp_opt);
    std::string out;
    if (fmt == hewn::score::Format::trec)
      for (const auto& ev : evs) hewn::score::write_trec(ev, ms, per_query, out);
    else if (fmt == hewn::score::Format::json)
      for (std::size_t r = 0; r < evs.size(); ++r)
        hewn::score::write_json(evs[r], ms, per_query, out, r > 0 ? &cmps[r - 1] : nullptr);
    else
      hewn::score::write_rows(evs, ms, fmt, out, cmps);
    auto sink = hewn::io::open_output(output);
    sink->write(out);
    sink->commit();
    return 0;
  });
}
