// The loop every filter runs: read inputs (JSON Lines files, standard input,
// or raw files that are one document each), hand records in batches to
// worker threads, and write their output in input order, so that the output
// is byte-identical whatever the number of threads. It is the byte case of
// io::ordered_map (ordered_map.hpp), whose inputs come from an
// InputProducer (input_producer.hpp).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/input_producer.hpp"
#include "core/ordered_map.hpp"
#include "core/output.hpp"

namespace hewn::io {

// What to read (InputOptions), with how many threads and what a bad record does.
struct StreamOptions : InputOptions {
  unsigned jobs = 1;
  OnError on_error = OnError::fail;
};

// A batch whose output is bytes: each input's output is appended to out().
using Batch = BasicBatch<std::string>;
// A handler that appends each input's output bytes (JSON Lines records).
using Handler = BasicHandler<std::string>;

// Runs the loop. diag receives each rejected input's message (on_error ==
// skip); progress is called from the calling thread after each batch.
// Errors: with OnError::fail, the first DataError in input order is thrown
// after the output of every earlier input has been written; BrokenPipe from
// the sink; UsageError for jobs == 0.
StreamStats run_stream(const StreamOptions& options, const std::function<std::unique_ptr<Handler>()>& make_handler,
                       ByteSink& out, const std::function<void(const std::string&)>& diag,
                       const std::function<void(const StreamStats&)>& progress);

}  // namespace hewn::io
