// embed: add embedding vectors to records. See embed(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Add embedding vectors to JSON Lines records (chunks, queries).", "embed"};
  hewn::cli::EmbedCommand command;
  command.declare(app);
  return hewn::cli::run("embed", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
