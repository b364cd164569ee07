// chunk: split documents into chunks with exact offsets. See chunk(1).
// The options are command.hpp's; their checks and the run, run.cpp's.
#include "command.hpp"
#include "embed/bert.hpp"

int main(int argc, char** argv) {
  // chunk links OpenBLAS (through the models it can open), whose thread
  // pool spins for about 0.1 s of CPU after the library loads: a tenth of
  // the CPU time of chunking 100 MB by tokens. Stop it now rather than when
  // (if ever) a model is opened, which does the same.
  hewn::embed::single_threaded_blas();
  CLI::App app{"Split documents (JSON Lines or raw files) into chunks with exact offsets.", "chunk"};
  hewn::cli::ChunkCommand command;
  command.declare(app);
  return hewn::cli::run("chunk", app, argc, argv, [&] { return command.execute(hewn::cli::Given(app)); });
}
