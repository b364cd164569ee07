// query's options (see command.hpp).
#include "command.hpp"

namespace hewn::cli {

void QueryCommand::declare(CLI::App& app) {
  app.add_option("dir", dir, "Index directory (see index(1))")->required();
  io.add(app,
         "Query files (JSON Lines records, or one query a line: QID<TAB>TEXT as in a topics TSV, or TEXT), or "
         "query texts (an argument that names no file); - or none: stdin");
  app.add_option("-k", so.k, "Hits per query")->check(whole(1))->capture_default_str();
  app.add_option("--format", format, "jsonl (one hit per line) or trec (a TREC run)")
      ->check(CLI::IsMember({"jsonl", "trec"}))
      ->capture_default_str();
  app.add_option("--run-tag", so.run_tag, "Run name in the last column of --format trec")->capture_default_str();
  app.add_flag("--text", so.text, "Add each hit's chunk text");
  app.add_option("--mode", mode, "bm25, dense or hybrid")
      ->check(CLI::IsMember({"bm25", "dense", "hybrid"}))
      ->capture_default_str();
  app.add_option("--fine-depth", so.fine.depth,
                 "--fine: refine the best N chunks (default: the k hits) and return the k best spans of them")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--fine-order", fine_order,
                 "--fine: rank spans by their chunk's rank, then their score (chunk), or by their own score (span)")
      ->check(CLI::IsMember({"chunk", "span"}))
      ->capture_default_str();
  app.add_option("--fine-lang", fine_lang, "--fine: ICU locale of sentence boundaries (default as chunk -s sentence)")
      ->capture_default_str()
      ->type_name("LOCALE");
  app.add_option("--embedding-field", so.embedding_field, "Field holding the query vector")->capture_default_str();
  app.add_option("--rrf-k", so.rrf_k, "Hybrid: reciprocal rank fusion constant")->capture_default_str();
  app.add_option("--alpha", alpha,
                 "Hybrid: interpolate min-max normalised scores, dense weight ALPHA (instead of RRF)");
  app.add_option("--depth", so.depth,
                 "Candidates per retriever for hybrid; chunks fetched at least for --group doc (default max(k,100))")
      ->check(whole(1));
  app.add_option("--model", model,
                 "Dense and hybrid: the model that embeds queries without a vector (a model directory or hash-N); "
                 "it must be the index's")
      ->type_name("DIR|NAME");
  remote.add(app);
  app.add_option("--batch", batch,
                 "openai: questions a request (default 128, at most 2048); the questions of a worker's batch go out "
                 "together")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--nprobe", nprobe, "Dense IVF indexes: lists probed")->check(whole(1, 1 << 20));
  app.add_option("--ef-search", ef_search, "Dense HNSW indexes: search breadth")->check(whole(1, 1 << 20));
  app.add_option("--group", group, "none, or doc: one hit per document")
      ->check(CLI::IsMember({"none", "doc"}))
      ->capture_default_str();
  app.add_option("--group-score", group_score, "Document score with --group doc: max or sum of its chunks")
      ->check(CLI::IsMember({"max", "sum"}))
      ->capture_default_str();
  app.add_option("--cutoff", cutoff, "fixed (k hits) or adaptive (cut at the largest relative score drop)")
      ->check(CLI::IsMember({"fixed", "adaptive"}))
      ->capture_default_str();
  app.add_option("--min-k", so.min_k, "Adaptive cut-off: fewest hits")->check(whole())->capture_default_str();
  app.add_option("--max-k", so.max_k, "Adaptive cut-off: most hits (default -k)")->check(whole(1));
  app.add_option("--budget", so.budget,
                 "Keep hits, in rank order, while their total size with their --neighbors context fits N")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--budget-unit", budget_unit,
                 "Unit of --budget: chars (code points), words (analyzer terms) or tokens (needs --tokenizer)")
      ->check(CLI::IsMember({"chars", "words", "tokens"}))
      ->capture_default_str();
  app.add_option("--tokenizer", tok.name,
                 "--budget-unit tokens: cl100k_base, o200k_base, a .tiktoken file or a tokenizer.json")
      ->type_name("NAME");
  app.add_flag("--count-special", tok.count_special,
               "--budget-unit tokens: count the tokenizer's special tokens ([CLS], [SEP]) in each chunk");
  app.add_option("--neighbors", so.neighbors, "Attach the K chunks before and after each hit in its document")
      ->check(whole())
      ->type_name("K");
  app.add_option("--fine", fine,
                 "Coarse-to-fine: replace each hit chunk by the best sentences (sentence), windows of N sentences "
                 "starting every STRIDE (window:N[,STRIDE]) or of sentences within N code points (chars:N) of its "
                 "text, each hit a span with exact offsets")
      ->type_name("UNIT");
  app.add_option("--fine-spans", so.fine.spans, "--fine: sentences or windows chosen per chunk")
      ->check(whole(1, 100000))
      ->capture_default_str()
      ->type_name("M");
  app.add_flag("--fine-merge", so.fine.merge,
               "--fine: chosen sentences or windows that touch or overlap make one span");
  app.add_option("--fine-size", so.fine.size, "--fine: most code points the spans of one chunk hold together")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--fine-grow", so.fine.grow,
                 "--fine: widen each span by N code points on both sides, out to whole sentences, within its chunk")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--fine-adaptive", so.fine.adaptive,
                 "--fine: answer with the best unit alone when its score (BM25 times its chunk's score over the "
                 "best chunk's) is at least RATIO times any other's, else with the chunks whole")
      ->type_name("RATIO");
  app.add_option("--fine-score", fine_score,
                 "--fine: score sentences and windows by bm25 (the index's statistics), dense (the index's model) or "
                 "hybrid (both, by reciprocal rank fusion)")
      ->check(CLI::IsMember({"bm25", "dense", "hybrid"}))
      ->capture_default_str();
  app.add_option("--where", where,
                 "Keep to chunks whose stored fields pass EXPR (repeatable, all must pass): lang=en, year>=2020, "
                 "date<2024-06-01, lang in (en,de), lang!=en; applied during retrieval (query(1), FILTERS)")
      ->type_name("EXPR")
      ->allow_extra_args(false);
  app.add_option("--rerank", rerank,
                 "Rerank the first stage's candidates with a cross-encoder: a model directory, or a rerank "
                 "endpoint's BASE#model=NAME (see RERANKING)")
      ->type_name("DIR|URL");
  app.add_option("--rerank-depth", so.rerank_depth,
                 "Candidates reranked: chunks, or documents with --group doc (default max(k,100))")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--rerank-run", rerank_run,
                 "Rerank the hits of RUN (a TREC run or hits JSON Lines whose ids are chunk ids of the index) "
                 "instead of retrieving")
      ->type_name("RUN");
  app.add_option("--rerank-max-tokens", rerank_max_tokens,
                 "Tokens per query-passage pair, special tokens included (default: the model's limit)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--rerank-activation", rerank_activation,
                 "auto (as the model's config.json says), none (logits) or sigmoid")
      ->check(CLI::IsMember({"auto", "none", "sigmoid"}))
      ->capture_default_str();
  app.add_option("--rerank-api", rerank_api,
                 "Rerank endpoint's shape: cohere (Cohere, Jina, vLLM, Infinity) or tei (text-embeddings-inference)")
      ->check(CLI::IsMember({"cohere", "tei"}))
      ->capture_default_str();
  app.add_option("--rerank-key-env", rerank_key_env, "Environment variable holding the rerank endpoint's API key")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--level", level, "Levelled indexes (chunk --levels): the level searched (default: the finest)")
      ->check(whole(0, 1000))
      ->type_name("N");
  app.add_option("--return", answer,
                 "Levelled indexes: answer with each chunk's ancestor at LEVEL, or its parent, once, scored by its "
                 "best match (small-to-big)")
      ->type_name("parent|LEVEL");
  app.add_option("--auto-merge", so.auto_merge,
                 "Levelled indexes: replace hits that make at least fraction R of a chunk's children by that chunk, "
                 "level by level (auto-merging)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("R");
  run.add(app);
  CLI::Option* input_format = app.get_option("--input-format");
  input_format->description(
      "auto (*.jsonl, *.ndjson and stdin are JSON Lines; other files JSON Lines when they start with {, else one "
      "query a line), jsonl, or raw (stdin too is read as a query file)");
}

}  // namespace hewn::cli
