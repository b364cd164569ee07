// chunk: split documents into chunks with exact offsets. See chunk(1).
#include "chunk/chunker.hpp"
#include "chunk/handler.hpp"
#include "common/tool.hpp"
#include "core/error.hpp"
#include "tokenize/tokenizer.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Split documents (JSON Lines or raw files) into chunks with exact offsets.", "chunk"};
  hewn::cli::StreamOptions io;
  hewn::cli::RunOptions run;
  hewn::chunk::Options opt;
  std::string separators;
  bool no_trim = false;
  hewn::tokenize::TokenizerOptions tok;

  io.add(app, "JSON Lines files (.zst ok) or raw files, each one document; - or none: stdin");
  app.add_option("-s,--strategy", opt.strategy,
                 "fixed, recursive, sentence, markdown, code (cAST syntax trees) or auto (code for known source "
                 "extensions or languages, markdown for .md, recursive otherwise)")
      ->capture_default_str();
  app.add_option("--size", opt.size, "Maximum chunk size, in --unit (a hard limit)")
      ->check(hewn::cli::whole())
      ->capture_default_str();
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
                 "markdown, auto: \"headings\" adds a \"context\" field with the heading path (never into text)");
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
  run.add(app);

  return hewn::cli::run("chunk", app, argc, argv, [&] {
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
    if (opt.unit.name == "tokens" && tokenizer && tok.count_special) {
      // The model adds its special tokens to every chunk: keep room for them.
      std::uint64_t extra = tokenizer->prefix().size() + tokenizer->suffix().size();
      if (opt.size <= extra)
        throw hewn::UsageError("--size must exceed the " + std::to_string(extra) + " special tokens --count-special adds");
      opt.size -= extra;
    }
    opt.unit_given = app.count("--unit") > 0;
    hewn::chunk::ChunkerFactory factory(opt);
    hewn::chunk::RecordOptions ro{io.id_field, io.text_field, tokenizer, keep_doc};
    return hewn::cli::run_stream("chunk", io, run, [&] { return hewn::chunk::make_handler(factory, ro); });
  });
}
