// index: build, merge and describe retrieval indexes. See index(1).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/tool.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "embed/hf_cache.hpp"
#include "index/builder.hpp"
#include "index/index.hpp"
#include "index/merge.hpp"

namespace {

std::vector<std::string> split_fields(const std::string& s) {
  std::vector<std::string> v;
  std::size_t b = 0;
  for (;;) {
    std::size_t e = s.find(',', b);
    std::string f = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (f.empty()) throw hewn::UsageError("--fields: empty field name in " + hewn::quoted(s));
    v.push_back(f);
    if (e == std::string::npos) return v;
    b = e + 1;
  }
}

std::string stats_json(const hewn::index::Index& ix) {
  const auto& m = ix.manifest();
  std::string o = "{";
  hewn::json::append_key(o, "dir", true);
  hewn::json::append_string(o, ix.dir());
  hewn::json::append_key(o, "version");
  hewn::json::append_uint(o, m.version);
  hewn::json::append_key(o, "documents");
  hewn::json::append_uint(o, m.documents);
  hewn::json::append_key(o, "groups");
  hewn::json::append_uint(o, m.groups);
  hewn::json::append_key(o, "tokens");
  hewn::json::append_uint(o, m.tokens);
  hewn::json::append_key(o, "terms");
  hewn::json::append_uint(o, m.terms);
  hewn::json::append_key(o, "postings");
  hewn::json::append_uint(o, m.postings);
  hewn::json::append_key(o, "avgdl");
  hewn::json::append_double(o, m.avgdl);
  std::uint64_t total = 0;
  if (m.shard.count) {
    hewn::json::append_key(o, "shard");
    hewn::json::append_string(o, std::to_string(m.shard.index) + "/" + std::to_string(m.shard.count));
    hewn::json::append_key(o, "shard_set");
    hewn::json::append_string(o, m.shard.set);
  }
  if (m.missing_of) {
    hewn::json::append_key(o, "missing_shards");
    o += "[";
    for (std::size_t i = 0; i < m.missing_shards.size(); ++i) {
      if (i) o += ",";
      hewn::json::append_uint(o, m.missing_shards[i]);
    }
    o += "]";
    hewn::json::append_key(o, "shards_of");
    hewn::json::append_uint(o, m.missing_of);
  }
  hewn::json::append_key(o, "files");
  o += "{";
  for (std::size_t i = 0; i < m.files.size(); ++i) {
    hewn::json::append_key(o, m.files[i].name, i == 0);
    hewn::json::append_uint(o, m.files[i].bytes);
    total += m.files[i].bytes;
  }
  o += "}";
  hewn::json::append_key(o, "bytes");
  hewn::json::append_uint(o, total);
  hewn::json::append_key(o, "analyzer");
  o += m.analyzer_json();
  hewn::json::append_key(o, "bm25");
  o += m.bm25_json();
  hewn::json::append_key(o, "dense");
  o += m.dense_json();
  o += "}\n";
  return o;
}

// "I/N" with 0 <= I < N.
hewn::index::ShardInfo parse_shard(const std::string& s, const std::string& set) {
  hewn::index::ShardInfo sh;
  auto slash = s.find('/');
  auto number = [&](std::string_view t, std::uint32_t& v) {
    if (t.empty() || t.size() > 7) return false;
    v = 0;
    for (char c : t) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return true;
  };
  std::string_view v(s);
  if (slash == std::string::npos || !number(v.substr(0, slash), sh.index) || !number(v.substr(slash + 1), sh.count) ||
      sh.count == 0 || sh.index >= sh.count)
    throw hewn::UsageError("--shard: expected I/N with 0 <= I < N (e.g. 0/4), got " + hewn::quoted(s));
  sh.set = set;
  return sh;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Build, merge and describe retrieval indexes (BM25 and FAISS dense) for query(1).", "index"};
  app.require_subcommand(1);
  hewn::cli::RunOptions run;

  auto* build = app.add_subcommand("build", "Build DIR from chunk records (JSON Lines, .zst ok)");
  std::string dir;
  std::vector<std::string> inputs;
  hewn::index::BuildOptions bo;
  std::string fields, stopwords = "none", variant = "lucene";
  build->add_option("dir", dir, "Index directory (created or replaced atomically)")->required();
  build->add_option("inputs", inputs, "JSON Lines chunk records (.zst ok); - or none: stdin");
  build->add_option("--id-field", bo.id_field, "Field holding the chunk id")->capture_default_str();
  build->add_option("--text-field", bo.text_field, "Field holding the chunk text")->capture_default_str();
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

  auto* stats = app.add_subcommand("stats", "Print DIR's counts, sizes and settings as JSON");
  std::string sdir;
  stats->add_option("dir", sdir, "Index directory")->required();

  return hewn::cli::run("index", app, argc, argv, [&] {
    if (*build) {
      if (!shard_set.empty() && shard.empty()) throw hewn::UsageError("--shard-set needs --shard");
      if (!shard.empty()) bo.shard = parse_shard(shard, shard_set);
      bo.analyzer.set_stopwords(stopwords);
      bo.bm25.variant = hewn::index::parse_variant(variant);
      if (build->count("--fields")) bo.fields = split_fields(fields);
      if (!model.empty()) {
        std::error_code ec;
        std::string dir = model;
        try {
          dir = hewn::embed::resolve_model(model);  // ORG/NAME in the Hugging Face cache
        } catch (const hewn::DataError&) {           // not cached: recorded by name
        }
        if (std::filesystem::is_directory(dir, ec))
          bo.dense.model = hewn::index::describe_model_dir(dir);
        else
          bo.dense.model.name = model;
      }
      // Training and adding vectors to FAISS can take minutes (HNSW): show
      // it on a terminal.
      bool show = !run.quiet && ::isatty(2);
      auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
      bool shown = false;
      if (show)
        bo.dense.progress = [&](const char* stage, std::uint64_t done, std::uint64_t total) {
          auto now = std::chrono::steady_clock::now();
          if (done != total && now - last < std::chrono::milliseconds(100)) return;
          last = now;
          if (std::string_view(stage) == "training")
            std::fprintf(stderr, "\rindex: dense: training on %llu vectors   ", static_cast<unsigned long long>(total));
          else
            std::fprintf(stderr, "\rindex: dense: %s %llu/%llu vectors   ", stage,
                         static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
          shown = true;
        };
      { hewn::index::Analyzer check(bo.analyzer); }
      hewn::index::Builder builder(dir, bo);
      auto sink = hewn::index::make_frame_sink(builder);
      hewn::io::StreamOptions so;
      so.inputs = inputs;
      so.jobs = run.threads();
      so.format = hewn::io::InputFormat::jsonl;
      hewn::cli::Progress progress("index", run.quiet);
      try {
        hewn::io::run_stream(
            so, [&] { return hewn::index::make_encoder(bo); }, *sink, [](const std::string&) {},
            [&](const hewn::io::StreamStats& s) { progress.update(s); });
      } catch (...) {
        progress.finish();
        throw;
      }
      progress.finish();
      try {
        builder.commit();
      } catch (...) {
        if (shown) std::fprintf(stderr, "\r\033[K");
        throw;
      }
      if (shown) std::fprintf(stderr, "\r\033[K");
      return 0;
    }
    if (*merge) {
      auto m = hewn::index::merge(out, shards, mo);
      if (!m.missing_shards.empty()) {
        std::string list;
        for (auto s : m.missing_shards) list += (list.empty() ? "" : ", ") + std::to_string(s);
        std::cerr << "index: warning: " << out << ": shards " << list << " of " << m.missing_of
                  << " missing (merged with --allow-partial; recorded in its manifest)\n";
      }
      return 0;
    }
    hewn::index::Index ix(sdir);
    std::cout << stats_json(ix);
    return 0;
  });
}
