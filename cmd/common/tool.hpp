// What every hewn tool shares: option groups that add their own flags (so
// -j, --quiet, -o read the same everywhere), progress on a terminal, and the
// mapping of errors to exit statuses (0 ok, 1 data, 2 usage; see hewn(7)).
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/diag.hpp"
#include "core/record_stream.hpp"

namespace hewn::cli {

// Validators for unsigned options (CLI11 2.1.2 wraps "-3" around silently):
// "--size: -3 is not a whole number >= 0"; with a max, "-j: 5000 is not a
// whole number from 1 to 1024".
CLI::Validator whole(unsigned long long min = 0, unsigned long long max = ~0ULL);

// The most threads -j takes (each thread has its own handler and stack).
inline constexpr unsigned max_jobs = 1024;

// The options given on the command line, by each of their names ("-s" and
// "--strategy"), and the subcommand (index build, ...): what a tool's
// execute() checks (an option that would do nothing is refused) without
// the CLI::App it was parsed by.
class Given {
 public:
  Given() = default;
  explicit Given(const CLI::App& app);
  // Times the option was given, to the tool or its subcommand (0: not
  // given, or no such option).
  std::size_t count(std::string_view name) const;
  // The subcommand given ("" none).
  const std::string& subcommand() const { return subcommand_; }

 private:
  void add(const CLI::App& app);
  std::map<std::string, std::size_t, std::less<>> counts_;
  std::string subcommand_;
};

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
  // Adds the inputs and the options; without output, no -o/--output (a
  // tool that writes elsewhere, as index build writes DIR).
  void add(CLI::App& app, const std::string& input_help, bool output = true);
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

// Progress of a long stage without records (FAISS training, adding
// vectors): "\rWHAT: training on N vectors" or "\rWHAT: STAGE D/N vectors,
// R vectors/s, ETA S s" (the rate and time left from the time since the
// stage's first update; update(stage, 0, total) starts its clock without
// showing anything) on stderr, at most 10 times a second (and at the end),
// only when stderr is a terminal and --quiet is off; finish() clears the
// line.
class StageProgress {
 public:
  StageProgress(std::string what, bool quiet);
  void update(const char* stage, std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  std::string what_;
  bool on_;
  bool shown_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point last_, stage_start_;
};

// Parses argv (with --version added, see version.hpp) and runs body,
// printing "tool: message" for errors (Diag) and returning the exit status:
// CLI11's own errors -> 2 (help and version -> 0),
// UsageError -> 2, DataError -> 1, BrokenPipe -> 0, anything else -> 1.
int run(const std::string& tool, CLI::App& app, int argc, char** argv, const std::function<int()>& body);

// Where a stream tool's results go: consume() takes them in input order,
// commit() publishes them after the last input (also when records were
// rejected), keep_partial() (optional) keeps what was consumed when the run
// fails.
template <class Out>
struct Sink {
  std::function<void(const Out&, std::size_t from, std::size_t to)> consume;
  std::function<void()> commit;
  std::function<void()> keep_partial;
};

namespace detail {
using Loop = std::function<io::StreamStats(const std::function<void(const std::string&)>& diag,
                                           const std::function<void(const io::StreamStats&)>& progress)>;
// The policy around a loop: progress, rejected records reported one line
// each then counted (status 1), the sink committed or kept.
int run_with_policy(const std::string& tool, const StreamOptions& so, const RunOptions& ro, const Loop& loop,
                    const std::function<void()>& commit,
                    const std::function<void()>& keep_partial);
}  // namespace detail

// Runs a record stream (io::ordered_map) into the caller's sink with the
// tool's policy: rejected records (--on-error skip) are reported one line
// each and make the status 1 at the end.
template <class Out>
int run_stream(const std::string& tool, const StreamOptions& so, const RunOptions& ro,
               const std::type_identity_t<std::function<std::unique_ptr<io::BasicHandler<Out>>()>>& make_handler,
               const Sink<Out>& sink) {
  const io::StreamOptions o = so.stream(ro);
  return detail::run_with_policy(
      tool, so, ro,
      [&](const auto& diag, const auto& progress) {
        io::InputProducer input(o);
        return io::ordered_map<Out>(input, o.jobs, o.on_error, make_handler, sink.consume, diag, progress);
      },
      sink.commit, sink.keep_partial);
}

// The same for the filters: output bytes to -o (or stdout), written in
// input order; what was written before an error is kept on stdout.
int run_stream(const std::string& tool, const StreamOptions& so, const RunOptions& ro,
               const std::function<std::unique_ptr<io::Handler>()>& make_handler);

}  // namespace hewn::cli
