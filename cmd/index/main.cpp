// index: build, update, merge and describe retrieval indexes. See index(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Build, merge and describe retrieval indexes (BM25 and FAISS dense) for query(1).", "index"};
  hewn::cli::IndexCommand command;
  command.declare(app);
  return hewn::cli::run("index", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
