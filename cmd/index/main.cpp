// index: build, update, merge and describe retrieval indexes. See index(1).
#include <chrono>
#include <iostream>

#include "common/tool.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/line_reader.hpp"
#include "embed/hf_cache.hpp"
#include "index/builder.hpp"
#include "index/chunk_records.hpp"
#include "index/index.hpp"
#include "index/levels.hpp"
#include "index/merge.hpp"
#include "index/segments.hpp"

// --model ORG/NAME[@REV] cached by Hugging Face: its snapshot directory;
// anything else (a directory, a name not cached) as given.
static std::string cached_or_given(const std::string& model) {
  try {
    return hewn::embed::resolve_model(model);
  } catch (const hewn::DataError&) {
    return model;
  }
}

int main(int argc, char** argv) {
  CLI::App app{"Build, merge and describe retrieval indexes (BM25 and FAISS dense) for query(1).", "index"};
  app.require_subcommand(1);
  hewn::cli::RunOptions run;

  auto* build = app.add_subcommand("build", "Build DIR from chunk records (JSON Lines, .zst ok)");
  std::string dir;
  hewn::cli::StreamOptions io;
  io.input_format = "jsonl";  // every input is chunk records, whatever its name
  hewn::index::BuildOptions bo;
  std::string fields, stopwords = "none", variant = "lucene";
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
  build->add_option("--embedding-field", bo.embedding_field, "Field holding the chunk's vector")
      ->capture_default_str();
  build->add_option("--dense", bo.dense.factory, "FAISS index factory string (Flat, HNSW32, IVF1024,PQ32, ...)")
      ->capture_default_str();
  build->add_option("--metric", bo.dense.metric, "Dense metric: ip (inner product) or l2")
      ->check(CLI::IsMember({"ip", "l2"}))
      ->capture_default_str();
  std::string model;
  build->add_option("--model", model,
                    "The embedding model, recorded in the manifest: a model directory (path and checksum kept, "
                    "so query finds it from anywhere) or a name")
      ->type_name("DIR|NAME");
  build->add_option("--nprobe", bo.dense.nprobe, "IVF indexes: lists probed by default at query time")
      ->check(hewn::cli::whole(1, 1 << 20));
  build->add_option("--ef-search", bo.dense.ef_search, "HNSW indexes: search breadth by default at query time")
      ->check(hewn::cli::whole(1, 1 << 20));
  std::string shard, shard_set;
  build->add_option("--shard", shard, "Record DIR as shard I of N (0 <= I < N) for index merge")->type_name("I/N");
  build->add_option("--shard-set", shard_set, "Name of the run the shard belongs to (e.g. a job id), checked by merge")
      ->type_name("NAME");
  run.add(*build);

  auto* merge = app.add_subcommand("merge", "Merge indexes into OUT (as one build over all their input)");
  std::string out;
  std::vector<std::string> shards;
  merge->add_option("out", out, "Output index directory")->required();
  merge->add_option("shards", shards, "Indexes to merge: in shard order when built with --shard, else in the order given")
      ->required();
  hewn::index::MergeOptions mo;
  merge->add_flag("--allow-partial", mo.allow_partial,
                  "Merge an incomplete set of shards (the manifest lists the missing ones)");

  auto* add = app.add_subcommand("add", "Add chunk records to DIR as a new segment (atomically)");
  std::string adir;
  hewn::cli::StreamOptions aio;
  aio.input_format = "jsonl";
  hewn::index::BuildOptions ao;
  add->add_option("dir", adir, "Index directory (updated atomically)")->required();
  aio.add(*add, "JSON Lines chunk records (.zst ok); - or none: stdin", false);
  add->add_option("--doc-field", ao.doc_field, "Field naming the chunk's document")->capture_default_str();
  add->add_option("--embedding-field", ao.embedding_field, "Field holding the chunk's vector")
      ->capture_default_str();
  hewn::cli::RunOptions arun;
  arun.add(*add);

  auto* del = app.add_subcommand("delete", "Delete documents (every chunk of each) or chunks from DIR (atomically)");
  std::string ddir, from;
  std::vector<std::string> ids;
  bool by_chunk = false;
  del->add_option("dir", ddir, "Index directory (updated atomically)")->required();
  del->add_option("ids", ids, "Document ids (the records' \"doc\"), or with --chunks chunk ids");
  del->add_option("--from", from, "Read ids from FILE too, one a line (-: stdin)")->type_name("FILE");
  del->add_flag("--chunks", by_chunk, "The ids are chunk ids (\"id\"), not document ids");

  auto* compact = app.add_subcommand("compact", "Fold DIR's segments and deletions into one index (atomically)");
  std::string cdir;
  unsigned cjobs = 0;
  compact->add_option("dir", cdir, "Index directory")->required();
  compact->add_option("-j,--jobs", cjobs, "Threads FAISS rebuilds an approximate dense index with (default: one per core)")
      ->check(hewn::cli::whole(1, hewn::cli::max_jobs));

  auto* stats = app.add_subcommand("stats", "Print DIR's counts, sizes and settings as JSON");
  std::string sdir;
  stats->add_option("dir", sdir, "Index directory")->required();

  return hewn::cli::run("index", app, argc, argv, [&] {
    if (*build) {
      if (!shard_set.empty() && shard.empty()) throw hewn::UsageError("--shard-set needs --shard");
      if (!shard.empty()) bo.shard = hewn::index::parse_shard(shard, shard_set);
      bo.analyzer.set_stopwords(stopwords);
      bo.bm25.variant = hewn::index::parse_variant(variant);
      if (build->count("--fields")) bo.fields = hewn::index::parse_fields(fields);
      if (!model.empty()) bo.dense.model = hewn::index::model_record(cached_or_given(model));
      bo.dense.threads = run.jobs;  // FAISS's too: -j 1 makes an HNSW graph reproducible
      // Training and adding vectors to FAISS can take minutes (HNSW): shown on a terminal.
      hewn::cli::StageProgress dense("index: dense", run.quiet);
      bo.dense.progress = [&](const char* stage, std::uint64_t done, std::uint64_t total) {
        dense.update(stage, done, total);
      };
      // Reading the records: their rate and, from plain files' sizes, the time left.
      const auto start = std::chrono::steady_clock::now();
      io.progress_note = [start, &io](const hewn::io::StreamStats& s) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return hewn::cli::eta_note(io.inputs, s.bytes_in, secs);
      };
      { hewn::index::Analyzer check(bo.analyzer); }
      bo.id_field = io.id_field;
      bo.text_field = io.text_field;
      hewn::index::LevelBuilder builder(dir, bo);
      hewn::cli::Sink<hewn::index::AnalyzedChunks> sink;
      sink.consume = [&](const hewn::index::AnalyzedChunks& chunks, std::size_t from, std::size_t to) {
        hewn::index::add_chunks(builder, chunks, from, to);
      };
      sink.commit = [&] {
        try {
          builder.commit();
        } catch (...) {
          dense.finish();
          throw;
        }
        dense.finish();
      };
      return hewn::cli::run_stream<hewn::index::AnalyzedChunks>(
          "index", io, run, [&] { return hewn::index::make_analyzer(bo); }, sink);
    }
    if (*merge) {
      if (hewn::index::is_levelled(shards.front())) {
        hewn::index::merge_levels(out, shards, mo);
        return 0;
      }
      auto m = hewn::index::merge(out, shards, mo);
      if (!m.missing_shards.empty()) {
        std::string list;
        for (auto s : m.missing_shards) list += (list.empty() ? "" : ", ") + std::to_string(s);
        hewn::cli::Diag("index").warning(out + ": shards " + list + " of " + std::to_string(m.missing_of) +
                                         " missing (merged with --allow-partial; recorded in its manifest)");
      }
      return 0;
    }
    if (*add) {
      ao.id_field = aio.id_field;
      ao.text_field = aio.text_field;
      hewn::index::Adder adder(adir, ao);
      { hewn::index::Analyzer check(adder.options().analyzer); }
      hewn::cli::Sink<hewn::index::AnalyzedChunks> sink;
      sink.consume = [&](const hewn::index::AnalyzedChunks& chunks, std::size_t from_, std::size_t to) {
        hewn::index::ChunkEntry d;
        for (std::size_t i = from_; i < to; ++i) {
          chunks[i].view(d);
          adder.add(d);
        }
      };
      sink.commit = [&] { adder.commit(); };
      return hewn::cli::run_stream<hewn::index::AnalyzedChunks>(
          "index", aio, arun, [&] { return hewn::index::make_analyzer(adder.options()); }, sink);
    }
    if (*del) {
      if (!from.empty()) {  // one id a line; "-" is stdin; compressed files are read as such
        hewn::io::LineReader lines(hewn::io::open_input(from));
        hewn::io::LineBatch batch;
        while (lines.next_batch(batch, 1 << 20))
          for (std::size_t i = 0; i < batch.lines.size(); ++i) ids.emplace_back(batch.line(i));
      }
      if (ids.empty()) throw hewn::UsageError("delete: no ids given (arguments or --from)");
      hewn::index::delete_chunks(ddir, ids, by_chunk);
      return 0;
    }
    if (*compact) {
      hewn::index::compact(cdir, cjobs);
      return 0;
    }
    if (hewn::index::is_levelled(sdir)) {
      std::cout << hewn::index::Levels(sdir).stats_json();
      return 0;
    }
    hewn::index::Index ix(sdir);
    std::cout << ix.manifest().stats_json(ix.dir());
    return 0;
  });
}
