// score's command line: the values of its options, declared to CLI11 by
// declare() (options.cpp), and the run they ask for, execute() (run.cpp:
// which mode the options ask for (IR measures, span measures, intrinsic
// measures, an evaluation set), its checks, the models composed, the
// report written to -o).
#pragma once

#include <string>
#include <vector>

#include "common/llm.hpp"
#include "common/tool.hpp"
#include "score/compare.hpp"
#include "score/evalset.hpp"
#include "score/evaluate.hpp"
#include "score/intrinsic.hpp"
#include "score/moc.hpp"
#include "score/segmentation.hpp"

namespace hewn::cli {

struct ScoreCommand {
  std::vector<std::string> runs;
  std::string qrels_path, spans_path, docs_path, output = "-", format = "json", match = "doc";
  std::string plot_path, plot_kind = "recall", correction = "none", icc_model, id_field = "id", text_field = "text";
  std::vector<std::string> measures, chunks_paths;
  std::vector<long> at;
  bool per_query = false;
  hewn::score::EvalOptions opt;
  hewn::score::CompareOptions cmp_opt;
  hewn::score::IntrinsicOptions intr;
  std::string gold_path, boundary_unit = "sentence";
  hewn::score::BoundaryOptions bnd;
  bool moc = false;
  std::string moc_edge = "ratio";
  hewn::score::MocOptions moc_opt;
  unsigned generate = 0;
  std::string queries_out, qrels_out;
  std::vector<std::string> prompt_files;
  hewn::score::EvalSetOptions gen;
  LlmFlags llm;
  // Adds the options to app.
  void declare(CLI::App& app);
  // Checks what was given and runs; returns the exit status.
  // Errors: UsageError, DataError, those of the run (cli::run maps them).
  int execute(const Given& given);
};

}  // namespace hewn::cli
