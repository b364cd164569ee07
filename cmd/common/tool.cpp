#include "common/tool.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <thread>
#include <sys/stat.h>
#include <unistd.h>

#include "common/completions.hpp"
#include "common/version.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

namespace hewn::cli {

CLI::Validator whole(unsigned long long min, unsigned long long max) {
  return CLI::Validator(
      [min, max](std::string& v) -> std::string {
        bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        if (digits && v.size() <= 19 && std::stoull(v) >= min && std::stoull(v) <= max) return {};
        if (max != ~0ULL) return v + " is not a whole number from " + std::to_string(min) + " to " + std::to_string(max);
        return v + " is not a whole number >= " + std::to_string(min);
      },
      "", "");
}

Given::Given(const CLI::App& app) {
  add(app);
  for (const CLI::App* sub : app.get_subcommands()) {
    subcommand_ = sub->get_name();
    add(*sub);
  }
}

void Given::add(const CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    const std::size_t n = o->count();
    if (n == 0) continue;
    for (const std::string& l : o->get_lnames()) counts_["--" + l] = n;
    for (const std::string& s : o->get_snames()) counts_["-" + s] = n;
    if (o->get_lnames().empty() && o->get_snames().empty()) counts_[o->get_name()] = n;  // positional
  }
}

std::size_t Given::count(std::string_view name) const {
  auto it = counts_.find(name);
  return it == counts_.end() ? 0 : it->second;
}

void RunOptions::add(CLI::App& app) {
  app.add_option("-j,--jobs", jobs, "Worker threads (default: one per core); output is identical for any value")
      ->check(whole(1, max_jobs));
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
}

unsigned RunOptions::threads() const {
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : std::min(n, max_jobs);
}

void StreamOptions::add(CLI::App& app, const std::string& input_help, bool with_output) {
  app.add_option("inputs", inputs, input_help);
  if (with_output)
    app.add_option("-o,--output", output, "Write to FILE (atomically; zstd-compressed when it ends in .zst)")
        ->type_name("FILE");
  app.add_option("--on-error", on_error, "On a bad record: fail (stop, status 1) or skip (report, go on, status 1)")
      ->check(CLI::IsMember({"fail", "skip"}));
  if (documents)
    app.add_option("--input-format", input_format,
                   "auto (*.jsonl, *.ndjson and stdin are JSON Lines; other files raw documents, HTML and PDF by name "
                   "or content), jsonl, raw (plain text), html or pdf")
        ->check(CLI::IsMember({"auto", "jsonl", "raw", "html", "pdf"}));
  else
    app.add_option("--input-format", input_format,
                   "auto (*.jsonl, *.ndjson and stdin are JSON Lines, other files raw documents), jsonl or raw")
        ->check(CLI::IsMember({"auto", "jsonl", "raw"}));
  app.add_option("--id-field", id_field, "Field holding the record id")->type_name("NAME");
  app.add_option("--text-field", text_field, "Field holding the text")->type_name("NAME");
}

io::StreamOptions StreamOptions::stream(const RunOptions& run) const {
  io::StreamOptions o;
  o.inputs = inputs;
  o.jobs = run.threads();
  o.on_error = on_error == "skip" ? io::OnError::skip : io::OnError::fail;
  o.batch_bytes = batch_bytes;
  o.group_start = group_start;
  o.raw_bytes = documents;
  o.format = input_format == "jsonl"                                                 ? io::InputFormat::jsonl
             : input_format == "raw" || input_format == "html" || input_format == "pdf" ? io::InputFormat::raw
                                                                                     : io::InputFormat::automatic;
  return o;
}

