// score's options (see command.hpp).
#include "command.hpp"

namespace hewn::cli {

void ScoreCommand::declare(CLI::App& app) {
  app.add_option("runs", runs, "Runs: TREC run files or hits JSON Lines from query; - is stdin")->type_name("RUN ...");
  app.add_option("--qrels", qrels_path, "Judgments: TREC qrels or JSON Lines {qid, doc|id, rel}");
  app.add_option("-m,--measure", measures,
                 "Measure (trec_eval or ir_measures name, e.g. map, P.5,10, ndcg_cut.10, nDCG@10, all_trec; with "
                 "--spans: span_recall, span_precision, span_iou, NAME@k, precision_omega, precision_omega_sum); "
                 "repeatable; default: official (with --spans: the span measures at each -k and precision_omega)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  app.add_flag("-q,--per-query", per_query, "Also print each topic's values (trec_eval -q)");
  app.add_flag("-c,--all-topics", opt.all_topics,
               "Average over every qrels topic; topics missing from a run count as empty (trec_eval -c)");
  app.add_flag("-J,--judged-only", opt.judged_only, "Drop unjudged documents from the ranking (trec_eval -J)");
  app.add_option("-l,--min-rel", opt.params.min_rel, "Smallest relevance that counts as relevant (trec_eval -l)")
      ->capture_default_str();
  app.add_option("-M,--max-per-topic", opt.max_per_topic,
                 "Use only the first N documents of each topic, after sorting (trec_eval -M)")
      ->check(whole());
  app.add_option("-N,--num-docs", opt.params.num_docs_in_coll,
                 "Documents in the collection, for utility's fourth coefficient (trec_eval -N)")
      ->check(whole());
  app.add_option("--match", match, "JSON runs: judge hits by doc (best hit per document) or id")
      ->check(CLI::IsMember({"doc", "id"}))
      ->capture_default_str();
  app.add_option("--correct", correction,
                 "Multiple-comparison correction of the p-values of compared runs: none, holm or bonferroni")
      ->capture_default_str();
  app.add_option("--permutations", cmp_opt.permutations, "Permutations of the paired randomization test")
      ->check(CLI::Range(1u, 100000000u))
      ->capture_default_str();
  app.add_option("--seed", cmp_opt.seed, "Seed of the randomization test")->capture_default_str();
  app.add_option("--spans", spans_path, "Span references JSON Lines {qid, doc, start, end}: span measures of the runs");
  app.add_option("--chunks", chunks_paths,
                 "Chunk records JSON Lines (from chunk): for span measures (once, or once per run: runs of "
                 "different chunkings), or alone for intrinsic measures (several: side by side)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option("--docs", docs_path, "Documents JSON Lines {id, text}: checks spans, boundary and block measures");
  app.add_option("--id-field", id_field, "Field holding the id of each document of --docs")->capture_default_str();
  app.add_option("--text-field", text_field, "Field holding the text of each document of --docs")
      ->capture_default_str();
  app.add_option("-k,--at", at, "Span measures at these cutoffs (repeatable; default 10)")
      ->type_name("K")
      ->allow_extra_args(false);
  app.add_option("--min", intr.min_size, "Intrinsic: smallest compliant chunk size, in code points")
      ->capture_default_str();
  app.add_option("--max", intr.max_size, "Intrinsic: largest compliant chunk size, in code points (default none)");
  app.add_option("--lang", intr.lang, "Intrinsic: ICU locale for sentence boundaries")->capture_default_str();
  app.add_option("--window", intr.window, "Intrinsic: neighbouring chunks on each side for DCC")
      ->check(CLI::Range(0L, 1000000L))
      ->capture_default_str();
  app.add_option("--model", icc_model,
                 "Intrinsic: embedder of ICC's sentences, hash-N or a model directory (default: the chunks' "
                 "\"model\" field)")
      ->type_name("MODEL");
  app.add_option("--gold", gold_path,
                 "Gold segmentations JSON Lines {id, segments: [[start, end], ...]} (code points): boundary "
                 "measures of the --chunks chunkings");
  app.add_option("--boundary-unit", boundary_unit,
                 "Boundary measures: units of Pk and the others, sentence (the gold's \"sentences\", else ICU over "
                 "--docs) or char")
      ->check(CLI::IsMember({"sentence", "char"}))
      ->capture_default_str();
  app.add_option("--tolerance", bnd.tolerance, "Boundary precision and recall: units a boundary may be off")
      ->check(CLI::Range(0L, 1000000L))
      ->capture_default_str();
  app.add_option("--plot", plot_path, "Also write an SVG chart to this file");
  app.add_option("--plot-kind", plot_kind, "recall (curves per run), delta (per-topic bars, 2 runs); sizes for chunks")
      ->check(CLI::IsMember({"recall", "delta", "sizes"}))
      ->capture_default_str();
  app.add_flag("--moc", moc,
               "Intrinsic: also MoC's boundary clarity and chunk stickiness, from the LLM's log-probabilities "
               "(--llm-model)");
  app.add_option("--moc-k", moc_opt.k, "MoC: chunk stickiness's edge threshold K")->capture_default_str();
  app.add_option("--moc-edge", moc_edge,
                 "MoC: the quantity K bounds: ratio, ppl(q|d)/ppl(q) (their code), or reduction, "
                 "(ppl(q)-ppl(q|d))/ppl(q) (their paper)")
      ->check(CLI::IsMember({"ratio", "reduction"}))
      ->capture_default_str();
  app.add_option("--moc-distance", moc_opt.distance,
                 "MoC: chunk stickiness's pairs at most N chunks apart (default 0: every pair)")
      ->check(CLI::Range(0L, 1000000000L))
      ->type_name("N");
  app.add_option("--generate", generate,
                 "Write an evaluation set of N questions per --docs document with the LLM (--llm-model): span "
                 "references to -o, queries to --queries-out, qrels to --qrels-out")
      ->check(CLI::Range(1u, 1000u))
      ->type_name("N");
  app.add_option("--queries-out", queries_out, "--generate: write the query records {id, text} to this file")
      ->type_name("FILE");
  app.add_option("--qrels-out", qrels_out, "--generate: write the qrels {qid, doc, rel} to this file")
      ->type_name("FILE");
  app.add_option("--generate-window", gen.window,
                 "--generate: estimated tokens (UTF-8 bytes / 4) of a document shown per question")
      ->check(CLI::Range(16ul, 1000000ul))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--reask", gen.reask,
                 "--generate: times an unusable answer is asked again before the question is dropped")
      ->check(CLI::Range(0u, 20u))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--prompt", prompt_files, "evalset=FILE: the --generate prompt template instead of the built-in one")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);
  llm.add(app, "--moc, --generate", "--llm-seed");
  app.add_option("--format", format, "json, trec (trec_eval's layout), table, markdown or tsv")->capture_default_str();
  app.add_option("-o,--output", output, "Output file (written atomically); - is stdout")->capture_default_str();
}

}  // namespace hewn::cli
