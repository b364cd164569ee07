// score: trec_eval-exact IR measures, span measures and intrinsic chunk
// measures. See score(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Score retrieval runs (trec_eval 10 exact), chunk spans and chunkings.", "score"};
  hewn::cli::ScoreCommand command;
  command.declare(app);
  return hewn::cli::run("score", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
