#include "core/record_stream.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "core/input.hpp"
#include "core/line_reader.hpp"
#include "core/utf8.hpp"

namespace hewn::io {

std::string Input::default_id() const {
  if (line == 0) return std::string(source);
  return std::string(source) + ":" + std::to_string(line);
}

bool is_jsonl_path(std::string_view p) {
  if (p == "-") return true;
  if (p.size() > 4 && p.substr(p.size() - 4) == ".zst") p.remove_suffix(4);
  auto ends = [&](std::string_view s) { return p.size() > s.size() && p.substr(p.size() - s.size()) == s; };
  return ends(".jsonl") || ends(".ndjson");
}

namespace {

// A unit of work: a batch of lines or one raw file, and what came of it.
struct Work {
  LineBatch lines;
  bool raw = false;
  std::string raw_text;
  std::string out;
  struct Diag {
    std::size_t offset;  // output bytes before the rejected input
    std::string message;
  };
  std::vector<Diag> diags;
  bool stopped = false;       // a DataError ended the batch (OnError::fail)
  std::exception_ptr failure;  // anything else
  std::uint64_t records = 0;
  bool done = false;

  void reset() {
    out.clear();
    diags.clear();
    stopped = false;
    failure = nullptr;
    records = 0;
    done = false;
    raw = false;
    raw_text.clear();
  }
};

struct Worker {
  json::Parser parser;
  std::unique_ptr<Handler> handler;
};

void process(Work& w, Worker& worker, OnError policy) {
  auto run_one = [&](const Input& in) {
    std::size_t mark = w.out.size();
    try {
      worker.handler->handle(in, w.out);
      ++w.records;
    } catch (const DataError& e) {
      w.out.resize(mark);
      w.diags.push_back({mark, e.what()});
      if (policy == OnError::fail) w.stopped = true;
    }
  };
  try {
    if (w.raw) {
      Input in;
      in.source = w.lines.source;
      in.raw_text = w.raw_text;
      std::size_t bad = utf8::first_invalid(w.raw_text);
      if (bad != w.raw_text.size()) {
        std::uint64_t line = 1;
        for (std::size_t i = 0; i < bad; ++i) line += w.raw_text[i] == '\n';
        w.diags.push_back({0, located(in.source, line, "invalid UTF-8")});
        w.stopped = policy == OnError::fail;
        return;
      }
      run_one(in);
      return;
    }
    for (std::size_t i = 0; i < w.lines.lines.size() && !w.stopped; ++i) {
      const auto& l = w.lines.lines[i];
      Input in;
      in.source = w.lines.source;
      in.line = l.number;
      std::size_t mark = w.out.size();
      try {
        in.record = &worker.parser.parse(w.lines.line(i), in.source, l.number);
      } catch (const DataError& e) {
        w.diags.push_back({mark, e.what()});
        if (policy == OnError::fail) w.stopped = true;
        continue;
      }
      run_one(in);
    }
  } catch (...) {
    w.failure = std::current_exception();
  }
}

}  // namespace

StreamStats run_stream(const StreamOptions& options, const std::function<std::unique_ptr<Handler>()>& make_handler,
                       ByteSink& out, const std::function<void(const std::string&)>& diag,
                       const std::function<void(const StreamStats&)>& progress) {
  if (options.jobs == 0) throw UsageError("-j must be at least 1");
  const unsigned jobs = options.jobs;
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.push_back("-");

  std::vector<Worker> workers(jobs);
  for (auto& w : workers) w.handler = make_handler();

  StreamStats stats;
  std::string pending_error;  // an input-level error held until earlier output is written

  // Writes a finished batch; throws the first error under OnError::fail.
  auto emit = [&](Work& w) {
    if (w.failure) std::rethrow_exception(w.failure);
    std::size_t written = 0;
    for (auto& d : w.diags) {
      out.write(std::string_view(w.out).substr(written, d.offset - written));
      written = d.offset;
      if (options.on_error == OnError::fail) throw DataError(d.message);
      ++stats.errors;
      diag(d.message);
    }
    out.write(std::string_view(w.out).substr(written));
    stats.records += w.records;
    stats.bytes_in += w.lines.bytes;
    progress(stats);
  };

  // The producer: fills w with the next unit of work; false when done.
  std::size_t next_input = 0;
  std::unique_ptr<LineReader> reader;
  auto produce = [&](Work& w) -> bool {
    w.reset();
    for (;;) {
      try {
        if (!reader) {
          if (next_input == inputs.size()) return false;
          const std::string& path = inputs[next_input++];
          bool jsonl = options.format == InputFormat::jsonl ||
                       (options.format == InputFormat::automatic && is_jsonl_path(path));
          auto src = open_input(path);
          if (!jsonl) {
            w.raw = true;
            w.lines.clear();
            w.lines.source = src->name();
            w.raw_text = read_all(*src);
            w.lines.bytes = w.raw_text.size();
            return true;
          }
          reader = std::make_unique<LineReader>(std::move(src));
        }
        if (reader->next_batch(w.lines, options.batch_bytes)) return true;
        reader.reset();
      } catch (const DataError& e) {
        reader.reset();
        pending_error = e.what();
        return false;
      }
    }
  };

  // After the producer stopped on an input-level error: report it, go on.
  auto after_input_error = [&]() -> bool {
    if (pending_error.empty()) return false;
    std::string msg = std::move(pending_error);
    pending_error.clear();
    if (options.on_error == OnError::fail) throw DataError(msg);
    ++stats.errors;
    diag(msg);
    return true;
  };

  if (jobs == 1) {
    Work w;
    do {
      while (produce(w)) {
        process(w, workers[0], options.on_error);
        emit(w);
      }
    } while (after_input_error());
    return stats;
  }

  // Threads take works from `todo`; the caller produces, then emits in order.
  std::mutex mu;
  std::condition_variable cv_todo, cv_done;
  std::deque<Work*> todo;
  std::deque<std::unique_ptr<Work>> inflight, spare;  // outlive the threads
  bool closing = false;
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned t = 0; t < jobs; ++t) {
    threads.emplace_back([&, t] {
      for (;;) {
        Work* w;
        {
          std::unique_lock lock(mu);
          cv_todo.wait(lock, [&] { return closing || !todo.empty(); });
          if (todo.empty()) return;
          w = todo.front();
          todo.pop_front();
        }
        process(*w, workers[t], options.on_error);
        {
          std::lock_guard lock(mu);
          w->done = true;
        }
        cv_done.notify_all();
      }
    });
  }
  struct Joiner {
    std::mutex& mu;
    bool& closing;
    std::condition_variable& cv;
    std::vector<std::thread>& threads;
    std::deque<Work*>& todo;
    ~Joiner() {
      {
        std::lock_guard lock(mu);
        closing = true;
        todo.clear();
      }
      cv.notify_all();
      for (auto& t : threads) t.join();
    }
  } joiner{mu, closing, cv_todo, threads, todo};

  auto emit_front = [&] {
    Work& w = *inflight.front();
    {
      std::unique_lock lock(mu);
      cv_done.wait(lock, [&] { return w.done; });
    }
    emit(w);
    spare.push_back(std::move(inflight.front()));
    inflight.pop_front();
  };
  do {
    for (;;) {
      std::unique_ptr<Work> w;
      if (!spare.empty()) {
        w = std::move(spare.back());
        spare.pop_back();
      } else {
        w = std::make_unique<Work>();
      }
      if (!produce(*w)) {
        spare.push_back(std::move(w));
        break;
      }
      {
        std::lock_guard lock(mu);
        todo.push_back(w.get());
      }
      cv_todo.notify_one();
      inflight.push_back(std::move(w));
      while (inflight.size() >= 2 * jobs) emit_front();
    }
    while (!inflight.empty()) emit_front();
  } while (after_input_error());
  return stats;
}

}  // namespace hewn::io
