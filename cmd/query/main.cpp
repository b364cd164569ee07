// query: retrieve chunks from an index built by index(1). See query(1).

#include "common/tool.hpp"
#include "embed/embedder.hpp"
#include "tokenize/tokenizer.hpp"
#include "core/error.hpp"
#include "index/index.hpp"
#include "query/search.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Retrieve the best chunks for each query record from an index (BM25, dense or hybrid).", "query"};
  hewn::cli::StreamOptions io;
  hewn::cli::RunOptions run;
  hewn::query::SearchOptions so;
  std::string dir, format = "jsonl", mode = "bm25", group = "none", group_score = "max", cutoff = "fixed",
                   budget_unit = "chars";
  double alpha = -1;
  unsigned nprobe = 0, ef_search = 0;
  app.add_option("dir", dir, "Index directory (see index(1))")->required();
  io.add(app, "JSON Lines query records (.zst ok); - or none: stdin");
  app.add_option("-k", so.k, "Hits per query")->check(hewn::cli::whole(1))->capture_default_str();
  app.add_option("--format", format, "jsonl (one hit per line) or trec (a TREC run)")
      ->check(CLI::IsMember({"jsonl", "trec"}))
      ->capture_default_str();
  app.add_option("--run-tag", so.run_tag, "Run name in the last column of --format trec")->capture_default_str();
  app.add_flag("--text", so.text, "Add each hit's chunk text");
  app.add_option("--mode", mode, "bm25, dense or hybrid")
      ->check(CLI::IsMember({"bm25", "dense", "hybrid"}))
      ->capture_default_str();
  app.add_option("--embedding-field", so.embedding_field, "Field holding the query vector")->capture_default_str();
  app.add_option("--rrf-k", so.rrf_k, "Hybrid: reciprocal rank fusion constant")->capture_default_str();
  app.add_option("--alpha", alpha, "Hybrid: interpolate min-max normalised scores, dense weight ALPHA (instead of RRF)");
  app.add_option("--depth", so.depth, "Candidates per retriever for hybrid, --group and --cutoff (default max(k,100))")
      ->check(hewn::cli::whole(1));
  app.add_option("--nprobe", nprobe, "Dense IVF indexes: lists probed")->check(hewn::cli::whole(1, 1 << 20));
  app.add_option("--ef-search", ef_search, "Dense HNSW indexes: search breadth")->check(hewn::cli::whole(1, 1 << 20));
  app.add_option("--group", group, "none, or doc: one hit per document")
      ->check(CLI::IsMember({"none", "doc"}))
      ->capture_default_str();
  app.add_option("--group-score", group_score, "Document score with --group doc: max or sum of its chunks")
      ->check(CLI::IsMember({"max", "sum"}))
      ->capture_default_str();
  app.add_option("--cutoff", cutoff, "fixed (k hits) or adaptive (cut at the largest relative score drop)")
      ->check(CLI::IsMember({"fixed", "adaptive"}))
      ->capture_default_str();
  app.add_option("--min-k", so.min_k, "Adaptive cut-off: fewest hits")->check(hewn::cli::whole())->capture_default_str();
  app.add_option("--max-k", so.max_k, "Adaptive cut-off: most hits (default -k)")->check(hewn::cli::whole(1));
  app.add_option("--budget", so.budget, "Keep hits, in rank order, while their total size fits N (greedy fill)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_option("--budget-unit", budget_unit,
                 "Unit of --budget: chars (code points), words (analyzer terms) or tokens (needs --tokenizer)")
      ->check(CLI::IsMember({"chars", "words", "tokens"}))
      ->capture_default_str();
  hewn::tokenize::TokenizerOptions tok;
  app.add_option("--tokenizer", tok.name,
                 "--budget-unit tokens: cl100k_base, o200k_base, a .tiktoken file or a tokenizer.json")
      ->type_name("NAME");
  app.add_flag("--count-special", tok.count_special,
               "--budget-unit tokens: count the tokenizer's special tokens ([CLS], [SEP]) in each chunk");
  app.add_option("--neighbors", so.neighbors, "Attach the K chunks before and after each hit in its document")
      ->check(hewn::cli::whole())
      ->type_name("K");
  run.add(app);

  return hewn::cli::run("query", app, argc, argv, [&] {
    // Queries are JSON Lines whatever the file is called (q.json, <(...)).
    if (io.input_format == "auto") io.input_format = "jsonl";
    so.id_field = io.id_field;
    so.text_field = io.text_field;
    so.trec = format == "trec";
    if (so.trec && !hewn::query::trec_word(so.run_tag))
      throw hewn::UsageError("--run-tag must be one word for --format trec (no white space)");
    so.mode = mode == "dense" ? hewn::query::Mode::dense
              : mode == "hybrid" ? hewn::query::Mode::hybrid
                                 : hewn::query::Mode::bm25;
    if (app.count("--alpha")) {
      so.fusion = hewn::query::Fusion::interpolate;
      so.alpha = alpha;
    }
    so.group = group == "none" ? hewn::query::Group::none
               : group_score == "sum" ? hewn::query::Group::sum
                                      : hewn::query::Group::max;
    so.adaptive = cutoff == "adaptive";
    // Options that would do nothing are refused, so a typo in a pipeline
    // does not pass unnoticed.
    if (app.count("--group-score") && group == "none") throw hewn::UsageError("--group-score needs --group doc");
    if ((app.count("--min-k") || app.count("--max-k")) && !so.adaptive)
      throw hewn::UsageError("--min-k and --max-k need --cutoff adaptive");
    so.budget_unit = budget_unit == "words"    ? hewn::query::BudgetUnit::words
                     : budget_unit == "tokens" ? hewn::query::BudgetUnit::tokens
                                               : hewn::query::BudgetUnit::chars;
    std::shared_ptr<const hewn::tokenize::Tokenizer> tokenizer;
    if (!tok.name.empty()) {
      if (so.budget_unit != hewn::query::BudgetUnit::tokens)
        throw hewn::UsageError("--tokenizer needs --budget-unit tokens");
      tokenizer = hewn::tokenize::make_tokenizer(tok);
      so.count_tokens = [tokenizer](std::string_view text) -> std::uint64_t { return tokenizer->count(text); };
    } else if (tok.count_special) {
      throw hewn::UsageError("--count-special needs --tokenizer");
    }
    hewn::index::Index ix(dir);
    hewn::query::check_options(so, ix);
    if (so.mode != hewn::query::Mode::bm25) ix.dense();  // load and verify before the first query
    // Queries without a vector are embedded in-process when the index's
    // model is one hewn runs: hash-N, or a model directory that exists.
    std::unique_ptr<const hewn::embed::Embedder> embedder;
    const std::string& model = ix.manifest().dense.model;
    if (so.mode != hewn::query::Mode::bm25)
      if (auto eo = hewn::embed::options_for_model(model)) {
        embedder = hewn::embed::make_embedder(*eo);
        so.embed_text = [&embedder](std::string_view text, std::vector<float>& out) {
          out.resize(embedder->dim());
          embedder->embed(text, out.data());
        };
      }
    if (app.count("--nprobe") || app.count("--ef-search")) {
      if (!ix.dense()) throw hewn::UsageError("--nprobe/--ef-search: " + dir + " has no dense vectors");
      if (app.count("--nprobe")) ix.dense()->set_parameter("nprobe", nprobe, "--nprobe");
      if (app.count("--ef-search")) ix.dense()->set_parameter("efSearch", ef_search, "--ef-search");
    }
    return hewn::cli::run_stream("query", io, run, [&] { return hewn::query::make_searcher(ix, so); });
  });
}
