// index's run (see command.hpp).
#include <chrono>
#include <iostream>

#include "command.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/line_reader.hpp"
#include "embed/hf_cache.hpp"
#include "index/chunk_records.hpp"
#include "index/index.hpp"
#include "index/levels.hpp"
#include "index/segments.hpp"

namespace {

// --model ORG/NAME[@REV] cached by Hugging Face: its snapshot directory;
// anything else (a directory, a name not cached) as given.
std::string cached_or_given(const std::string& model) {
  try {
    return hewn::embed::resolve_model(model);
  } catch (const hewn::DataError&) {
    return model;
  }
}

}  // namespace

namespace hewn::cli {

int IndexCommand::execute(const Given& given) {
  if (given.subcommand() == "build") {
    if (!shard_set.empty() && shard.empty()) throw hewn::UsageError("--shard-set needs --shard");
    if (!shard.empty()) bo.shard = hewn::index::parse_shard(shard, shard_set);
    bo.analyzer.set_stopwords(stopwords);
    bo.bm25.variant = hewn::index::parse_variant(variant);
    if (given.count("--fields")) bo.fields = hewn::index::parse_fields(fields);
    if (!model.empty()) bo.dense.model = hewn::index::model_record(cached_or_given(model));
    bo.dense.threads = run.jobs;  // FAISS's too: -j 1 makes an HNSW graph reproducible
    // Training and adding vectors to FAISS can take minutes (HNSW): shown on a terminal.
    StageProgress dense("index: dense", run.quiet);
    bo.dense.progress = [&](const char* stage, std::uint64_t done, std::uint64_t total) {
      dense.update(stage, done, total);
    };
    // Reading the records: their rate and, from plain files' sizes, the time left.
    const auto start = std::chrono::steady_clock::now();
    io.progress_note = [start, &io = io](const hewn::io::StreamStats& s) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return eta_note(io.inputs, s.bytes_in, secs);
    };
    { hewn::index::Analyzer check(bo.analyzer); }
    bo.id_field = io.id_field;
    bo.text_field = io.text_field;
    hewn::index::LevelBuilder builder(dir, bo);
    Sink<hewn::index::AnalyzedChunks> sink;
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
    return run_stream<hewn::index::AnalyzedChunks>(
        "index", io, run, [&] { return hewn::index::make_analyzer(bo); }, sink);
  }
  if (given.subcommand() == "merge") {
    if (hewn::index::is_levelled(shards.front())) {
      hewn::index::merge_levels(out, shards, mo);
      return 0;
    }
    auto m = hewn::index::merge(out, shards, mo);
    if (!m.missing_shards.empty()) {
      std::string list;
      for (auto s : m.missing_shards) list += (list.empty() ? "" : ", ") + std::to_string(s);
      Diag("index").warning(out + ": shards " + list + " of " + std::to_string(m.missing_of) +
                            " missing (merged with --allow-partial; recorded in its manifest)");
    }
    return 0;
  }
  if (given.subcommand() == "add") {
    ao.id_field = aio.id_field;
    ao.text_field = aio.text_field;
    hewn::index::Adder adder(adir, ao);
    { hewn::index::Analyzer check(adder.options().analyzer); }
    Sink<hewn::index::AnalyzedChunks> sink;
    sink.consume = [&](const hewn::index::AnalyzedChunks& chunks, std::size_t from_, std::size_t to) {
      hewn::index::ChunkEntry d;
      for (std::size_t i = from_; i < to; ++i) {
        chunks[i].view(d);
        adder.add(d);
      }
    };
    sink.commit = [&] { adder.commit(); };
    return run_stream<hewn::index::AnalyzedChunks>(
        "index", aio, arun, [&] { return hewn::index::make_analyzer(adder.options()); }, sink);
  }
  if (given.subcommand() == "delete") {
    if (!from.empty()) {  // one id a line; "-" is stdin; compressed files are read as such
      hewn::io::LineReader lines(hewn::io::open_input(from));
      hewn::io::LineBatch batch;
      while (lines.next_batch(batch, 1 << 20))
        for (std::size_t b = 0; b < batch.lines.size(); ++b) ids.emplace_back(batch.line(b));
    }
    if (ids.empty()) throw hewn::UsageError("delete: no ids given (arguments or --from)");
    hewn::index::delete_chunks(ddir, ids, by_chunk);
    return 0;
  }
  if (given.subcommand() == "compact") {
    hewn::index::compact(cdir, cjobs);
    return 0;
  }
  if (given.subcommand() == "verify") {
    if (!hewn::index::is_levelled(vdir)) {
      hewn::index::verify(vdir);
      return 0;
    }
    hewn::index::Levels levels(vdir);  // links.bin's checksum is verified as it is read
    for (std::size_t l = 0; l < levels.count(); ++l) hewn::index::verify(vdir + "/level-" + std::to_string(l));
    return 0;
  }
  if (hewn::index::is_levelled(sdir)) {
    std::cout << hewn::index::Levels(sdir).stats_json();
    return 0;
  }
  hewn::index::Index ix(sdir);
  std::cout << ix.manifest().stats_json(ix.dir());
  return 0;
}

}  // namespace hewn::cli
