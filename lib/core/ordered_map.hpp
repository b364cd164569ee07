// The ordered parallel map every tool runs: units of input (InputProducer)
// go to worker threads, each with its own handler, and their results are
// consumed in input order, so that what is consumed is identical whatever
// the number of threads. A result type Out is bytes for the filters
// (record_stream.hpp) or typed values (index build's analyzed chunks).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/input_producer.hpp"
#include "core/json.hpp"

namespace hewn::io {

enum class OnError { fail, skip };

// One unit of input: a JSON record, or a raw file's whole contents.
struct Input {
  const json::Record* record = nullptr;  // set for JSON Lines input
  std::string_view source;               // input name, for messages and default ids
  std::uint64_t line = 0;                // 1-based line; 0 for a raw file
  std::string_view raw_text;             // raw file contents (valid UTF-8 unless raw_bytes)

  // "source:line", the id given to a record that has none (the path for raw files).
  std::string default_id() const;
};

struct StreamStats {
  std::uint64_t records = 0;   // inputs handled successfully
  std::uint64_t errors = 0;    // inputs rejected (on_error == skip)
  std::uint64_t bytes_in = 0;  // input bytes read
};

// Out, the results of a unit of work: default-constructible, with size(),
// resize(n) for n <= size() (drops the last results) and clear() (as
// std::string and std::vector have).

// The inputs of one batch of JSON Lines, for handlers that work on a whole
// batch at once (a model's padded forward pass). Inputs end in input order:
// each is either accepted (its results, appended to out() since the previous
// input ended, are kept) or rejected (those results are dropped and the
// message reported under the stream's OnError policy).
template <class Out>
class BasicBatch {
 public:
  virtual ~BasicBatch() = default;
  // The number of inputs (non-blank lines).
  virtual std::size_t size() const = 0;
  // Input i, its line parsed now (the record's views stay valid until the
  // next call of input()).
  // Errors: DataError "source:line: ..." for a malformed line (those of
  // json::Parser::parse).
  virtual Input input(std::size_t i) = 0;
  // The batch's results so far.
  virtual Out& out() = 0;
  // Ends input i, which must be the input after the last one ended.
  // Errors: std::logic_error for an input out of order.
  virtual void accept(std::size_t i) = 0;
  virtual void reject(std::size_t i, const std::string& message) = 0;
  // True once a rejection under OnError::fail ended the batch: the later
  // inputs are not wanted and must not be ended.
  virtual bool stopped() const = 0;
};

// Per-thread processing of inputs; make one per worker.
template <class Out>
class BasicHandler {
 public:
  virtual ~BasicHandler() = default;
  // Appends the results for one input to out. To reject the input, throw
  // DataError: whatever was appended for it is discarded.
  virtual void handle(const Input& in, Out& out) = 0;
  // Handles the inputs of one batch of JSON Lines (raw files go to handle()
  // one by one). By default, each input in order through handle(), a
  // DataError rejecting it, until the batch is stopped. Handlers that
  // override it must end every input in order (see BasicBatch).
  // Errors: what escapes other than DataError ends the run.
  virtual void handle_batch(BasicBatch<Out>& batch) {
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
};

namespace detail {

// A unit of work and what came of it, less the results (TypedWork).
struct Work {
  Unit unit;
  struct Reject {
    std::size_t offset;  // results before the rejected input
    std::string message;
  };
  std::vector<Reject> rejects;
  bool stopped = false;        // a rejection ended the batch (OnError::fail)
  std::exception_ptr failure;  // anything else
  std::uint64_t records = 0;
  bool done = false;

  virtual ~Work() = default;
  // Forgets what came of the last unit (the producer replaces the unit).
  virtual void reset();
};

// The typed side of a map, for the engine (run_ordered).
class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::unique_ptr<Work> make_work() = 0;
  // Processes w with worker's handler (called on that worker's thread
  // only); records anything thrown other than a rejection in w.failure.
  virtual void process(Work& w, unsigned worker) = 0;
  virtual std::size_t size(const Work& w) const = 0;
  // Consumes results [from, to) of w.
  virtual void consume(Work& w, std::size_t from, std::size_t to) = 0;
};

// The message for a raw file that is not valid UTF-8 ("source:line:
// invalid UTF-8"), or "" when it is valid or read as bytes (raw_bytes).
std::string invalid_raw(const Unit& u);

// Runs the engine: produces units, processes them on jobs threads (on the
// calling thread when jobs is 1) with at most 2 * jobs in flight, and
// consumes them in input order.
// Errors: as ordered_map().
StreamStats run_ordered(InputProducer& input, unsigned jobs, OnError on_error, Stage& stage,
                        const std::function<void(const std::string&)>& diag,
                        const std::function<void(const StreamStats&)>& progress);

template <class Out>
struct TypedWork final : Work {
  Out out;
  void reset() override {
    Work::reset();
    out.clear();
  }
};

// A TypedWork's lines as a BasicBatch: inputs end in order into w.out and
// w.rejects.
template <class Out>
class WorkBatch final : public BasicBatch<Out> {
 public:
  WorkBatch(TypedWork<Out>& w, json::Parser& parser, OnError policy) : w_(w), parser_(parser), policy_(policy) {}
  std::size_t size() const override { return w_.unit.lines.lines.size(); }
  Input input(std::size_t i) override {
    const auto& l = w_.unit.lines.lines.at(i);
    Input in;
    in.source = w_.unit.lines.source;
    in.line = l.number;
    try {
      in.record = &parser_.parse(w_.unit.lines.line(i), in.source, l.number);
    } catch (const DataError& e) {
      // Plain text piped in by default (a first line that is not JSON at
      // all): say how to read it.
      std::string_view t = w_.unit.lines.line(i);
      while (!t.empty() && (t[0] == ' ' || t[0] == '\t' || t[0] == '\r')) t.remove_prefix(1);
      if (i == 0 && w_.unit.stdin_guessed && !t.starts_with("{") && !t.starts_with("\xEF\xBB\xBF{") &&
          !std::string_view(e.what()).ends_with("not a JSON object"))
        data_error(in.source, l.number,
                   "not JSON: standard input is read as JSON Lines (for plain text, give --input-format raw)");
      throw;
    }
    return in;
  }
  Out& out() override { return w_.out; }
  void accept(std::size_t i) override {
    next(i);
    mark_ = w_.out.size();
    ++w_.records;
  }
  void reject(std::size_t i, const std::string& message) override {
    next(i);
    w_.out.resize(mark_);
    w_.rejects.push_back({mark_, message});
    if (policy_ == OnError::fail) w_.stopped = true;
  }
  bool stopped() const override { return w_.stopped; }

