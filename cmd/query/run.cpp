// query's run (see command.hpp).
#include <atomic>
#include <filesystem>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

#include "command.hpp"
#include "common/model.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "embed/embedder.hpp"
#include "embed/hf_cache.hpp"
#include "embed/openai.hpp"
#include "embed/reranker.hpp"
#include "index/index.hpp"
#include "index/levels.hpp"
#include "query/filter.hpp"
#include "score/run.hpp"

namespace {

// The embedder of queries without a vector, or nullptr with the reason in
// why: --model's (which must be the index's model), else the model the
// manifest records, where hewn can run it here; cut to the index's
// dimensions (Matryoshka) where a transformer makes more; prefix gets the
// text to put before each query (the model's query prompt), doc_prefix the
// text embed put before each document (its default prompt; --fine-score
// embeds spans with it).
// A remote model (a model URL) connects as `remote` says, `batch` texts a
// request (0: the backend's default).
// Errors: UsageError for a --model that is not the index's or that hewn
// cannot run, for a --base-url other than the model URL's, or a model whose
// vectors do not have the index's dimensions; those of
// embed::make_embedder() and embed::model_prompt().
std::unique_ptr<const hewn::embed::Embedder> query_embedder(const hewn::index::Index& ix, const std::string& given,
                                                            const hewn::remote::Connection& remote, std::size_t batch,
                                                            std::string& why, std::string& prefix,
                                                            std::string& doc_prefix) {
  const hewn::index::ModelRecord& built = ix.manifest().dense.model;
  const std::string dir = hewn::embed::resolve_model(given);  // ORG/NAME in the Hugging Face cache
  std::string ask = dir;
  if (!given.empty()) {
    auto eo = hewn::embed::options_for_model(dir);
    if (!eo) throw hewn::UsageError("--model " + hewn::quoted(given) + ": not a model directory, nor hash-N");
    hewn::index::ModelRecord mine;
    if (!eo->model.empty() && eo->backend != "openai")  // a remote model is named by its URL
      mine = hewn::index::describe_model_dir(dir);
    else
      mine.name = given;
    if (built.known() && mine.name != built.name)
      throw hewn::UsageError("--model " + hewn::quoted(given) + ": " + ix.dir() + " was built with model " +
                             hewn::quoted(built.name) + ", not " + hewn::quoted(mine.name) +
                             " (give that model, or leave --model out)");
    if (!built.sha256.empty() && !mine.sha256.empty() && mine.sha256 != built.sha256)
      throw hewn::UsageError("--model " + hewn::quoted(given) + ": its files differ from those of model " +
                             hewn::quoted(built.name) + " that " + ix.dir() + " was built with (" + built.path +
                             "; checksum in its manifest.json): give that model");
  } else if (!built.path.empty()) {
    // Recorded by index build --model DIR: used from anywhere, if unchanged.
    std::error_code ec;
    if (!std::filesystem::is_directory(built.path, ec)) {
      why = "the index's model " + hewn::quoted(built.name) + " is no longer at " + built.path +
            ": give --model DIR, or embed the queries first";
      return nullptr;
    }
    if (hewn::index::model_checksum(built.path) != built.sha256) {
      why = "the index's model " + hewn::quoted(built.name) + " at " + built.path +
            " changed since the index was built (checksum differs): give --model DIR with the model it was built "
            "with, or embed the queries first";
      return nullptr;
    }
    ask = built.path;
  } else {
    ask = built.name;  // hash-N, or (indexes built without --model DIR) a directory of that name here
  }
  if (given.empty() && ask == built.name && hewn::embed::is_hub_name(ask)) {  // a name in the Hugging Face cache
    try {
      ask = hewn::embed::resolve_model(ask);
    } catch (const hewn::DataError&) {
    }
  }
  auto eo = hewn::embed::options_for_model(ask);
  if (eo && given.empty() && built.path.empty() && !eo->model.empty() && eo->backend != "openai")
    // Not silent: a folder of that name here may be another model than the index's.
    hewn::cli::Diag("query").warning_once(
        "the index records model " + hewn::quoted(built.name) + " by name only; embedding the questions with ./" +
        built.name + ", unchecked (build the index with --model DIR, or give query --model DIR, to check it)");
  if (!eo) {
    why = built.known() ? "the index's model " + hewn::quoted(built.name) +
                              " is not one hewn can find here: give --model DIR, or embed the queries first"
                        : "the index does not record its model: give --model DIR|NAME, or embed the queries first";
    return nullptr;
  }
  if (eo->backend == "openai") {
    auto url = hewn::remote::parse_model_url(eo->model);
    if (!remote.base_url.empty() && url && remote.base_url != url->base_url)
      throw hewn::UsageError("--base-url " + hewn::quoted(remote.base_url) + ": the index's model " +
                             hewn::quoted(eo->model) + " is served at " + url->base_url +
                             " (the endpoint is part of a remote model's identity)");
    eo->remote = remote;
    eo->remote.base_url.clear();
    eo->batch = batch;
  }
  auto e = hewn::cli::open_model(*eo, false);
  // Vectors cut by embed --dimensions (Matryoshka): queries are cut alike.
  const std::size_t want = ix.manifest().dense.dim;
  if (e->transformer() && want > 0 && e->dim() > want) {
    eo->dimensions = static_cast<unsigned>(want);
    e = hewn::cli::open_model(*eo, false);
  }
  if (e->dim() != want)
    throw hewn::UsageError((given.empty() ? "the index's model " + hewn::quoted(built.name) + " makes vectors of "
                                          : "--model " + hewn::quoted(given) + ": makes vectors of ") +
                           std::to_string(e->dim()) + " dimensions, the index has " + std::to_string(want));
  // The query side of the model's prompts: its "query" prompt, else its
  // default one (which embed put before the documents).
  if (e->transformer()) {
    try {
      prefix = hewn::embed::model_prompt(eo->model, "query");
    } catch (const hewn::UsageError&) {
      prefix = hewn::embed::model_prompt(eo->model, "");
    } catch (const hewn::DataError&) {
      prefix = hewn::embed::model_prompt(eo->model, "");
    }
    doc_prefix = hewn::embed::model_prompt(eo->model, "");
  }
  return e;
}

// --rerank-run: the run's hits per query, as chunk numbers of ix, ranked by
// score (ties in the run's order).
// Errors: those of score::Run::read; DataError "RUN:LINE: hit "x" is not a
// chunk id of IDX", "RUN:LINE: hit "x" repeats for query "q"".
std::unordered_map<std::string, std::vector<hewn::query::Hit>> read_run(const std::string& path,
                                                                        const hewn::index::Index& ix) {
  hewn::score::RunOptions ro;
  ro.match = hewn::score::MatchField::id;
  hewn::score::Run run = hewn::score::Run::read(path, ro);
  std::unordered_map<std::string_view, std::uint32_t> chunk;
  chunk.reserve(ix.size());
  for (std::uint32_t i = 0; i < ix.size(); ++i) chunk.emplace(ix.info(i).id, i);
  std::unordered_map<std::string, std::vector<hewn::query::Hit>> out;
  for (const hewn::score::TopicRun& t : run.topics()) {
    auto& hits = out[t.qid];
    std::unordered_map<std::uint32_t, std::uint64_t> seen;
    for (const hewn::score::Hit& h : t.hits) {
      auto it = chunk.find(h.doc);
      if (it == chunk.end())
        hewn::data_error(path, h.line, "hit " + hewn::quoted(h.doc) + " is not a chunk id of " + ix.dir());
      if (!seen.emplace(it->second, h.line).second)
        hewn::data_error(path, h.line, "hit " + hewn::quoted(h.doc) + " repeats for query " + hewn::quoted(t.qid));
      hits.push_back({it->second, h.score});
    }
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  }
  return out;
}

}  // namespace

