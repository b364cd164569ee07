#include "core/record_stream.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
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
  p = without_compression_suffix(p);
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
  bool stdin_guessed = false;  // lines[0] starts standard input read as JSON Lines by default

  void reset() {
    stdin_guessed = false;
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

// A Work's lines as a Batch: inputs end in order into w.out and w.diags.
class WorkBatch final : public Batch {
 public:
  WorkBatch(Work& w, json::Parser& parser, OnError policy) : w_(w), parser_(parser), policy_(policy) {}
  std::size_t size() const override { return w_.lines.lines.size(); }
  Input input(std::size_t i) override {
    const auto& l = w_.lines.lines.at(i);
    Input in;
    in.source = w_.lines.source;
    in.line = l.number;
    try {
      in.record = &parser_.parse(w_.lines.line(i), in.source, l.number);
    } catch (const DataError& e) {
      // Plain text piped in by default (a first line that is not JSON at
      // all): say how to read it.
      std::string_view t = w_.lines.line(i);
      while (!t.empty() && (t[0] == ' ' || t[0] == '\t' || t[0] == '\r')) t.remove_prefix(1);
      if (i == 0 && w_.stdin_guessed && !t.starts_with("{") && !t.starts_with("\xEF\xBB\xBF{") &&
          !std::string_view(e.what()).ends_with("not a JSON object"))
        data_error(in.source, l.number,
                   "not JSON: standard input is read as JSON Lines (for plain text, give --input-format raw)");
      throw;
    }
    return in;
  }
  std::string& out() override { return w_.out; }
  void accept(std::size_t i) override {
    next(i);
    mark_ = w_.out.size();
    ++w_.records;
  }
  void reject(std::size_t i, const std::string& message) override {
    next(i);
    w_.out.resize(mark_);
    w_.diags.push_back({mark_, message});
    if (policy_ == OnError::fail) w_.stopped = true;
  }
  bool stopped() const override { return w_.stopped; }

 private:
  void next(std::size_t i) {
    if (i != next_ || w_.stopped) throw std::logic_error("Batch: input " + std::to_string(i) + " ended out of order");
    ++next_;
  }
  Work& w_;
  json::Parser& parser_;
  OnError policy_;
  std::size_t next_ = 0, mark_ = 0;
};

void process(Work& w, Worker& worker, OnError policy, bool raw_bytes) {
  try {
    if (w.raw) {
      Input in;
      in.source = w.lines.source;
      in.raw_text = w.raw_text;
      std::size_t bad = raw_bytes ? w.raw_text.size() : utf8::first_invalid(w.raw_text);
      if (bad != w.raw_text.size()) {
        std::uint64_t line = 1;
        for (std::size_t i = 0; i < bad; ++i) line += w.raw_text[i] == '\n';
        w.diags.push_back({0, located(in.source, line, "invalid UTF-8")});
        w.stopped = policy == OnError::fail;
        return;
      }
      try {
        worker.handler->handle(in, w.out);
        ++w.records;
      } catch (const DataError& e) {
        w.out.clear();
        w.diags.push_back({0, e.what()});
        if (policy == OnError::fail) w.stopped = true;
      }
      return;
    }
    WorkBatch batch(w, worker.parser, policy);
    worker.handler->handle_batch(batch);
  } catch (...) {
    w.failure = std::current_exception();
  }
}

// Appends lines [from, to) of src to dst (bytes copied, no padding added).
void append_lines(LineBatch& dst, const LineBatch& src, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const auto& l = src.lines[i];
    dst.lines.push_back({dst.data.size(), l.length, l.number});
    dst.data.append(src.line(i));
  }
}

// Covered input bytes attributed to lines [from, to) when a batch is cut.
std::size_t line_bytes(const LineBatch& b, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  for (std::size_t i = from; i < to; ++i) n += b.lines[i].length + 1;
  return n;
}

}  // namespace

