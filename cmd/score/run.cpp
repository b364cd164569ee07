// score's run (see command.hpp).
#include <fstream>
#include <iterator>

#include "command.hpp"
#include "common/model.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "score/plot.hpp"
#include "score/report.hpp"
#include "score/spans.hpp"

namespace {

void write_file(const std::string& path, const std::string& text) {
  auto sink = hewn::io::open_output(path);
  sink->write(text);
  sink->commit();
}

}  // namespace

namespace hewn::cli {

int ScoreCommand::execute(const Given& given) {
  using namespace hewn::score;
  Format fmt = parse_format(format);
  cmp_opt.correction = parse_correction(correction);
  std::string out, svg;
  const bool wants_llm = moc || generate > 0;
  if (!wants_llm) {
    if (llm.wanted()) throw hewn::UsageError("--llm-model is for --moc or --generate");
    for (const char* name : RemoteOptions::names)
      if (given.count(name)) throw hewn::UsageError(std::string(name) + " is for the LLM of --moc or --generate");
    if (given.count("--verbose")) throw hewn::UsageError("--verbose is for the LLM of --moc or --generate");
    llm.open(given);  // refuses --temperature, --llm-seed, --dry-run
  } else if (!llm.wanted()) {
    throw hewn::UsageError(std::string(moc ? "--moc" : "--generate") + " needs an LLM (--llm-model NAME)");
  }
  if (!moc)
    for (const char* name : {"--moc-k", "--moc-edge", "--moc-distance"})
      if (given.count(name)) throw hewn::UsageError(std::string(name) + " is for --moc");
  if (generate == 0)
    for (const char* name : {"--queries-out", "--qrels-out", "--generate-window", "--reask", "--prompt"})
      if (given.count(name)) throw hewn::UsageError(std::string(name) + " is for --generate");
  if (generate > 0) {  // evaluation set
    if (docs_path.empty()) throw hewn::UsageError("--generate needs --docs (the documents to ask about)");
    if (!runs.empty() || !spans_path.empty() || !qrels_path.empty() || !chunks_paths.empty() || !gold_path.empty() ||
        moc)
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
    gen.model = llm.open(given);
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
    Diag("score").error("generated " + n(counts.kept, "question", "questions") + " of " + std::to_string(counts.asked) +
                        " asked; answers refused: " + std::to_string(counts.unparsable) + " unparsable, " +
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
    moc_opt.model = llm.open(given);
  }
  if (!gold_path.empty()) {  // boundary measures
    if (chunks_paths.empty()) throw hewn::UsageError("--gold needs --chunks (one chunking, or several to compare)");
    if (!runs.empty() || !spans_path.empty() || !qrels_path.empty())
      throw hewn::UsageError("--gold takes no runs, --spans or --qrels");
    if (!plot_path.empty()) throw hewn::UsageError("--plot does not apply to --gold");
    if (!measures.empty())
      throw hewn::UsageError("-m is for runs (--qrels or --spans); boundary measures are all computed");
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
    if (!plot_path.empty())
      throw hewn::UsageError("--plot charts IR measures (--qrels) or chunk sizes (--chunks alone), not span measures");
    auto span_measures = SpanMeasures::parse(measures, at);
    std::optional<Documents> docs;
    if (!docs_path.empty()) docs = Documents::read(docs_path, id_field, text_field, false);
    auto refs = SpanRefs::read(spans_path, docs ? &*docs : nullptr);
    std::vector<SpanEvaluation> evs;
    std::optional<Chunks> chunks;
    for (std::size_t r = 0; r < runs.size(); ++r) {
      if (r == 0 || chunks_paths.size() > 1)
        chunks = Chunks::read(chunks_paths[r < chunks_paths.size() ? r : 0], false, false);
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
    score::RunOptions ro;
    ro.match = match == "id" ? MatchField::id : MatchField::doc;
    auto qrels = Qrels::read(qrels_path);
    std::vector<Evaluation> full, evs;
    for (const auto& path : runs) {
      full.push_back(evaluate(qrels, path, ro, computed, opt));
      const Evaluation& ev = full.back();
      if (ev.retrieved && !ev.retrieved_in_qrels)
        Diag("score").warning(ev.source +
                              ": no retrieved document id is in the qrels, so every measure is 0 "
                              "(chunk ids against document qrels? use query --group doc, or hits "
                              "JSON Lines with --match doc)");
      evs.push_back(add_recall ? project(ev, computed, ms) : ev);
    }
    auto cmps = compare(evs, ms, cmp_opt);
    if (fmt == Format::trec)
      for (const auto& ev : evs) write_trec(ev, ms, per_query, out);
    else if (fmt == Format::json)
      for (std::size_t r = 0; r < evs.size(); ++r)
        write_json(evs[r], ms, per_query, out, r > 0 ? &cmps[r - 1] : nullptr);
    else
      write_rows(evs, ms, fmt, out, cmps);
    if (!plot_path.empty()) svg = plot_kind == "recall" ? plot_recall(full, computed) : plot_delta(evs, ms);
  } else if (!chunks_paths.empty()) {  // intrinsic measures
    if (!runs.empty()) throw hewn::UsageError("runs need --qrels or --spans");
    if (!measures.empty())
      throw hewn::UsageError("-m is for runs (--qrels or --spans); intrinsic measures are all computed");
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
        embedder = open_named_model(model);
        if (!embedder && !icc_model.empty())
          throw hewn::UsageError("--model: " + hewn::quoted(icc_model) + " is neither hash-N nor a model directory");
        if (embedder) {
          io.encoder = embedder.get();
        } else {
          Diag("score").warning(chunks_path + ": ICC not computed: the chunks' model " + hewn::quoted(model) +
                                " is not one hewn can run here (give --model)");
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
}

}  // namespace hewn::cli
