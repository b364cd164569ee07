// query's command line: the values of its options, declared to CLI11 by
// declare() (options.cpp), and the run they ask for, execute() (run.cpp:
// query texts given as arguments, the checks across options, the index or
// levels opened, the query encoder, reranker and filters composed, then the
// record loop into -o and the warnings at the end).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/remote.hpp"
#include "common/tool.hpp"
#include "query/search.hpp"
#include "remote/embeddings.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::cli {

struct QueryCommand {
  StreamOptions io;
  RunOptions run;
  hewn::query::SearchOptions so;
  std::string dir, format = "jsonl", mode = "bm25", group = "none", group_score = "max", cutoff = "fixed",
                   budget_unit = "chars";
  double alpha = -1;
  unsigned nprobe = 0, ef_search = 0;
  std::string fine_order = "chunk";
  std::string fine_lang = "en";
  std::string model;
  RemoteOptions remote;
  std::size_t batch = 0;
  hewn::tokenize::TokenizerOptions tok;
  std::string fine, fine_score = "bm25";
  std::vector<std::string> where;
  std::string rerank, rerank_run, rerank_activation = "auto", rerank_api = "cohere",
                                  rerank_key_env = std::string(hewn::remote::default_key_env);
  std::size_t rerank_max_tokens = 0;
  std::size_t level = 0;
  std::string answer;
  // Adds the options to app.
  void declare(CLI::App& app);
  // Checks what was given and runs; returns the exit status.
  // Errors: UsageError, DataError, those of the run (cli::run maps them).
  int execute(const Given& given);
};

}  // namespace hewn::cli
