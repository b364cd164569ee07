// query: retrieve chunks from an index built by index(1). See query(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Retrieve the best chunks for each query record from an index (BM25, dense or hybrid).", "query"};
  hewn::cli::QueryCommand command;
  command.declare(app);
  return hewn::cli::run("query", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
