// chunk's command line: the values of its options, declared to CLI11 by
// declare() (options.cpp), and the run they ask for, execute() (run.cpp:
// the checks across options, the tokenizer, encoder and LLM composed, the
// inputs listed, then the record loop into -o).
#pragma once

#include <string>
#include <vector>

#include "chunk/chunker.hpp"
#include "common/llm.hpp"
#include "common/tool.hpp"
#include "core/walk.hpp"
#include "embed/embedder.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::cli {

struct ChunkCommand {
  StreamOptions io;
  RunOptions run;
  hewn::chunk::Options opt;
  std::string separators;
  bool no_trim = false;
  hewn::tokenize::TokenizerOptions tok;
  bool recursive = false;
  hewn::io::WalkOptions walk;
  std::string encoding;
  std::string levels;
  bool keep_doc = false;
  hewn::embed::Options enc;
  LlmFlags llm;
  std::vector<std::string> prompt_files;
  std::string intents_file;
  double split_threshold = 0;
  std::string margin_context = "sentence";
  // Adds the options to app.
  void declare(CLI::App& app);
  // Checks what was given and runs; returns the exit status.
  // Errors: UsageError, DataError, those of the run (cli::run maps them).
  int execute(const Given& given);
};

}  // namespace hewn::cli
