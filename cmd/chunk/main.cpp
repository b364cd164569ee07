// chunk: split documents into chunks with exact offsets. See chunk(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Split documents (JSON Lines or raw files) into chunks with exact offsets.", "chunk"};
  hewn::cli::ChunkCommand command;
  command.declare(app);
  return hewn::cli::run("chunk", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
