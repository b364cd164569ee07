// index's command line: the values of the options of its subcommands
// (build, merge, add, delete, compact, stats, verify), declared to CLI11 by
// declare() (options.cpp), and the run they ask for, execute() (run.cpp:
// the checks, then build's and add's record loop into the index, or the
// library call of the others).
#pragma once

#include <string>
#include <vector>

#include "common/tool.hpp"
#include "index/builder.hpp"
#include "index/merge.hpp"

namespace hewn::cli {

struct IndexCommand {
  RunOptions run;
  std::string dir;
  StreamOptions io;
  hewn::index::BuildOptions bo;
  std::string fields, stopwords = "none", variant = "lucene";
  std::string model;
  std::string shard, shard_set;
  std::string out;
  std::vector<std::string> shards;
  hewn::index::MergeOptions mo;
  std::string adir;
  StreamOptions aio;
  hewn::index::BuildOptions ao;
  RunOptions arun;
  std::string ddir, from;
  std::vector<std::string> ids;
  bool by_chunk = false;
  std::string cdir;
  unsigned cjobs = 0;
  std::string sdir;
  std::string vdir;
  // Adds the subcommands and their options to app.
  void declare(CLI::App& app);
  // Checks what was given and runs; returns the exit status.
  // Errors: UsageError, DataError, those of the run (cli::run maps them).
  int execute(const Given& given);
};

}  // namespace hewn::cli
