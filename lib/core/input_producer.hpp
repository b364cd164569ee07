// The producing side of the record loop: opens the inputs in order and cuts
// them into units of work (batches of JSON Lines, or one raw file each),
// keeping a group of lines in one batch when asked, and holding an input's
// error until the units before it are handed out.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/line_reader.hpp"

namespace hewn::io {

enum class InputFormat { automatic, jsonl, raw };

struct InputOptions {
  std::vector<std::string> inputs;  // paths; "-" is standard input; empty means "-"
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

// True for names that are read as JSON Lines in automatic mode: "-", *.jsonl,
// *.ndjson, and those followed by .zst, .gz, .xz or .bz2.
bool is_jsonl_path(std::string_view path);

// One unit of input: a batch of JSON Lines, or a raw file's whole text.
struct Unit {
  LineBatch lines;       // JSON Lines; for a raw file only source and bytes are set
  bool raw = false;
  std::string raw_text;  // a raw file's contents (a byte order mark removed, unless raw_bytes)
  bool raw_bytes = false;  // raw_text is the file's bytes as read, not checked as UTF-8 (InputOptions::raw_bytes)
  bool stdin_guessed = false;  // lines[0] starts standard input read as JSON Lines by default
};

class InputProducer {
 public:
  explicit InputProducer(InputOptions options);
  ~InputProducer();
  InputProducer(const InputProducer&) = delete;
  InputProducer& operator=(const InputProducer&) = delete;

  // Replaces u's contents with the next unit, in input order. Returns false
  // when the inputs are done, or when an input-level error stopped the
  // current input (a file that cannot be opened or read, a corrupt zstd
  // stream): take_error() then returns it, and the next call goes on with
  // the next input. A read error inside a group is held back until the
  // group's lines before it have been handed out.
  // Errors: none (input errors are returned through take_error()).
  [[nodiscard]] bool next(Unit& u);

  // The message of the input-level error that ended the last next(), or ""
  // when none; taken (a second call returns "").
  [[nodiscard]] std::string take_error();

 private:
  bool next_grouped(LineBatch& b);
  InputOptions options_;
  std::size_t next_input_ = 0;
  std::unique_ptr<LineReader> reader_;
  // With group_start: the lines held back from the previous batch (an
  // unfinished group, whose first line is a group start) and a scratch batch.
  LineBatch carry_, more_;
  std::string read_error_;  // a read error held until the lines before it are out
  std::string error_;       // the error that stopped next()
  bool stdin_first_ = false;  // the next batch is the first of standard input read as JSON Lines by default
};

}  // namespace hewn::io