std::string eta_note(const std::vector<std::string>& inputs, std::uint64_t bytes_in, double secs) {
  std::uint64_t total = 0;
  if (inputs.empty()) return "";
  for (const std::string& p : inputs) {
    struct stat st;
    if (p == "-" || p.ends_with(".zst") || p.ends_with(".gz") || p.ends_with(".xz") || p.ends_with(".bz2") ||
        ::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return "";
    total += static_cast<std::uint64_t>(st.st_size);
  }
  if (bytes_in == 0 || bytes_in > total) return "";
  char buf[48];
  std::snprintf(buf, sizeof buf, ", ETA %.0f s", secs * static_cast<double>(total - bytes_in) / bytes_in);
  return buf;
}

Progress::Progress(std::string tool, bool quiet) : tool_(std::move(tool)), on_(!quiet && ::isatty(2)) {
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(const io::StreamStats& s, const std::string& note) {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(stderr, "\r%s: %llu records, %.0f records/s, %.1f MB/s%s   ", tool_.c_str(),
               static_cast<unsigned long long>(s.records), s.records / secs, s.bytes_in / secs / 1e6, note.c_str());
  shown_ = true;
}

void Progress::finish() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

int run(const std::string& tool, CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  std::signal(SIGPIPE, SIG_IGN);
  // Past a file size limit (ulimit -f) a write fails with EFBIG and is
  // reported like any write error, instead of the signal killing the tool.
  std::signal(SIGXFSZ, SIG_IGN);
  Diag diag(tool);
  app.set_version_flag("--version", version_text(tool),
                       "Print the version, git describe, build type and library versions, and exit");
  // TOOL --completions bash|zsh: the shell completion script, from the
  // options defined (before parsing, which would want required arguments).
  if (argc == 3 && std::string_view(argv[1]) == "--completions") {
    try {
      std::fputs(completions(tool, app, argv[2]).c_str(), stdout);
      return 0;
    } catch (const UsageError& e) {
      diag.error(e.what());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    report_usage(diag, e.what());
    return 2;
  }
  try {
    return body();
  } catch (const BrokenPipe&) {
    return 0;
  } catch (const UsageError& e) {
    diag.error(e.what());
    return 2;
  } catch (const DataError& e) {
    diag.error(e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    diag.error("out of memory");
    return 1;
  } catch (const std::exception& e) {
    diag.error(e.what());
    return 1;
  }
}

StageProgress::StageProgress(std::string what, bool quiet) : what_(std::move(what)), on_(!quiet && ::isatty(2)) {
  last_ = std::chrono::steady_clock::now() - std::chrono::seconds(1);
}

void StageProgress::update(const char* stage, std::uint64_t done, std::uint64_t total) {
  if (!on_) return;
  auto now = std::chrono::steady_clock::now();
  if (stage_ != stage) {
    stage_ = stage;
    stage_start_ = now;
  }
  const bool training = stage_ == "training";
  if (done == 0 && !training) return;  // the clock of the stage starts
  if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  if (training) {
    std::fprintf(stderr, "\r%s: training on %llu vectors   ", what_.c_str(), static_cast<unsigned long long>(total));
  } else {
    const double secs = std::chrono::duration<double>(now - stage_start_).count();
    char rate[64] = "";
    if (secs > 0 && done > 0) {
      const double r = static_cast<double>(done) / secs;
      std::snprintf(rate, sizeof rate, ", %.0f vectors/s, ETA %.0f s", r, static_cast<double>(total - done) / r);
    }
    std::fprintf(stderr, "\r%s: %s %llu/%llu vectors%s   ", what_.c_str(), stage, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), rate);
  }
  shown_ = true;
}

void StageProgress::finish() {
  if (shown_) std::fprintf(stderr, "\r\033[K");
  shown_ = false;
}

namespace detail {

int run_with_policy(const std::string& tool, const StreamOptions& so, const RunOptions& ro, const Loop& loop,
                    const std::function<void()>& commit,
                    const std::function<void()>& keep_partial) {
  Progress progress(tool, ro.quiet);
  Diag diag(tool);
  io::StreamStats stats;
  try {
    stats = loop(
        [&](const std::string& msg) {
          progress.finish();
          diag.error(msg);
        },
        [&](const io::StreamStats& s) { progress.update(s, so.progress_note ? so.progress_note(s) : std::string()); });
  } catch (...) {
    progress.finish();
    try {  // keep what was written before the error (stdout is unbuffered below us)
      if (keep_partial) keep_partial();
    } catch (...) {
    }
    throw;
  }
  progress.finish();
  commit();
  if (stats.errors > 0) {
    diag.error(std::to_string(stats.errors) + (stats.errors == 1 ? " record" : " records") + " rejected");
    return 1;
  }
  return 0;
}

}  // namespace detail

int run_stream(const std::string& tool, const StreamOptions& so, const RunOptions& ro,
               const std::function<std::unique_ptr<io::Handler>()>& make_handler) {
  auto out = io::open_output(so.output);
  Sink<std::string> sink;
  sink.consume = [&](const std::string& bytes, std::size_t from, std::size_t to) {
    out->write(std::string_view(bytes).substr(from, to - from));
  };
  sink.commit = [&] { out->commit(); };
  if (so.output == "-") sink.keep_partial = [&] { out->commit(); };
  return run_stream<std::string>(tool, so, ro, make_handler, sink);
}

}  // namespace hewn::cli
