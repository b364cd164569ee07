// score: trec_eval-exact IR measures, span measures and intrinsic chunk
// measures. See score(1).

#include <fstream>
#include <iterator>

#include "common/llm.hpp"
#include "common/model.hpp"
#include "common/tool.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "score/evalset.hpp"
#include "score/evaluate.hpp"
#include "score/intrinsic.hpp"
#include "score/moc.hpp"
#include "score/plot.hpp"
#include "score/report.hpp"
#include "score/segmentation.hpp"
#include "score/spans.hpp"

namespace {

void write_file(const std::string& path, const std::string& text) {
  auto sink = hewn::io::open_output(path);
  sink->write(text);
  sink->commit();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Score retrieval runs (trec_eval 10 exact), chunk spans and chunkings.", "score"};
  std::vector<std::string> runs;
  std::string qrels_path, spans_path, docs_path, output = "-", format = "json", match = "doc";
  std::string plot_path, plot_kind = "recall", correction = "none", icc_model, id_field = "id", text_field = "text";
  std::vector<std::string> measures, chunks_paths;
  std::vector<long> at;
  bool per_query = false;
  hewn::score::EvalOptions opt;
  hewn::score::CompareOptions cmp_opt;
  hewn::score::IntrinsicOptions intr;

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
      ->check(hewn::cli::whole());
  app.add_option("-N,--num-docs", opt.params.num_docs_in_coll,
                 "Documents in the collection, for utility's fourth coefficient (trec_eval -N)")
      ->check(hewn::cli::whole());
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
  app.add_option("--text-field", text_field, "Field holding the text of each document of --docs")->capture_default_str();
  app.add_option("-k,--at", at, "Span measures at these cutoffs (repeatable; default 10)")->type_name("K")->allow_extra_args(false);
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
  std::string gold_path, boundary_unit = "sentence";
  hewn::score::BoundaryOptions bnd;
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
  bool moc = false;
  std::string moc_edge = "ratio";
  hewn::score::MocOptions moc_opt;
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
  unsigned generate = 0;
  std::string queries_out, qrels_out;
  std::vector<std::string> prompt_files;
  hewn::score::EvalSetOptions gen;
  app.add_option("--generate", generate,
                 "Write an evaluation set of N questions per --docs document with the LLM (--llm-model): span "
                 "references to -o, queries to --queries-out, qrels to --qrels-out")
      ->check(CLI::Range(1u, 1000u))
      ->type_name("N");
  app.add_option("--queries-out", queries_out, "--generate: write the query records {id, text} to this file")
      ->type_name("FILE");
  app.add_option("--qrels-out", qrels_out, "--generate: write the qrels {qid, doc, rel} to this file")->type_name("FILE");
  app.add_option("--generate-window", gen.window,
                 "--generate: estimated tokens (UTF-8 bytes / 4) of a document shown per question")
      ->check(CLI::Range(16ul, 1000000ul))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--reask", gen.reask, "--generate: times an unusable answer is asked again before the question is dropped")
      ->check(CLI::Range(0u, 20u))
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--prompt", prompt_files, "evalset=FILE: the --generate prompt template instead of the built-in one")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);
  hewn::cli::LlmFlags llm;
  llm.add(app, "--moc, --generate", "--llm-seed");
  app.add_option("--format", format, "json, trec (trec_eval's layout), table, markdown or tsv")->capture_default_str();
  app.add_option("-o,--output", output, "Output file (written atomically); - is stdout")->capture_default_str();

  return hewn::cli::run("score", app, argc, argv, [&] {
    using namespace hewn::score;
    Format fmt = parse_format(format);
    cmp_opt.correction = parse_correction(correction);
    std::string out, svg;
    const bool wants_llm = moc || generate > 0;
    if (!wants_llm) {
      if (llm.wanted()) throw hewn::UsageError("--llm-model is for --moc or --generate");
      for (const char* name : hewn::cli::RemoteOptions::names)
        if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for the LLM of --moc or --generate");
      if (app.count("--verbose")) throw hewn::UsageError("--verbose is for the LLM of --moc or --generate");
      llm.open(app);  // refuses --temperature, --llm-seed, --dry-run
    } else if (!llm.wanted()) {
      throw hewn::UsageError(std::string(moc ? "--moc" : "--generate") + " needs an LLM (--llm-model NAME)");
    }
    if (!moc)
      for (const char* name : {"--moc-k", "--moc-edge", "--moc-distance"})
        if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for --moc");
    if (generate == 0)
      for (const char* name : {"--queries-out", "--qrels-out", "--generate-window", "--reask", "--prompt"})
        if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for --generate");
    if (generate > 0) {  // evaluation set
      if (docs_path.empty()) throw hewn::UsageError("--generate needs --docs (the documents to ask about)");
      if (!runs.empty() || !spans_path.empty() || !qrels_path.empty() || !chunks_paths.empty() || !gold_path.empty() || moc)
        throw hewn::UsageError("--generate takes only --docs");
      gen.prompt = std::string(default_evalset_prompt());
      for (const std::string& pf : prompt_files) {
        std::size_t eq = pf.find('=');
        if (eq == std::string::npos || pf.substr(0, eq) != "evalset" || eq + 1 == pf.size())
          throw hewn::UsageError("--prompt: " + hewn::quoted(pf) + " is not evalset=FILE");
        std::ifstream in(pf.substr(eq + 1), std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.is_open() || in.bad()) throw hewn::UsageError("--prompt evalset: cannot read " + pf.substr(eq + 1));
        gen.prompt = std::move(text);
      }
      gen.questions = generate;
      auto docs = Documents::read(docs_path, id_field, text_field, true);
      std::vector<EvalDocument> list;
      for (const std::string& id : docs.ids) list.push_back({id, docs.text.at(id)});
      gen.model = llm.open(app);
      EvalSetCounts counts;
      std::vector<EvalQuestion> qs;
      try {
        qs = generate_evalset(list, docs_path, gen, counts);
      } catch (...) {
        if (!llm.dry_run) llm.finish("score", "");
        throw;
      }
      auto n = [](std::uint64_t v, const char* one, const char* many) {
        return std::to_string(v) + " " + (v == 1 ? one : many);
      };
      llm.finish("score", "; " + n(counts.asked_again, "answer", "answers") + " asked again");
      if (llm.dry_run) return 0;
      std::string queries, qrels;
      write_evalset(qs, out, queries, qrels);
      hewn::cli::Diag("score").error("generated " + n(counts.kept, "question", "questions") + " of " +
                                     std::to_string(counts.asked) + " asked; answers refused: " +
                                     std::to_string(counts.unparsable) + " unparsable, " +
                                     std::to_string(counts.not_verbatim) + " with an excerpt not in the text, " +
                                     std::to_string(counts.duplicates) + " repeating a question; " +
                                     n(counts.dropped, "question", "questions") + " dropped");
      if (!queries_out.empty()) write_file(queries_out, queries);
      if (!qrels_out.empty()) write_file(qrels_out, qrels);
      write_file(output, out);
      return 0;
    }
    if (moc) {
      if (chunks_paths.empty() || !runs.empty() || !spans_path.empty() || !qrels_path.empty() || !gold_path.empty())
        throw hewn::UsageError("--moc is an intrinsic measure: give --chunks alone");
      moc_opt.edge = moc_edge == "reduction" ? MocEdge::reduction : MocEdge::ratio;
      moc_opt.model = llm.open(app);
    }
    if (!gold_path.empty()) {  // boundary measures
      if (chunks_paths.empty()) throw hewn::UsageError("--gold needs --chunks (one chunking, or several to compare)");
      if (!runs.empty() || !spans_path.empty() || !qrels_path.empty())
        throw hewn::UsageError("--gold takes no runs, --spans or --qrels");
      if (!plot_path.empty()) throw hewn::UsageError("--plot does not apply to --gold");
      if (!measures.empty()) throw hewn::UsageError("-m is for runs (--qrels or --spans); boundary measures are all computed");
      bnd.unit = boundary_unit == "char" ? BoundaryUnit::character : BoundaryUnit::sentence;
      bnd.lang = intr.lang;
      auto gold = Gold::read(gold_path);
      std::optional<Documents> docs;
      if (!docs_path.empty()) docs = Documents::read(docs_path, id_field, text_field, true);
      std::vector<SpanEvaluation> evs;
      for (const auto& path : chunks_paths)
        evs.push_back(evaluate_boundaries(gold, Chunks::read(path, false, false), docs ? &*docs : nullptr, bnd));
      write_boundaries(evs, per_query, fmt, out, compare_spans(evs, cmp_opt));
    } else if (!spans_path.empty()) {  // span measures
      if (chunks_paths.empty()) throw hewn::UsageError("--spans needs --chunks (the chunk records of the runs)");
      if (runs.empty()) throw hewn::UsageError("--spans needs at least one run");
      if (chunks_paths.size() != 1 && chunks_paths.size() != runs.size())
        throw hewn::UsageError("--chunks given " + std::to_string(chunks_paths.size()) + " times for " +
                               std::to_string(runs.size()) + " runs (give it once, or once per run)");
      if (!plot_path.empty()) throw hewn::UsageError("--plot charts IR measures (--qrels) or chunk sizes (--chunks alone), not span measures");
      auto span_measures = SpanMeasures::parse(measures, at);
      std::optional<Documents> docs;
      if (!docs_path.empty()) docs = Documents::read(docs_path, id_field, text_field, false);
      auto refs = SpanRefs::read(spans_path, docs ? &*docs : nullptr);
      std::vector<SpanEvaluation> evs;
      std::optional<Chunks> chunks;
      for (std::size_t r = 0; r < runs.size(); ++r) {
        if (r == 0 || chunks_paths.size() > 1) chunks = Chunks::read(chunks_paths[r < chunks_paths.size() ? r : 0], false, false);
        evs.push_back(evaluate_spans(refs, Run::read(runs[r], {MatchField::id, true}), *chunks, span_measures));
      }
      write_spans(evs, per_query, fmt, out, compare_spans(evs, cmp_opt));
    } else if (!qrels_path.empty()) {  // IR measures
      if (runs.empty()) throw hewn::UsageError("no run given");
      if (!plot_path.empty() && plot_kind == "sizes") throw hewn::UsageError("--plot-kind sizes is for --chunks alone");
      MeasureSet ms, computed;  // what is printed; what is computed (plus recall for a recall chart)
      for (const auto& m : measures) {
        ms.add(m);
        computed.add(m);
      }
      ms.finish();
      bool has_recall = false;
      for (const auto& m : ms.measures()) has_recall = has_recall || m.family_name() == "recall";
      bool add_recall = !plot_path.empty() && plot_kind == "recall" && !has_recall;
      if (add_recall) {
        if (measures.empty()) computed.add("official");
        computed.add("recall");
      }
      computed.finish();
      RunOptions ro;
      ro.match = match == "id" ? MatchField::id : MatchField::doc;
      auto qrels = Qrels::read(qrels_path);
      std::vector<Evaluation> full, evs;
      for (const auto& path : runs) {
        full.push_back(evaluate(qrels, path, ro, computed, opt));
        const Evaluation& ev = full.back();
        if (ev.retrieved && !ev.retrieved_in_qrels)
          hewn::cli::Diag("score").warning(ev.source +
                                           ": no retrieved document id is in the qrels, so every measure is 0 "
                                           "(chunk ids against document qrels? use query --group doc, or hits "
                                           "JSON Lines with --match doc)");
        evs.push_back(add_recall ? project(ev, computed, ms) : ev);
      }
      auto cmps = compare(evs, ms, cmp_opt);
      if (fmt == Format::trec)
        for (const auto& ev : evs) write_trec(ev, ms, per_query, out);
      else if (fmt == Format::json)
        for (std::size_t r = 0; r < evs.size(); ++r) write_json(evs[r], ms, per_query, out, r > 0 ? &cmps[r - 1] : nullptr);
      else
        write_rows(evs, ms, fmt, out, cmps);
      if (!plot_path.empty()) svg = plot_kind == "recall" ? plot_recall(full, computed) : plot_delta(evs, ms);
    } else if (!chunks_paths.empty()) {  // intrinsic measures
      if (!runs.empty()) throw hewn::UsageError("runs need --qrels or --spans");
      if (!measures.empty()) throw hewn::UsageError("-m is for runs (--qrels or --spans); intrinsic measures are all computed");
      if (!plot_path.empty() && plot_kind == "delta") throw hewn::UsageError("--plot-kind delta needs runs and --qrels");
      std::optional<Documents> docs;
      if (!docs_path.empty()) docs = Documents::read(docs_path, id_field, text_field, true);
      std::vector<IntrinsicResult> results;
      bool any_embedded = false;
      for (const auto& chunks_path : chunks_paths) {
        auto chunks = Chunks::read(chunks_path, true, true);
        // ICC embeds each sentence with the model that embedded the chunks.
        std::unique_ptr<const hewn::TextEncoder> embedder;
        const std::string& model = icc_model.empty() ? chunks.model : icc_model;
        bool embedded = !chunks.records.empty() && chunks.model_line != 0;
        IntrinsicOptions io = intr;
        if (embedded) {
          embedder = hewn::cli::open_named_model(model);
          if (!embedder && !icc_model.empty())
            throw hewn::UsageError("--model: " + hewn::quoted(icc_model) +
                                   " is neither hash-N nor a model directory");
          if (embedder) {
            io.encoder = embedder.get();
          } else {
            hewn::cli::Diag("score").warning(chunks_path + ": ICC not computed: the chunks' model " +
                                             hewn::quoted(model) + " is not one hewn can run here (give --model)");
          }
        }
        any_embedded = any_embedded || embedded;
        results.push_back(intrinsic(chunks, docs ? &*docs : nullptr, io));
        if (moc) {
          MocResult m;
          try {
            m = moc_measures(chunks, moc_opt);
          } catch (...) {
            if (!llm.dry_run) llm.finish("score", "");
            throw;
          }
          results.back().names.insert(results.back().names.end(), m.names.begin(), m.names.end());
          results.back().values.insert(results.back().values.end(), m.values.begin(), m.values.end());
        }
      }
      if (moc) {
        llm.finish("score", "");
        if (llm.dry_run) return 0;
      }
      if (!icc_model.empty() && !any_embedded) throw hewn::UsageError("--model: the chunks carry no embeddings");
      write_intrinsic(chunks_paths, results, fmt, out);
      if (!plot_path.empty()) {
        std::vector<std::vector<long>> sizes;
        for (const auto& r : results) sizes.push_back(r.sizes);
        svg = plot_sizes(chunks_paths, sizes);
      }
    } else {
      throw hewn::UsageError("give --qrels (IR measures), --spans with --chunks (span measures) or --chunks alone");
    }
    if (!svg.empty()) write_file(plot_path, svg);
    write_file(output, out);
    return 0;
  });
}
