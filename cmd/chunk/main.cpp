// chunk: split documents into chunks with exact offsets. See chunk(1).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>

#include "chunk/chunker.hpp"
#include "chunk/handler.hpp"
#include "common/remote.hpp"
#include "chunk/llm.hpp"
#include "chunk/registry.hpp"
#include "common/llm.hpp"
#include "common/model.hpp"
#include "common/tool.hpp"
#include "core/error.hpp"
#include "extract/encoding.hpp"
#include "extract/inputs.hpp"
#include "tokenize/tokenizer.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Split documents (JSON Lines or raw files) into chunks with exact offsets.", "chunk"};
  hewn::cli::StreamOptions io;
  hewn::cli::RunOptions run;
  hewn::chunk::Options opt;
  std::string separators;
  bool no_trim = false;
  hewn::tokenize::TokenizerOptions tok;

  io.documents = true;
  io.add(app,
         "JSON Lines files (.zst, .gz, .xz, .bz2 ok), raw files (text, HTML, PDF), each one document, or directories to walk; - or "
         "none: stdin");
  bool recursive = false;
  hewn::io::WalkOptions walk;
  std::string encoding;
  app.add_flag("-r,--recursive", recursive,
               "Walk directories (the current one when no input is given); a directory input is walked anyway");
  app.add_option("-g,--glob", walk.globs,
                 "Walks: include files matching GLOB, or exclude with !GLOB (gitignore syntax; the last match wins, "
                 "over ignore files); repeatable")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  app.add_flag("--hidden", walk.hidden, "Walks: include hidden files and directories (names starting with .)");
  app.add_flag("--no-ignore", walk.no_ignore, "Walks: do not read .gitignore, .ignore and .git/info/exclude files");
  app.add_flag("-L,--follow", walk.follow, "Walks: follow symbolic links (loops are detected and skipped)");
  app.add_option("--encoding", encoding,
                 "Raw text and HTML without a byte order mark are in this encoding (ICU names: latin1, windows-1252, "
                 "Shift_JIS...); offsets count the decoded text")
      ->type_name("NAME");
  app.add_option("-s,--strategy", opt.strategy, hewn::chunk::strategy_help())
      ->capture_default_str();
  app.add_option("--size", opt.size, "Maximum chunk size, in --unit (a hard limit)")
      ->check(hewn::cli::whole())
      ->capture_default_str();
  std::string levels;
  app.add_option("--levels", levels,
                 "Nested chunks in one pass: sizes in --unit, coarsest first, strictly decreasing; each chunk is split "
                 "again at the next size into children that tile it exactly (records get \"level\" and \"parent\"; "
                 "instead of --size)")
      ->type_name("S1,S2,...");
  app.add_option("--overlap", opt.overlap, "Units shared by neighbouring chunks (fixed, recursive)")
      ->check(hewn::cli::whole())
      ->capture_default_str();
  app.add_option("--overlap-sentences", opt.overlap_sentences,
                 "Sentences repeated from the previous chunk when they fit (sentence)")
      ->check(hewn::cli::whole())
      ->capture_default_str();
  app.add_option("--min-size", opt.min_size, "Merge chunks smaller than this into a neighbour when the result fits")
      ->check(hewn::cli::whole())
      ->capture_default_str();
  app.add_option("-u,--unit", opt.unit.name,
                 "Size unit: chars (code points), bytes, words, tokens (needs --tokenizer) or nws (non-whitespace "
                 "code points; the default for code)")
      ->capture_default_str();
  app.add_option("--separators", separators,
                 "Recursive: JSON array of literal separators, highest level first; \"\" means grapheme clusters")
      ->type_name("JSON");
  app.add_option("--lang", opt.lang,
                 "ICU locale for sentence and word boundaries; for code and auto, a programming language name "
                 "selects the grammar instead")
      ->capture_default_str();
  app.add_option("--context", opt.context,
                 "markdown, auto: \"headings\" adds a \"context\" field with the heading path (never into text); any "
                 "strategy: \"llm\" adds one the LLM writes to situate the chunk in its document");
  app.add_option("--tokenizer", tok.name,
                 "cl100k_base, o200k_base, a .tiktoken file or a tokenizer.json; adds \"tokens\" to records")
      ->type_name("NAME_OR_PATH");
  app.add_flag("--allow-special", tok.allow_special, "Special token text (<|endoftext|>, [SEP]) counts as special");
  app.add_flag("--count-special", tok.count_special,
               "Count the special tokens the model adds ([CLS], [SEP]): in \"tokens\", and within --size");
  bool keep_doc = false;
  app.add_flag("--keep-doc", keep_doc,
               "Add \"doc_text\" (the whole document) to each document's first chunk, for embed --late in a pipe");
  app.add_flag("--no-trim", no_trim, "Keep the whitespace at chunk ends (chunks then tile the document)");
  hewn::embed::Options enc;
  auto& so = opt.semantic;
  app.add_option("--model", enc.model,
                 "semantic, cluster, layout: the encoder's model directory (model2vec or Hugging Face BERT layout)")
      ->type_name("DIR");
  app.add_option("--backend", enc.backend, "semantic, cluster, layout: the encoder: " + hewn::embed::backend_help());
  app.add_option("--dim", enc.dim, "--backend hash: vector size")->check(hewn::cli::whole(1))->capture_default_str();
  app.add_option("--pooling", enc.pooling, "bert encoder: mean or cls (default: 1_Pooling/config.json, else mean)")
      ->check(CLI::IsMember({"mean", "cls"}));
  app.add_option("--max-tokens", enc.max_tokens,
                 "bert encoder: tokens per sequence incl. [CLS]/[SEP] (default: the model's max_seq_length)")
      ->check(hewn::cli::whole(1));
  app.add_option("--breakpoints", so.breakpoints,
                 "semantic: cohesion (model-free, the default without an encoder), percentile (the default with "
                 "one), stdev, iqr, gradient, target or chonkie")
      ->type_name("METHOD");
  app.add_option("--threshold", so.threshold,
                 "semantic: the method's amount (percentile 95, stdev 3, iqr 1.5, gradient 95, chonkie 0.8, "
                 "cohesion 1.2); layout: the edge weight that joins blocks (0.15)")
      ->check(CLI::Range(0.0, 1e9))
      ->type_name("X");
  app.add_option("--buffer", so.buffer,
                 "semantic: sentences of context: each side of a sentence (default 1), or chonkie's window (3)")
      ->check(CLI::Range(static_cast<std::int64_t>(0), static_cast<std::int64_t>(1000)))
      ->type_name("N");
  app.add_option("--skip-window", so.skip_window, "semantic chonkie: merge similar groups up to N groups apart")
      ->check(hewn::cli::whole(0, 1000))
      ->type_name("N");
  app.add_option("--segments", so.segments, "semantic: cut each document into exactly N segments (when it has N sentences)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_option("--target", so.target, "semantic target: the mean group size to hit, in --unit (default --size / 2)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_option("--spatial-weight", so.spatial_weight,
                 "layout: the share of the boxes' closeness in an edge's weight, the rest the blocks' text "
                 "similarity (default 0.5; 1: position only, 0: text only)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("X");
  app.add_option("--piece-size", so.piece_size,
                 "cluster: size of the pieces grouped (default 50 tokens, 40 words, else 200)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_option("--dimensions", enc.dimensions, "openai: vector size to ask the model for (Matryoshka models)")
      ->check(hewn::cli::whole(1, 65536))
      ->type_name("N");
  app.add_option("--batch", so.batch, "semantic, cluster, layout: texts per call of the encoder, across documents")
      ->check(hewn::cli::whole(1))
      ->capture_default_str();
  app.add_flag("--chunk-vectors", so.chunk_vectors,
               "semantic, cluster: add each chunk's vector, the mean of its sentences' (or pieces') vectors");
  hewn::cli::LlmFlags llm;
  std::vector<std::string> prompt_files;
  std::string intents_file;
  double split_threshold = 0;
  app.add_option("--window", opt.llm.window,
                 "lumber: estimated tokens of the paragraphs shown at once (default 550); perplexity: of the text "
                 "sent per request (default 1024); margin --margin-context chunk: of the chunk shown (default 1024)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_option("--split-threshold", split_threshold,
                 "perplexity: the drop a minimum needs (default 0); margin: cut where the margin is at most X "
                 "(default: the mean of the last 5 margins)")
      ->type_name("X");
  std::string margin_context = "sentence";
  app.add_option("--margin-context", margin_context,
                 "margin: the text before each sentence that the model is asked about: the sentence before it, or "
                 "the chunk it would join (Meta-Chunking's multi-sentence variant)")
      ->check(CLI::IsMember({"sentence", "chunk"}))
      ->capture_default_str();
  app.add_option("--reask", opt.llm.reask, "LLM: times an unusable answer is asked again before the fallback")
      ->check(hewn::cli::whole(0, 20))
      ->capture_default_str();
  app.add_option("--prompt", prompt_files,
                 "NAME=FILE: a prompt template instead of the built-in one (lumber, margin, context, questions, intents)")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);
  app.add_option("--questions", opt.llm.questions, "Add \"questions\": N questions the LLM writes for each chunk")
      ->check(hewn::cli::whole(1, 100))
      ->type_name("N");
  app.add_option("--intents", intents_file, "intent: the intents (a query log), one a line (default: asked per document)")
      ->type_name("FILE");
  app.add_option("--intent-count", opt.llm.intent_count, "intent: intents asked per document without --intents")
      ->check(hewn::cli::whole(1, 100))
      ->capture_default_str();
  llm.add(app, "lumber, perplexity, margin, intent, --context llm, --questions");
  run.add(app);

  return hewn::cli::run("chunk", app, argc, argv, [&] {
    if (app.count("--split-threshold")) opt.llm.threshold = split_threshold;
    if (app.count("--margin-context") && opt.strategy != "margin")
      throw hewn::UsageError("--margin-context is for -s margin");
    opt.llm.margin_chunk = margin_context == "chunk";
    for (const std::string& pf : prompt_files) {
      std::size_t eq = pf.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == pf.size())
        throw hewn::UsageError("--prompt: " + hewn::quoted(pf) + " is not NAME=FILE");
      std::string name = pf.substr(0, eq), path = pf.substr(eq + 1);
      auto names = hewn::chunk::prompt_names();
      if (std::find(names.begin(), names.end(), name) == names.end()) hewn::chunk::check_prompt(name, "", "");
      std::ifstream in(path, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.is_open() || in.bad()) throw hewn::UsageError("--prompt " + name + ": cannot read " + path);
      hewn::chunk::check_prompt(name, text, path);
      opt.llm.prompts[name] = std::move(text);
    }
    if (!intents_file.empty()) {
      std::ifstream in(intents_file);
      if (!in.is_open()) throw hewn::UsageError("--intents: cannot read " + intents_file);
      for (std::string line; std::getline(in, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        if (!line.empty()) opt.llm.intents.push_back(line);
      }
      if (opt.llm.intents.empty()) throw hewn::UsageError("--intents: " + intents_file + " holds no intent");
    }
    if (app.count("--lang") && opt.lang.empty()) throw hewn::UsageError("--lang: empty (leave it out for the default)");
    if (app.count("--separators")) opt.separators = hewn::chunk::parse_separators(separators);
    opt.trim = !no_trim;
    std::shared_ptr<const hewn::tokenize::Tokenizer> tokenizer;
    if (!tok.name.empty()) {
      tokenizer = hewn::tokenize::make_tokenizer(tok);
      opt.unit.loaded = tokenizer;
    } else if (tok.allow_special || tok.count_special) {
      throw hewn::UsageError("--allow-special and --count-special need --tokenizer");
    }
    std::vector<std::uint64_t> level_sizes;
    if (app.count("--levels")) {
      if (app.count("--size")) throw hewn::UsageError("--levels gives the sizes: leave out --size");
      if (app.count("--overlap") || app.count("--overlap-sentences"))
        throw hewn::UsageError("--levels: children tile their parent, so chunks cannot overlap (leave out --overlap)");
      level_sizes = hewn::chunk::parse_levels(levels);
      opt.size = level_sizes[0];
    }
    if (opt.unit.name == "tokens" && tokenizer && tok.count_special) {
      // The model adds its special tokens to every chunk: keep room for them.
      std::uint64_t extra = tokenizer->prefix().size() + tokenizer->suffix().size();
      if (opt.size <= extra || (!level_sizes.empty() && level_sizes.back() <= extra))
        throw hewn::UsageError("--size must exceed the " + std::to_string(extra) + " special tokens --count-special adds");
      opt.size -= extra;
      for (auto& s : level_sizes) s -= extra;
    }
    opt.unit_given = app.count("--unit") > 0;
    if (!hewn::cli::remote_model(enc)) {
      if (!llm.wanted())
        for (const char* name : hewn::cli::RemoteOptions::names)
          if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for --backend openai or an LLM (--llm-model)");
      if (app.count("--dimensions")) throw hewn::UsageError("--dimensions is for --backend openai");
    }
    enc.remote = llm.remote.connection();
    opt.llm.model = llm.open(app);
    if (opt.llm.model) {
      auto start = std::chrono::steady_clock::now();
      io.progress_note = [&llm, start](const hewn::io::StreamStats&) {
        return llm.progress(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      };
      io.batch_bytes = 4 << 10;  // seconds a document: spread documents over the threads
      if (llm.dry_run) io.output = "/dev/null";
    }
    std::unique_ptr<const hewn::embed::Embedder> encoder;
    if (app.count("--dim") && !enc.model.empty()) throw hewn::UsageError("--dim is for the hash backend");
    if (!enc.model.empty() || !enc.backend.empty()) {
      encoder = hewn::cli::open_model(enc, false);
      opt.semantic.encoder = encoder.get();
      opt.semantic.across = encoder->batches();
    } else if (app.count("--dim")) {
      throw hewn::UsageError("--dim needs --backend hash");
    }
    hewn::chunk::ChunkerFactory factory(opt);
    hewn::chunk::RecordOptions ro{io.id_field, io.text_field, tokenizer, keep_doc, {io.input_format, encoding}, {}};
    std::vector<std::unique_ptr<hewn::chunk::ChunkerFactory>> level_factories;
    for (std::size_t l = 1; l < level_sizes.size(); ++l) {
      hewn::chunk::Options lo = opt;
      lo.size = level_sizes[l];
      level_factories.push_back(std::make_unique<hewn::chunk::ChunkerFactory>(lo));
      ro.levels.push_back(level_factories.back().get());
    }
    if (!encoding.empty()) hewn::extract::check_encoding(encoding);
    auto listed = hewn::extract::list_inputs(io.inputs, recursive, walk);
    if (listed.binary > 0)
      std::cerr << "chunk: skipped " << listed.binary << (listed.binary == 1 ? " binary file" : " binary files")
                << "\n";
    if (listed.loops > 0)
      std::cerr << "chunk: skipped " << listed.loops
                << (listed.loops == 1 ? " symbolic link loop" : " symbolic link loops") << "\n";
    if ((recursive || !io.inputs.empty()) && listed.paths.empty()) {
      std::cerr << "chunk: no files to read\n";
      return 0;
    }
    io.inputs = std::move(listed.paths);
    auto start = std::chrono::steady_clock::now();
    io.progress_note = [start, &io](const hewn::io::StreamStats& s) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return hewn::cli::eta_note(io.inputs, s.bytes_in, secs);
    };
    auto counters = opt.llm.counters;
    auto report = [&] {
      auto n = [](std::uint64_t v, const char* one, const char* many) {
        return std::to_string(v) + " " + (v == 1 ? one : many);
      };
      llm.finish("chunk", "; " + n(counters->asked_again.load(), "answer", "answers") + " asked again, " +
                              n(counters->fallbacks.load(), "fallback", "fallbacks"));
    };
    int status;
    try {
      status = hewn::cli::run_stream("chunk", io, run, [&] { return hewn::chunk::make_handler(factory, ro); });
    } catch (...) {
      if (!llm.dry_run) report();
      throw;
    }
    report();
    return status;
  });
}
