#include "core/ordered_map.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/utf8.hpp"

namespace hewn::io {

std::string Input::default_id() const {
  if (line == 0) return std::string(source);
  return std::string(source) + ":" + std::to_string(line);
}

namespace detail {

void Work::reset() {
  rejects.clear();
  stopped = false;
  failure = nullptr;
  records = 0;
  done = false;
}

std::string invalid_raw(const Unit& u) {
  if (u.raw_bytes) return {};
  std::size_t bad = utf8::first_invalid(u.raw_text);
  if (bad == u.raw_text.size()) return {};
  std::uint64_t line = 1;
  for (std::size_t i = 0; i < bad; ++i) line += u.raw_text[i] == '\n';
  return located(u.lines.source, line, "invalid UTF-8");
}

namespace {

// The in-order end of the loop: consumes finished works and applies the
// error policy.
class Emitter {
 public:
  Emitter(Stage& stage, OnError on_error, const std::function<void(const std::string&)>& diag,
          const std::function<void(const StreamStats&)>& progress)
      : stage_(stage), on_error_(on_error), diag_(diag), progress_(progress) {}

  // Consumes a finished work; throws the first error under OnError::fail.
  void emit(Work& w) {
    if (w.failure) std::rethrow_exception(w.failure);
    std::size_t consumed = 0;
    for (auto& r : w.rejects) {
      stage_.consume(w, consumed, r.offset);
      consumed = r.offset;
      reject(r.message);
    }
    stage_.consume(w, consumed, stage_.size(w));
    stats_.records += w.records;
    stats_.bytes_in += w.unit.lines.bytes;
    progress_(stats_);
  }

  // After the producer stopped on an input-level error: reports it (or
  // throws it under OnError::fail); false when there was none.
  bool input_error(InputProducer& input) {
    std::string msg = input.take_error();
    if (msg.empty()) return false;
    reject(msg);
    return true;
  }

  const StreamStats& stats() const { return stats_; }

 private:
  void reject(const std::string& message) {
    if (on_error_ == OnError::fail) throw DataError(message);
    ++stats_.errors;
    diag_(message);
  }
  Stage& stage_;
  OnError on_error_;
  const std::function<void(const std::string&)>& diag_;
  const std::function<void(const StreamStats&)>& progress_;
  StreamStats stats_;
};

// Worker threads taking works from a queue; joined however the loop ends.
class Pool {
 public:
  Pool(Stage& stage, unsigned jobs) : stage_(stage) {
    threads_.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t) {
      try {
        threads_.emplace_back([this, t] { work(t); });
      } catch (const std::system_error& e) {
        throw UsageError("-j " + std::to_string(jobs) + ": cannot start thread " + std::to_string(t + 1) + ": " +
                         e.what());
      }
    }
  }
  ~Pool() {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      todo_.clear();
    }
    cv_todo_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void submit(Work& w) {
    {
      std::lock_guard lock(mu_);
      todo_.push_back(&w);
    }
    cv_todo_.notify_one();
  }
  void wait(Work& w) {
    std::unique_lock lock(mu_);
    cv_done_.wait(lock, [&] { return w.done; });
  }

 private:
  void work(unsigned t) {
    for (;;) {
      Work* w;
      {
        std::unique_lock lock(mu_);
        cv_todo_.wait(lock, [&] { return closing_ || !todo_.empty(); });
        if (todo_.empty()) return;
        w = todo_.front();
        todo_.pop_front();
      }
      stage_.process(*w, t);
      {
        std::lock_guard lock(mu_);
        w->done = true;
      }
      cv_done_.notify_all();
    }
  }
  Stage& stage_;
  std::mutex mu_;
  std::condition_variable cv_todo_, cv_done_;
  std::deque<Work*> todo_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

StreamStats run_ordered(InputProducer& input, unsigned jobs, OnError on_error, Stage& stage,
                        const std::function<void(const std::string&)>& diag,
                        const std::function<void(const StreamStats&)>& progress) {
  Emitter emitter(stage, on_error, diag, progress);
  if (jobs == 1) {
    std::unique_ptr<Work> w = stage.make_work();
    do {
      for (w->reset(); input.next(w->unit); w->reset()) {
        stage.process(*w, 0);
        emitter.emit(*w);
      }
    } while (emitter.input_error(input));
    return emitter.stats();
  }

  // The works outlive the pool (declared first), whose threads may hold one.
  std::deque<std::unique_ptr<Work>> inflight, spare;
  Pool pool(stage, jobs);
  auto emit_front = [&] {
    Work& w = *inflight.front();
    pool.wait(w);
    emitter.emit(w);
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
        w = stage.make_work();
      }
      w->reset();
      if (!input.next(w->unit)) {
        spare.push_back(std::move(w));
        break;
      }
      pool.submit(*w);
      inflight.push_back(std::move(w));
      while (inflight.size() >= 2 * jobs) emit_front();
    }
    while (!inflight.empty()) emit_front();
  } while (emitter.input_error(input));
  return emitter.stats();
}

}  // namespace detail
}  // namespace hewn::io
