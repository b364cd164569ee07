// embed's command line: the values of its options, declared to CLI11 by
// declare() (options.cpp), and the run they ask for, execute() (run.cpp:
// the checks across options, the model opened, its prompt, then the record
// loop into -o: vectors per record, per token, or by late chunking).
#pragma once

#include <cstddef>
#include <string>

#include "common/remote.hpp"
#include "common/tool.hpp"
#include "embed/embedder.hpp"
#include "embed/handler.hpp"

namespace hewn::cli {

struct EmbedCommand {
  StreamOptions io;
  RunOptions run;
  hewn::embed::Options opt;
  hewn::embed::RecordOptions ro;
  std::string text_from, format = "json", dtype = "f32", on_long = "truncate";
  bool normalize = false, no_normalize = false;
  std::string prompt;
  bool late = false;
  std::string docs_path;
  std::size_t late_overlap = 0;
  RemoteOptions remote;
  std::string encoding = "base64";
  bool verbose = false;
  std::string batch_tokenizer;
  // Adds the options to app.
  void declare(CLI::App& app);
  // Checks what was given and runs; returns the exit status.
  // Errors: UsageError, DataError, those of the run (cli::run maps them).
  int execute(const Given& given);
};

}  // namespace hewn::cli
