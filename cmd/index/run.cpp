// index's run (see command.hpp).
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "command.hpp"
#include "core/error.hpp"
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
    { hewn::index::Analyzer check(hewn::index::Manifest::load(adir).analyzer); }
    ao.id_field = aio.id_field;
    ao.text_field = aio.text_field;
    hewn::index::Adder adder(adir, ao);
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
    if (!from.empty()) {
      std::FILE* f = from == "-" ? stdin : std::fopen(from.c_str(), "rb");
      if (!f) throw hewn::DataError(from + ": cannot open: " + std::strerror(errno));
      std::string text;
      char buf[1 << 14];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
      if (f != stdin) std::fclose(f);
      std::size_t b = 0;
      while (b < text.size()) {
        std::size_t e = text.find('\n', b);
        if (e == std::string::npos) e = text.size();
        std::string line = text.substr(b, e - b);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) ids.push_back(line);
        b = e + 1;
      }
    }
    if (ids.empty()) throw hewn::UsageError("delete: no ids given (arguments or --from)");
    hewn::index::delete_chunks(ddir, ids, by_chunk);
    return 0;
  }
  if (given.subcommand() == "compact") {
    hewn::index::compact(cdir);
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
