// chunk's options (see command.hpp).
#include "chunk/registry.hpp"
#include "command.hpp"

namespace hewn::cli {

void ChunkCommand::declare(CLI::App& app) {
  io.documents = true;
  io.add(app,
         "JSON Lines files (.zst, .gz, .xz, .bz2 ok), raw files (text, HTML, PDF), each one document, or directories "
         "to walk; - or "
         "none: stdin");
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
  app.add_option("-s,--strategy", opt.strategy, hewn::chunk::strategy_help())->capture_default_str();
  app.add_option("--size", opt.size, "Maximum chunk size, in --unit (a hard limit)")
      ->check(whole())
      ->capture_default_str();
  app.add_option("--levels", levels,
                 "Nested chunks in one pass: sizes in --unit, coarsest first, strictly decreasing; each chunk is split "
                 "again at the next size into children that tile it exactly (records get \"level\" and \"parent\"; "
                 "instead of --size)")
      ->type_name("S1,S2,...");
  app.add_option("--overlap", opt.overlap, "Units shared by neighbouring chunks (fixed, recursive)")
      ->check(whole())
      ->capture_default_str();
  app.add_option("--overlap-sentences", opt.overlap_sentences,
                 "Sentences repeated from the previous chunk when they fit (sentence)")
      ->check(whole())
      ->capture_default_str();
  app.add_option("--min-size", opt.min_size, "Merge chunks smaller than this into a neighbour when the result fits")
      ->check(whole())
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
  app.add_flag("--keep-doc", keep_doc,
               "Add \"doc_text\" (the whole document) to each document's first chunk, for embed --late in a pipe");
  app.add_flag("--no-trim", no_trim, "Keep the whitespace at chunk ends (chunks then tile the document)");
  auto& so = opt.semantic;
  app.add_option("--model", enc.model,
                 "semantic, cluster, layout: the encoder's model directory (model2vec or Hugging Face BERT layout)")
      ->type_name("DIR");
  app.add_option("--backend", enc.backend, "semantic, cluster, layout: the encoder: " + hewn::embed::backend_help());
  app.add_option("--dim", enc.dim, "--backend hash: vector size")->check(whole(1))->capture_default_str();
  app.add_option("--pooling", enc.pooling, "bert encoder: mean or cls (default: 1_Pooling/config.json, else mean)")
      ->check(CLI::IsMember({"mean", "cls"}));
  app.add_option("--max-tokens", enc.max_tokens,
                 "bert encoder: tokens per sequence incl. [CLS]/[SEP] (default: the model's max_seq_length)")
      ->check(whole(1));
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
      ->check(whole(0, 1000))
      ->type_name("N");
  app.add_option("--segments", so.segments,
                 "semantic: cut each document into exactly N segments (when it has N sentences)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--target", so.target, "semantic target: the mean group size to hit, in --unit (default --size / 2)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--spatial-weight", so.spatial_weight,
                 "layout: the share of the boxes' closeness in an edge's weight, the rest the blocks' text "
                 "similarity (default 0.5; 1: position only, 0: text only)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("X");
  app.add_option("--piece-size", so.piece_size,
                 "cluster: size of the pieces grouped (default 50 tokens, 40 words, else 200)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--dimensions", enc.dimensions, "openai: vector size to ask the model for (Matryoshka models)")
      ->check(whole(1, 65536))
      ->type_name("N");
  app.add_option("--batch", so.batch, "semantic, cluster, layout: texts per call of the encoder, across documents")
      ->check(whole(1))
      ->capture_default_str();
  app.add_flag("--chunk-vectors", so.chunk_vectors,
               "semantic, cluster: add each chunk's vector, the mean of its sentences' (or pieces') vectors");
  app.add_option("--window", opt.llm.window,
                 "lumber: estimated tokens of the paragraphs shown at once (default 550); perplexity: of the text "
                 "sent per request (default 1024); margin --margin-context chunk: of the chunk shown (default 1024)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--split-threshold", split_threshold,
                 "perplexity: the drop a minimum needs (default 0); margin: cut where the margin is at most X "
                 "(default: the mean of the last 5 margins)")
      ->type_name("X");
  app.add_option("--margin-context", margin_context,
                 "margin: the text before each sentence that the model is asked about: the sentence before it, or "
                 "the chunk it would join (Meta-Chunking's multi-sentence variant)")
      ->check(CLI::IsMember({"sentence", "chunk"}))
      ->capture_default_str();
  app.add_option("--reask", opt.llm.reask, "LLM: times an unusable answer is asked again before the fallback")
      ->check(whole(0, 20))
      ->capture_default_str();
  app.add_option(
         "--prompt", prompt_files,
         "NAME=FILE: a prompt template instead of the built-in one (lumber, margin, context, questions, intents)")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);
  app.add_option("--questions", opt.llm.questions, "Add \"questions\": N questions the LLM writes for each chunk")
      ->check(whole(1, 100))
      ->type_name("N");
  app.add_option("--intents", intents_file,
                 "intent: the intents (a query log), one a line (default: asked per document)")
      ->type_name("FILE");
  app.add_option("--intent-count", opt.llm.intent_count, "intent: intents asked per document without --intents")
      ->check(whole(1, 100))
      ->capture_default_str();
  llm.add(app, "lumber, perplexity, margin, intent, --context llm, --questions");
  run.add(app);
}

}  // namespace hewn::cli
