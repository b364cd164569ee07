// What every hewn tool shares: option groups that add their own flags (so
// -j, --quiet, -o read the same everywhere), progress on a terminal, and the
// mapping of errors to exit statuses (0 ok, 1 data, 2 usage; see hewn(7)).
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/record_stream.hpp"

namespace hewn::cli {

// Validators for unsigned options (CLI11 2.1.2 wraps "-3" around silently):
// "--size: -3 is not a whole number >= 0"; with a max, "-j: 5000 is not a
// whole number from 1 to 1024".
CLI::Validator whole(unsigned long long min = 0, unsigned long long max = ~0ULL);

// The most threads -j takes (each thread has its own handler and stack).
inline constexpr unsigned max_jobs = 1024;

// -j/--jobs and -q/--quiet.
struct RunOptions {
  unsigned jobs = 0;  // 0: one per core
  bool quiet = false;
  void add(CLI::App& app);
  unsigned threads() const;
};

// Inputs, -o/--output, --on-error, --input-format, --id-field, --text-field.
struct StreamOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string on_error = "fail";
  std::string input_format = "auto";
  std::string id_field = "id";
  std::string text_field = "text";
  std::size_t batch_bytes = 1 << 20;  // input per unit of work; small for slow per-record work (models)
  std::function<bool(std::string_view)> group_start;  // see io::StreamOptions
  // Appended to the progress line (embed --backend openai: requests, retries, ETA).
  std::function<std::string(const io::StreamStats&)> progress_note;
  bool documents = false;  // set before add(): --input-format also takes html and pdf; raw files go as bytes
  void add(CLI::App& app, const std::string& input_help);
  io::StreamOptions stream(const RunOptions& run) const;
};

// ", ETA N s": the seconds left at the rate so far (secs for bytes_in
// bytes), when every input is a plain file whose size is known; "" otherwise
// (standard input, compressed files, FIFOs).
std::string eta_note(const std::vector<std::string>& inputs, std::uint64_t bytes_in, double secs);

// Records/s and MB/s on stderr, at most 10 times a second, only when stderr
// is a terminal and --quiet is off.
class Progress {
 public:
  Progress(std::string tool, bool quiet);
  void update(const io::StreamStats& s, const std::string& note = "");
  void finish();

 private:
  std::string tool_;
  bool on_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// Parses argv and runs body, printing "tool: message" for errors and
// returning the exit status: CLI11's own errors -> 2 (help and version -> 0),
// UsageError -> 2, DataError -> 1, BrokenPipe -> 0, anything else -> 1.
int run(const std::string& tool, CLI::App& app, int argc, char** argv, const std::function<int()>& body);

// Runs a record stream with the tool's policy: rejected records (--on-error
// skip) are reported one line each and make the status 1 at the end.
int run_stream(const std::string& tool, const StreamOptions& so, const RunOptions& ro,
               const std::function<std::unique_ptr<io::Handler>()>& make_handler);

}  // namespace hewn::cli
