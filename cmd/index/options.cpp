// index's options (see command.hpp).
#include "command.hpp"

namespace hewn::cli {

void IndexCommand::declare(CLI::App& app) {
  app.require_subcommand(1);

  auto* build = app.add_subcommand("build", "Build DIR from chunk records (JSON Lines, .zst ok)");
  io.input_format = "jsonl";  // every input is chunk records, whatever its name
  build->add_option("dir", dir, "Index directory (created or replaced atomically)")->required();
  io.add(*build, "JSON Lines chunk records (.zst ok); - or none: stdin", false);
  build->add_option("--doc-field", bo.doc_field, "Field naming the chunk's document")->capture_default_str();
  build->add_option("--fields", fields, "Fields indexed for BM25, comma-separated (default: --text-field)")
      ->type_name("A,B");
  build->add_option("--stem", bo.analyzer.stem, "Snowball stemmer (english, porter, french, ...) or none")
      ->capture_default_str();
  build->add_option("--stopwords", stopwords, "none, english (Lucene's list) or a file of words")
      ->capture_default_str();
  build->add_option("--lang", bo.analyzer.locale, "ICU locale of word segmentation")->capture_default_str();
  build->add_option("--bm25", variant, "BM25 variant: lucene, robertson or bm25plus")->capture_default_str();
  build->add_option("--k1", bo.bm25.k1, "BM25 k1")->capture_default_str();
  build->add_option("--b", bo.bm25.b, "BM25 b")->capture_default_str();
  build->add_option("--delta", bo.bm25.delta, "BM25+ delta")->capture_default_str();
  build->add_option("--embedding-field", bo.embedding_field, "Field holding the chunk's vector")->capture_default_str();
  build->add_option("--dense", bo.dense.factory, "FAISS index factory string (Flat, HNSW32, IVF1024,PQ32, ...)")
      ->capture_default_str();
  build->add_option("--metric", bo.dense.metric, "Dense metric: ip (inner product) or l2")
      ->check(CLI::IsMember({"ip", "l2"}))
      ->capture_default_str();
  build
      ->add_option("--model", model,
                   "The embedding model, recorded in the manifest: a model directory (path and checksum kept, "
                   "so query finds it from anywhere) or a name")
      ->type_name("DIR|NAME");
  build->add_option("--nprobe", bo.dense.nprobe, "IVF indexes: lists probed by default at query time")
      ->check(whole(1, 1 << 20));
  build->add_option("--ef-search", bo.dense.ef_search, "HNSW indexes: search breadth by default at query time")
      ->check(whole(1, 1 << 20));
  build->add_option("--shard", shard, "Record DIR as shard I of N (0 <= I < N) for index merge")->type_name("I/N");
  build->add_option("--shard-set", shard_set, "Name of the run the shard belongs to (e.g. a job id), checked by merge")
      ->type_name("NAME");
  run.add(*build);

  auto* merge = app.add_subcommand("merge", "Merge indexes into OUT (as one build over all their input)");
  merge->add_option("out", out, "Output index directory")->required();
  merge
      ->add_option("shards", shards,
                   "Indexes to merge: in shard order when built with --shard, else in the order given")
      ->required();
  merge->add_flag("--allow-partial", mo.allow_partial,
                  "Merge an incomplete set of shards (the manifest lists the missing ones)");

  auto* add = app.add_subcommand("add", "Add chunk records to DIR as a new segment (atomically)");
  aio.input_format = "jsonl";
  add->add_option("dir", adir, "Index directory (updated atomically)")->required();
  aio.add(*add, "JSON Lines chunk records (.zst ok); - or none: stdin", false);
  add->add_option("--doc-field", ao.doc_field, "Field naming the chunk's document")->capture_default_str();
  add->add_option("--embedding-field", ao.embedding_field, "Field holding the chunk's vector")->capture_default_str();
  arun.add(*add);

  auto* del = app.add_subcommand("delete", "Delete documents (every chunk of each) or chunks from DIR (atomically)");
  del->add_option("dir", ddir, "Index directory (updated atomically)")->required();
  del->add_option("ids", ids, "Document ids (the records' \"doc\"), or with --chunks chunk ids");
  del->add_option("--from", from, "Read ids from FILE too, one a line (-: stdin)")->type_name("FILE");
  del->add_flag("--chunks", by_chunk, "The ids are chunk ids (\"id\"), not document ids");

  auto* compact = app.add_subcommand("compact", "Fold DIR's segments and deletions into one index (atomically)");
  compact->add_option("dir", cdir, "Index directory")->required();
  compact->add_option("-j,--jobs", cjobs, "Threads FAISS rebuilds an approximate dense index with (default: one per core)")
      ->check(whole(1, max_jobs));

  auto* stats = app.add_subcommand("stats", "Print DIR's counts, sizes and settings as JSON");
  stats->add_option("dir", sdir, "Index directory")->required();

  auto* verify = app.add_subcommand("verify", "Check every file of DIR against its SHA-256 and its structure");
  verify->add_option("dir", vdir, "Index directory")->required();
}

}  // namespace hewn::cli