 private:
  void next(std::size_t i) {
    if (i != next_ || w_.stopped) throw std::logic_error("Batch: input " + std::to_string(i) + " ended out of order");
    ++next_;
  }
  TypedWork<Out>& w_;
  json::Parser& parser_;
  OnError policy_;
  std::size_t next_ = 0, mark_ = 0;
};

template <class Out>
class TypedStage final : public Stage {
 public:
  TypedStage(unsigned jobs, OnError policy, const std::function<std::unique_ptr<BasicHandler<Out>>()>& make_handler,
             const std::function<void(const Out&, std::size_t, std::size_t)>& consume)
      : workers_(jobs), policy_(policy), consume_(consume) {
    for (auto& w : workers_) w.handler = make_handler();
  }
  std::unique_ptr<Work> make_work() override { return std::make_unique<TypedWork<Out>>(); }
  void process(Work& work, unsigned worker) override {
    auto& w = static_cast<TypedWork<Out>&>(work);
    Worker& k = workers_[worker];
    try {
      if (!w.unit.raw) {
        WorkBatch<Out> batch(w, k.parser, policy_);
        k.handler->handle_batch(batch);
        return;
      }
      std::string bad = invalid_raw(w.unit);
      if (bad.empty()) {
        Input in;
        in.source = w.unit.lines.source;
        in.raw_text = w.unit.raw_text;
        try {
          k.handler->handle(in, w.out);
          ++w.records;
          return;
        } catch (const DataError& e) {
          w.out.clear();
          bad = e.what();
        }
      }
      w.rejects.push_back({0, std::move(bad)});
      if (policy_ == OnError::fail) w.stopped = true;
    } catch (...) {
      w.failure = std::current_exception();
    }
  }
  std::size_t size(const Work& w) const override { return static_cast<const TypedWork<Out>&>(w).out.size(); }
  void consume(Work& w, std::size_t from, std::size_t to) override {
    consume_(static_cast<TypedWork<Out>&>(w).out, from, to);
  }

 private:
  struct Worker {
    json::Parser parser;
    std::unique_ptr<BasicHandler<Out>> handler;
  };
  std::vector<Worker> workers_;
  OnError policy_;
  const std::function<void(const Out&, std::size_t, std::size_t)>& consume_;
};

}  // namespace detail

// Maps the inputs to results with one handler per thread (make_handler is
// called jobs times first) and hands the results of accepted inputs to
// consume(out, from, to) in input order, on the calling thread: the results
// [from, to) of one unit's out, so identical for any jobs. A rejected
// input's results are never consumed; its message goes to diag under
// OnError::skip. An input-level error (see InputProducer::next) is handled
// as a rejection after the units before it are consumed. progress is called
// from the calling thread after each unit.
// Errors: under OnError::fail, the first rejection in input order is thrown
// as DataError after every earlier result was consumed; what a handler
// throws other than DataError, in input order; what consume throws;
// UsageError for jobs == 0 or a thread that cannot be started.
template <class Out>
StreamStats ordered_map(InputProducer& input, unsigned jobs, OnError on_error,
                        const std::function<std::unique_ptr<BasicHandler<Out>>()>& make_handler,
                        const std::function<void(const Out&, std::size_t from, std::size_t to)>& consume,
                        const std::function<void(const std::string&)>& diag,
                        const std::function<void(const StreamStats&)>& progress) {
  if (jobs == 0) throw UsageError("-j must be at least 1");
  detail::TypedStage<Out> stage(jobs, on_error, make_handler, consume);
  return detail::run_ordered(input, jobs, on_error, stage, diag, progress);
}

}  // namespace hewn::io
