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
  // JSON Lines only: when set, a batch never ends inside a group of lines.
  // A group begins at a line for which group_start is true and runs up to
  // the next such line or the end of the input (lines before the first
  // start form a group too), so a handler sees every group whole, in one
  // batch, whatever the batch size (a group longer than batch_bytes makes
  // its batch longer). Called from one thread, once per line, in order; it
  // must not throw.
  std::function<bool(std::string_view line)> group_start;
  // Raw files go to the handler as read (no UTF-8 check, a byte order mark
  // kept): for handlers that decode them (HTML, PDF, legacy encodings).
  bool raw_bytes = false;
};

// One unit of input: a JSON record, or a raw file's whole contents.
struct Input {
  const json::Record* record = nullptr;  // set for JSON Lines input
  std::string_view source;               // input name, for messages and default ids
  std::uint64_t line = 0;                // 1-based line; 0 for a raw file
  std::string_view raw_text;             // raw file contents (valid UTF-8 unless raw_bytes)

  // "source:line", the id given to a record that has none (the path for raw files).
  std::string default_id() const;
};

// The inputs of one batch of JSON Lines, for handlers that work on a whole
// batch at once (a model's padded forward pass). Inputs end in input order:
// each is either accepted (its output, appended to out() since the previous
// input ended, is kept) or rejected (that output is dropped and the message
// reported under the stream's OnError policy).
class Batch {
 public:
  virtual ~Batch() = default;
  // The number of inputs (non-blank lines).
  virtual std::size_t size() const = 0;
  // Input i, its line parsed now (the record's views stay valid until the
  // next call of input()).
  // Errors: DataError "source:line: ..." for a malformed line (those of
  // json::Parser::parse).
  virtual Input input(std::size_t i) = 0;
  // The batch's output so far.
  virtual std::string& out() = 0;
  // Ends input i, which must be the input after the last one ended.
  // Errors: std::logic_error for an input out of order.
  virtual void accept(std::size_t i) = 0;
  virtual void reject(std::size_t i, const std::string& message) = 0;
  // True once a rejection under OnError::fail ended the batch: the later
  // inputs are not wanted and must not be ended.
  virtual bool stopped() const = 0;
};

// Per-thread processing of inputs; make one per worker.
class Handler {
 public:
  virtual ~Handler() = default;
  // Appends the output for one input to out. To reject the input, throw
  // DataError: whatever was appended for it is discarded.
  virtual void handle(const Input& in, std::string& out) = 0;
  // Handles the inputs of one batch of JSON Lines (raw files go to handle()
  // one by one). By default, each input in order through handle(), a
  // DataError rejecting it, until the batch is stopped. Handlers that
  // override it must end every input in order (see Batch).
  // Errors: what escapes other than DataError ends the run.
  virtual void handle_batch(Batch& batch);
};

struct StreamStats {
  std::uint64_t records = 0;   // inputs handled successfully
  std::uint64_t errors = 0;    // inputs rejected (on_error == skip)
  std::uint64_t bytes_in = 0;  // input bytes read
};

// True for names that are read as JSON Lines in automatic mode: "-", *.jsonl,
// *.ndjson, and those followed by .zst, .gz, .xz or .bz2.
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
