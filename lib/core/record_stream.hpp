// The loop every tool runs: read inputs (JSON Lines files, standard input,
// or raw files that are one document each), hand records in batches to
// worker threads, and write their output in input order, so that the output
// is byte-identical whatever the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/output.hpp"

namespace hewn::io {

enum class OnError { fail, skip };
enum class InputFormat { automatic, jsonl, raw };

struct StreamOptions {
  std::vector<std::string> inputs;  // paths; "-" is standard input; empty means "-"
  unsigned jobs = 1;
  OnError on_error = OnError::fail;
  InputFormat format = InputFormat::automatic;
  std::size_t batch_bytes = 1 << 20;
};

// One unit of input: a JSON record, or a raw file's whole contents.
struct Input {
  const json::Record* record = nullptr;  // set for JSON Lines input
  std::string_view source;               // input name, for messages and default ids
  std::uint64_t line = 0;                // 1-based line; 0 for a raw file
  std::string_view raw_text;             // raw file contents (valid UTF-8)

  // "source:line", the id given to a record that has none (the path for raw files).
  std::string default_id() const;
};

// Per-thread processing of inputs; make one per worker.
class Handler {
 public:
  virtual ~Handler() = default;
  // Appends the output for one input to out. To reject the input, throw
  // DataError: whatever was appended for it is discarded.
  virtual void handle(const Input& in, std::string& out) = 0;
};

struct StreamStats {
  std::uint64_t records = 0;   // inputs handled successfully
  std::uint64_t errors = 0;    // inputs rejected (on_error == skip)
  std::uint64_t bytes_in = 0;  // input bytes read
};

// True for names that are read as JSON Lines in automatic mode: "-", *.jsonl,
// *.ndjson, and those followed by .zst.
bool is_jsonl_path(std::string_view path);

// Runs the loop. diag receives each rejected input's message (on_error ==
// skip); progress is called from the calling thread after each batch.
// Errors: with OnError::fail, the first DataError in input order is thrown
// after the output of every earlier input has been written; BrokenPipe from
// the sink; UsageError for jobs == 0.
StreamStats run_stream(const StreamOptions& options, const std::function<std::unique_ptr<Handler>()>& make_handler,
                       ByteSink& out, const std::function<void(const std::string&)>& diag,
                       const std::function<void(const StreamStats&)>& progress);

}  // namespace hewn::io