void Handler::handle_batch(Batch& batch) {
  for (std::size_t i = 0; i < batch.size() && !batch.stopped(); ++i) {
    try {
      Input in = batch.input(i);
      handle(in, batch.out());
      batch.accept(i);
    } catch (const DataError& e) {
      batch.reject(i, e.what());
    }
  }
}

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
  bool stdin_first = false;  // the next batch is the first of standard input read as JSON Lines by default
  // With group_start: the lines held back from the previous batch (an
  // unfinished group, whose first line is a group start) and a scratch batch.
  LineBatch carry, more;
  std::string read_error;  // a read error held until the lines before it are out
  // Fills b with whole groups of the current reader; false at its end.
  auto next_grouped = [&](LineBatch& b) -> bool {
    if (!read_error.empty()) {
      std::string msg = std::move(read_error);
      read_error.clear();
      throw DataError(msg);
    }
    for (;;) {
      bool got;
      try {
        got = reader->next_batch(more, options.batch_bytes);
      } catch (const DataError& e) {
        if (carry.lines.empty()) throw;
        read_error = e.what();
        got = false;
      }
      if (!got) {  // the last group goes out whole
        if (carry.lines.empty() && carry.bytes == 0) return false;
        std::swap(b, carry);
        b.data.append(line_padding, '\0');
        carry.clear();
        return true;
      }
      // The predicate sees more's lines, which have the parser's padding.
      const std::size_t held = carry.lines.size();
      std::size_t cut = 0;  // the last group start after the first line
      for (std::size_t j = 0; j < more.lines.size(); ++j)  // every line, as group_start's contract says
        if (options.group_start(more.line(j)) && held + j > 0) cut = held + j;
      carry.source = more.source;
      append_lines(carry, more, 0, more.lines.size());
      carry.bytes += more.bytes;
      if (cut == 0) continue;
      // Lines [0, cut) are whole groups: they go out in place (carry's lines
      // are back to back, without padding); the unfinished group stays.
      LineBatch rest;
      rest.source = carry.source;
      append_lines(rest, carry, cut, carry.lines.size());
      const std::size_t out_bytes = std::min(line_bytes(carry, 0, cut), carry.bytes);
      rest.bytes = carry.bytes - out_bytes;
      carry.data.resize(carry.lines[cut].offset);
      carry.lines.resize(cut);
      carry.bytes = out_bytes;
      std::swap(b, carry);
      b.data.append(line_padding, '\0');
      carry = std::move(rest);
      return true;
    }
  };
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
            // A byte order mark is not text (as at the start of JSON Lines).
            if (!options.raw_bytes && w.raw_text.starts_with("\xEF\xBB\xBF")) w.raw_text.erase(0, 3);
            return true;
          }
          reader = std::make_unique<LineReader>(std::move(src));
          stdin_first = path == "-" && options.format == InputFormat::automatic;
        }
        if (options.group_start ? next_grouped(w.lines) : reader->next_batch(w.lines, options.batch_bytes)) {
          w.stdin_guessed = stdin_first;
          stdin_first = false;
          return true;
        }
        reader.reset();
      } catch (const DataError& e) {
        reader.reset();
        carry.clear();
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
        process(w, workers[0], options.on_error, options.raw_bytes);
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
  // Joins the threads started so far, however this function ends (also when
  // starting one fails).
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
  for (unsigned t = 0; t < jobs; ++t) {
    auto work = [&, t] {
      for (;;) {
        Work* w;
        {
          std::unique_lock lock(mu);
          cv_todo.wait(lock, [&] { return closing || !todo.empty(); });
          if (todo.empty()) return;
          w = todo.front();
          todo.pop_front();
        }
        process(*w, workers[t], options.on_error, options.raw_bytes);
        {
          std::lock_guard lock(mu);
          w->done = true;
        }
        cv_done.notify_all();
      }
    };
    try {
      threads.emplace_back(work);
    } catch (const std::system_error& e) {
      throw UsageError("-j " + std::to_string(jobs) + ": cannot start thread " + std::to_string(t + 1) + ": " +
                       e.what());
    }
  }

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