// True when a query argument is a file to read: "-", an existing path, or a
// name that looks like one (a data file extension, so that a typo is
// reported as a missing file instead of searched for).
static bool names_file(const std::string& a) {
  struct stat st;
  if (a == "-" || ::stat(a.c_str(), &st) == 0) return true;
  for (std::string_view ext : {".jsonl", ".ndjson", ".json", ".tsv", ".txt", ".zst", ".gz", ".xz", ".bz2"})
    if (a.size() > ext.size() && a.ends_with(ext)) return true;
  return false;
}

namespace hewn::cli {

int QueryCommand::execute(const Given& given) {
  Diag diag("query");
  // Arguments that name no file are queries: they go, as JSON Lines
  // records with ids "1", "2"... in order, through an in-memory file.
  std::vector<std::string> inputs;
  std::vector<int> fds;
  std::string texts;
  unsigned n_text = 0;
  auto flush_texts = [&] {
    if (texts.empty()) return;
    int fd = ::memfd_create("query", 0);
    if (fd < 0 || ::write(fd, texts.data(), texts.size()) != static_cast<ssize_t>(texts.size()))
      throw std::runtime_error("cannot hold the query texts in memory");
    fds.push_back(fd);
    inputs.push_back("/dev/fd/" + std::to_string(fd));
    texts.clear();
  };
  for (const std::string& a : io.inputs) {
    if (names_file(a)) {
      flush_texts();
      inputs.push_back(a);
      continue;
    }
    texts += "{";
    hewn::json::append_string(texts, io.id_field);
    texts += ':';
    hewn::json::append_string(texts, std::to_string(++n_text));
    texts += ',';
    hewn::json::append_string(texts, io.text_field);
    texts += ':';
    hewn::json::append_string(texts, a);
    texts += "}\n";
  }
  flush_texts();
  io.inputs = inputs;
  so.id_field = io.id_field;
  so.text_field = io.text_field;
  so.trec = format == "trec";
  if (so.trec && !hewn::query::trec_word(so.run_tag))
    throw hewn::UsageError("--run-tag must be one word for --format trec (no white space)");
  so.mode = mode == "dense"    ? hewn::query::Mode::dense
            : mode == "hybrid" ? hewn::query::Mode::hybrid
                               : hewn::query::Mode::bm25;
  if (given.count("--alpha")) {
    so.fusion = hewn::query::Fusion::interpolate;
    so.alpha = alpha;
  }
  so.group = group == "none"        ? hewn::query::Group::none
             : group_score == "sum" ? hewn::query::Group::sum
                                    : hewn::query::Group::max;
  so.adaptive = cutoff == "adaptive";
  // Options that would do nothing are refused, so a typo in a pipeline
  // does not pass unnoticed.
  if (given.count("--group-score") && group == "none") throw hewn::UsageError("--group-score needs --group doc");
  if ((given.count("--min-k") || given.count("--max-k")) && !so.adaptive)
    throw hewn::UsageError("--min-k and --max-k need --cutoff adaptive");
  bool hybrid = so.mode == hewn::query::Mode::hybrid, dense = so.mode != hewn::query::Mode::bm25;
  if (!fine.empty()) {
    hewn::query::FineOptions fo = hewn::query::parse_fine(fine);
    fo.spans = so.fine.spans;
    fo.merge = so.fine.merge;
    fo.depth = so.fine.depth;
    fo.by_span = fine_order == "span";
    if (fine_lang.empty()) throw hewn::UsageError("--fine-lang: empty (leave it out for the default)");
    fo.locale = fine_lang;
    fo.size = so.fine.size;
    fo.grow = so.fine.grow;
    fo.adaptive = so.fine.adaptive;
    if (given.count("--fine-adaptive"))
      for (const char* opt : {"--fine-spans", "--fine-merge", "--fine-size", "--fine-order"})
        if (given.count(opt))
          throw hewn::UsageError(std::string(opt) + ": --fine-adaptive answers with one unit or the chunks whole");
    fo.score = fine_score == "dense"    ? hewn::query::FineScore::dense
               : fine_score == "hybrid" ? hewn::query::FineScore::hybrid
                                        : hewn::query::FineScore::bm25;
    if (given.count("--fine-adaptive") && fo.score != hewn::query::FineScore::bm25)
      throw hewn::UsageError("--fine-adaptive compares BM25 scores: not with --fine-score dense or hybrid");
    so.fine = fo;
  } else {
    for (const char* opt :
         {"--fine-spans", "--fine-merge", "--fine-size", "--fine-score", "--fine-lang", "--fine-depth", "--fine-order",
          "--fine-grow", "--fine-adaptive"})
      if (given.count(opt)) throw hewn::UsageError(std::string(opt) + " needs --fine");
  }
  // A model embeds the queries (dense, hybrid) and --fine-score's spans.
  const bool fine_dense = so.fine.unit != hewn::query::FineUnit::none && so.fine.score != hewn::query::FineScore::bm25;
  if (given.count("--alpha") && !hybrid) throw hewn::UsageError("--alpha needs --mode hybrid");
  if (given.count("--rrf-k") && !hybrid) throw hewn::UsageError("--rrf-k needs --mode hybrid");
  if (given.count("--rrf-k") && given.count("--alpha"))
    throw hewn::UsageError("--rrf-k is for reciprocal rank fusion, which --alpha replaces by interpolation");
  if (given.count("--depth") && !hybrid && group == "none")
    throw hewn::UsageError("--depth needs --mode hybrid or --group doc");
  if (given.count("--run-tag") && !so.trec) throw hewn::UsageError("--run-tag needs --format trec");
  for (const char* opt : {"--nprobe", "--ef-search", "--model", "--embedding-field"})
    if (given.count(opt) && !dense && !fine_dense)
      throw hewn::UsageError(std::string(opt) + " needs --mode dense or hybrid (or --fine-score dense or hybrid)");
  if (given.count("--budget-unit") && !so.budget) throw hewn::UsageError("--budget-unit needs --budget");
  for (const char* opt : {"--rerank-depth", "--rerank-run", "--rerank-max-tokens", "--rerank-activation",
                          "--rerank-api", "--rerank-key-env"})
    if (given.count(opt) && rerank.empty()) throw hewn::UsageError(std::string(opt) + " needs --rerank");
  if (!rerank.empty() && !hewn::embed::is_remote_reranker(rerank))
    for (const char* opt : {"--rerank-api", "--rerank-key-env"})
      if (given.count(opt)) throw hewn::UsageError(std::string(opt) + " is for a rerank endpoint (--rerank URL)");
  if (!rerank_run.empty())
    for (const char* opt : {"--mode", "--depth", "--rrf-k", "--alpha"})
      if (given.count(opt))
        throw hewn::UsageError(std::string(opt) + ": with --rerank-run the first stage is the run's hits");
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
  // A levelled index: the level searched and the level answered with.
  std::unique_ptr<hewn::index::Levels> levels;
  std::unique_ptr<hewn::index::Index> plain;
  if (hewn::index::is_levelled(dir)) {
    levels = std::make_unique<hewn::index::Levels>(dir);
    const std::size_t last = levels->count() - 1;
    so.level = given.count("--level") ? level : last;
    if (so.level > last)
      throw hewn::UsageError("--level " + std::to_string(level) + ": " + dir + " has levels 0 to " +
                             std::to_string(last));
    so.answer = so.level;
    if (answer == "parent") {
      if (so.level == 0) throw hewn::UsageError("--return parent: level 0 has no parents");
      so.answer = so.level - 1;
    } else if (!answer.empty()) {
      if (answer.size() > 4 || answer.find_first_not_of("0123456789") != std::string::npos)
        throw hewn::UsageError("--return: expected parent or a level number, got " + hewn::quoted(answer));
      so.answer = std::stoul(answer);
      if (so.answer > so.level)
        throw hewn::UsageError("--return " + answer + ": not at or above the level searched (" +
                               std::to_string(so.level) + "; 0 is the coarsest)");
    }
    if (so.answer < so.level && !rerank_run.empty())
      throw hewn::UsageError("--return: with --rerank-run the hits are the run's, at one level");
    if (so.answer < so.level && so.fine.unit != hewn::query::FineUnit::none)
      throw hewn::UsageError("--return above the searched level with --fine is not supported");
    if (given.count("--auto-merge")) {
      if (!(so.auto_merge > 0)) throw hewn::UsageError("--auto-merge must be within (0, 1]");
      if (!answer.empty()) throw hewn::UsageError("--auto-merge and --return: choose one");
      // Grouping, context and spans read one level's chunks; a merged hit is of another.
      for (const char* opt : {"--group", "--neighbors", "--fine"})
        if (given.count(opt)) throw hewn::UsageError(std::string("--auto-merge with ") + opt + " is not supported");
      for (std::size_t l = 0; l < so.level; ++l) levels->level(l);  // opened before the threads need them
    }
    so.levels = levels.get();
  } else if (given.count("--level") || given.count("--return") || given.count("--auto-merge")) {
    throw hewn::UsageError(
        "--level, --return and --auto-merge need a levelled index (index build of chunk --levels records)");
  } else {
    plain = std::make_unique<hewn::index::Index>(dir);
  }
  const hewn::index::Index& ix = levels ? levels->level(so.answer) : *plain;  // hits come from ix
  const hewn::index::Index& searched = levels ? levels->level(so.level) : ix;
  hewn::query::check_options(so, searched);
  if (so.mode != hewn::query::Mode::bm25) searched.dense();  // load and verify before the first query
  std::vector<hewn::query::Condition> conditions;
  for (const std::string& w : where) conditions.push_back(hewn::query::parse_condition(w));
  std::optional<hewn::index::ChunkSet> allowed;
  if (!conditions.empty()) {  // on the level searched
    allowed.emplace(hewn::query::select(searched, conditions));
    so.filter = &*allowed;
    for (const auto& c : conditions)
      if (!searched.columns().find(c.field))
        diag.warning("--where " + hewn::quoted(c.expr) + ": no chunk of " + dir + " has field " +
                     hewn::quoted(c.field) + " (nothing passes)");
  }
  std::unique_ptr<const hewn::embed::Embedder> embedder;
  std::string prompt;
  if (dense || fine_dense)
    embedder = query_embedder(searched, model, remote.connection(), batch, so.no_embedder, prompt, so.passage_prefix);
  if (fine_dense) {
    if (!embedder) throw hewn::UsageError("--fine-score " + fine_score + ": " + so.no_embedder);
    so.passage_encoder = embedder.get();
  }
  // The remote options apply to a remote model's questions only.
  if (!embedder || !embedder->remote()) {
    std::vector<std::string> names(std::begin(RemoteOptions::names), std::end(RemoteOptions::names));
    names.push_back("--batch");
    for (const std::string& name : names)
      if (given.count(name))
        throw hewn::UsageError(name +
                               " is for queries embedded by a remote model (an index built with embed "
                               "--backend openai, --mode dense or hybrid)");
  }
  so.query_encoder = embedder.get();
  so.query_prefix = prompt;
  if (given.count("--nprobe") || given.count("--ef-search")) {
    if (!searched.dense()) throw hewn::UsageError("--nprobe/--ef-search: " + dir + " has no dense vectors");
    if (given.count("--nprobe")) searched.dense()->set_parameter("nprobe", nprobe, "--nprobe");
    if (given.count("--ef-search")) searched.dense()->set_parameter("efSearch", ef_search, "--ef-search");
  }
  // Queries that --budget leaves with nothing, and queries a --rerank-run
  // has no hits for: counted from any thread, each kind one warning line at
  // the end naming its first in input order (input, then line) as
  // "SOURCE:LINE, query "QID"" and a detail.
  struct Counted {
    std::uint64_t count = 0;
    std::pair<std::size_t, std::uint64_t> at{~std::size_t(0), 0};
    std::string first;
  };
  std::mutex mu;
  auto note = [&](Counted& c, const hewn::io::Input& in, const std::string& qid, const std::string& detail) {
    std::size_t src = 0;
    for (std::size_t i = 0; i < io.inputs.size(); ++i)
      if (io.inputs[i] == in.source) src = i;
    std::lock_guard<std::mutex> lock(mu);
    ++c.count;
    if (std::make_pair(src, in.line) < c.at) {
      c.at = {src, in.line};
      c.first = std::string(in.source) + ":" + std::to_string(in.line) + ", query " + hewn::quoted(qid) + detail;
    }
  };
  Counted empty;  // by --budget
  so.on_budget_empty = [&](const hewn::io::Input& in, const std::string& qid, std::uint64_t best) {
    note(empty, in, qid, ", whose best hit has " + std::to_string(best) + " " + budget_unit);
  };
  // Reranking: the cross-encoder, the run it reads instead of retrieving,
  // and passages cut to the model's length (one line at the end).
  std::unique_ptr<const hewn::PairScorer> reranker;
  std::unordered_map<std::string, std::vector<hewn::query::Hit>> run_hits;
  std::atomic<std::uint64_t> truncated{0};
  Counted not_in_run;
  if (!rerank.empty()) {
    hewn::embed::RerankerOptions ro;
    ro.model = rerank;
    ro.max_tokens = rerank_max_tokens;
    if (rerank_activation != "auto") ro.activation = rerank_activation;
    ro.api = rerank_api;
    ro.remote.api_key_env = rerank_key_env;
    reranker = hewn::embed::make_reranker(ro);
    so.reranker = reranker.get();
    so.on_truncated = [&](std::size_t n) { truncated += n; };
    // A query costs milliseconds (or a request's latency): one query per
    // unit of work keeps every thread busy.
    io.batch_bytes = 1;
  }
  if (!rerank_run.empty()) {
    run_hits = read_run(rerank_run, ix);
    so.run = &run_hits;
    so.on_not_in_run = [&](const hewn::io::Input& in, const std::string& qid) { note(not_in_run, in, qid, ""); };
  }
  int status = run_stream("query", io, run, [&] { return hewn::query::make_searcher(ix, so); });
  if (auto n = truncated.load())
    diag.error(std::to_string(n) + (n == 1 ? " passage" : " passages") + " truncated to the reranker's length");
  if (not_in_run.count)
    diag.warning(rerank_run + " has no hits for " + std::to_string(not_in_run.count) +
                 (not_in_run.count == 1 ? " query" : " queries") + " (first: " + not_in_run.first + ")");
  if (empty.count)
    diag.warning("no hit fits --budget " + std::to_string(so.budget) + " for " + std::to_string(empty.count) +
                 (empty.count == 1 ? " query" : " queries") + " (first: " + empty.first + ")");
  return status;
}

}  // namespace hewn::cli
