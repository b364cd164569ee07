#include "remote/transport.hpp"

#include <curl/curl.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/error.hpp"
#include "remote/endpoint.hpp"
#include "remote/rate_limit.hpp"
#include "remote/response.hpp"
#include "remote/retry.hpp"

namespace hewn::remote {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// libcurl is opened on first use (dlopen), not linked: loading it and the
// libraries it needs (TLS, Kerberos, LDAP, p11-kit...) costs every process
// about 27 ms of CPU at start, which every tool would pay for endpoints
// that few runs use.
struct CurlApi {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_reset) easy_reset;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_multi_init) multi_init;
  decltype(&::curl_multi_cleanup) multi_cleanup;
  CURLMcode (*multi_setopt)(CURLM*, CURLMoption, ...);
  decltype(&::curl_multi_add_handle) multi_add_handle;
  decltype(&::curl_multi_remove_handle) multi_remove_handle;
  decltype(&::curl_multi_perform) multi_perform;
  decltype(&::curl_multi_poll) multi_poll;
  decltype(&::curl_multi_wakeup) multi_wakeup;
  decltype(&::curl_multi_info_read) multi_info_read;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

// The functions of libcurl.so.4, loaded once (thread-safe).
// Errors: std::runtime_error "cannot load libcurl.so.4 (...): <reason>".
const CurlApi& api() {
  static const CurlApi a = [] {
    CurlApi c{};
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    std::string why = lib ? "" : dlerror();
    auto load = [&](auto& fn, const char* name) {
      void* f = lib ? dlsym(lib, name) : nullptr;
      if (lib && !f && why.empty()) why = std::string("no symbol ") + name;
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(f);
    };
    load(c.global_init, "curl_global_init");
    load(c.easy_init, "curl_easy_init");
    load(c.easy_cleanup, "curl_easy_cleanup");
    load(c.easy_reset, "curl_easy_reset");
    load(c.easy_setopt, "curl_easy_setopt");
    load(c.easy_getinfo, "curl_easy_getinfo");
    load(c.easy_strerror, "curl_easy_strerror");
    load(c.multi_init, "curl_multi_init");
    load(c.multi_cleanup, "curl_multi_cleanup");
    load(c.multi_setopt, "curl_multi_setopt");
    load(c.multi_add_handle, "curl_multi_add_handle");
    load(c.multi_remove_handle, "curl_multi_remove_handle");
    load(c.multi_perform, "curl_multi_perform");
    load(c.multi_poll, "curl_multi_poll");
    load(c.multi_wakeup, "curl_multi_wakeup");
    load(c.multi_info_read, "curl_multi_info_read");
    load(c.slist_append, "curl_slist_append");
    load(c.slist_free_all, "curl_slist_free_all");
    if (!why.empty())
      throw std::runtime_error("cannot load libcurl.so.4 (model endpoints need libcurl 7.68 or later): " + why);
    return c;
  }();
  return a;
}

void global_init() {
  static const bool ok = api().global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!ok) throw std::runtime_error("libcurl could not start");
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

std::string_view header_value(std::string_view line, std::size_t name_size) {
  std::string_view v = line.substr(name_size + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
  return v;
}

// Transport failures that no retry will mend: the endpoint is wrong.
bool fatal_curl(CURLcode rc) {
  return rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_URL_MALFORMAT ||
         rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
         rc == CURLE_SSL_CERTPROBLEM;
}

std::string plural(unsigned n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

struct Transport::Impl {
  struct Group {
    std::size_t remaining = 0;
    bool stopped = false;
  };
  struct Job {
    const Request* req = nullptr;
    Outcome* out = nullptr;
    Group* group = nullptr;
    unsigned attempt = 0;
    CURL* easy = nullptr;
    std::string body;
    std::string retry_after, remaining_requests, remaining_tokens, reset_requests, reset_tokens;
    char errbuf[CURL_ERROR_SIZE];
    // Read-idle time-out: when bytes last moved, how many had, and whether
    // the attempt was abandoned for silence.
    double idle_limit = 0, last_data = 0;
    curl_off_t moved = 0;
    bool stalled = false;
  };

  TransportOptions opt;
  std::string key;
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  std::thread loop;
  Stats stats;

  std::mutex mu;  // guards incoming, stopping, fatal, groups' counts
  std::condition_variable done;
  std::deque<Job*> incoming;
  bool stopping = false;
  std::string fatal;

  // Loop thread only.
  std::deque<Job*> ready;
  std::multimap<double, Job*> delayed;
  std::vector<CURL*> idle;
  std::vector<Job*> active;
  RateLimiter limiter;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(const TransportOptions& o, std::string k) : opt(o), key(std::move(k)), limiter(o.rpm, o.tpm) {
    global_init();
    multi = api().multi_init();
    if (!multi) throw std::runtime_error("libcurl could not start");
    api().multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(std::max(4u, opt.concurrency)));
    api().multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    headers = api().slist_append(headers, "Content-Type: application/json");
    headers = api().slist_append(headers, "Accept: application/json");
    headers = api().slist_append(headers, "Expect:");  // no 100-continue round trip
    if (!key.empty()) headers = api().slist_append(headers, ("Authorization: Bearer " + key).c_str());
    loop = std::thread([this] { run(); });
  }

  ~Impl() {
    {
      std::lock_guard lk(mu);
      stopping = true;
    }
    api().multi_wakeup(multi);
    loop.join();
    for (CURL* h : idle) api().easy_cleanup(h);
    api().multi_cleanup(multi);
    api().slist_free_all(headers);
  }

  static std::size_t on_body(char* p, std::size_t size, std::size_t n, void* user) {
    static_cast<Job*>(user)->body.append(p, size * n);
    return size * n;
  }

  // Abandons an attempt that has moved no byte, either way, for
  // read_timeout seconds (curl calls this at least once a second).
  static int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
    Job* j = static_cast<Job*>(user);
    double now = now_s();
    if (dlnow + ulnow != j->moved) {
      j->moved = dlnow + ulnow;
      j->last_data = now;
      return 0;
    }
    if (now - j->last_data < j->idle_limit) return 0;
    j->stalled = true;
    return 1;
  }

  static std::size_t on_header(char* p, std::size_t size, std::size_t n, void* user) {
    Job* j = static_cast<Job*>(user);
    std::string_view line(p, size * n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a redirect or 100): forget the last one's
      j->retry_after.clear();
      j->remaining_requests.clear();
      j->remaining_tokens.clear();
      j->reset_requests.clear();
      j->reset_tokens.clear();
    }
    struct {
      std::string_view name;
      std::string Job::*field;
    } wanted[] = {{"retry-after", &Job::retry_after},
                  {"x-ratelimit-remaining-requests", &Job::remaining_requests},
                  {"x-ratelimit-remaining-tokens", &Job::remaining_tokens},
                  {"x-ratelimit-reset-requests", &Job::reset_requests},
                  {"x-ratelimit-reset-tokens", &Job::reset_tokens}};
    for (auto& w : wanted)
      if (header_is(line, w.name)) j->*w.field = std::string(header_value(line, w.name.size()));
    return size * n;
  }

  void start(Job* j) {
    CURL* h;
    if (!idle.empty()) {
      h = idle.back();
      idle.pop_back();
      api().easy_reset(h);
    } else {
      h = api().easy_init();
      if (!h) throw std::runtime_error("libcurl could not start a request");
    }
    j->easy = h;
    j->body.clear();
    j->errbuf[0] = 0;
    api().easy_setopt(h, CURLOPT_URL, j->req->url.c_str());
    api().easy_setopt(h, CURLOPT_POST, 1L);
    api().easy_setopt(h, CURLOPT_POSTFIELDS, j->req->body.data());
    api().easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(j->req->body.size()));
    api().easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    api().easy_setopt(h, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    api().easy_setopt(h, CURLOPT_WRITEDATA, j);
    api().easy_setopt(h, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    api().easy_setopt(h, CURLOPT_HEADERDATA, j);
    api().easy_setopt(h, CURLOPT_ERRORBUFFER, j->errbuf);
    api().easy_setopt(h, CURLOPT_PRIVATE, j);
    api().easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    api().easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(opt.timeout * 1000));
    api().easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout * 1000));
    // Read-idle time-out: an attempt that moves no byte for read_timeout
    // seconds (waiting for the answer to start included) is abandoned.
    j->idle_limit = opt.read_timeout;
    j->last_data = now_s();
    j->moved = 0;
    j->stalled = false;
    api().easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    api().easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
    api().easy_setopt(h, CURLOPT_XFERINFODATA, j);
    api().easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    api().easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    api().easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    api().easy_setopt(h, CURLOPT_USERAGENT, "hewn/0.1");
    api().easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    api().easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    api().multi_add_handle(multi, h);
    active.push_back(j);
    stats.in_flight.store(static_cast<unsigned>(active.size()), std::memory_order_relaxed);
  }

  void release(Job* j) {
    api().multi_remove_handle(multi, j->easy);
    idle.push_back(j->easy);
    j->easy = nullptr;
    active.erase(std::find(active.begin(), active.end(), j));
    stats.in_flight.store(static_cast<unsigned>(active.size()), std::memory_order_relaxed);
  }

  // Hands a job's outcome to its caller (mu held by the caller of complete()).
  void complete_locked(Job* j) {
    if (--j->group->remaining == 0) done.notify_all();
  }

  void complete(Job* j) {
    std::lock_guard lk(mu);
    complete_locked(j);
  }

  std::string what(const Job* j, const std::string& detail) const {
    return "POST " + shown_url(j->req->url) + ": " + detail;
  }

  // The endpoint is wrong: every job everywhere ends now.
  void stop_all(const std::string& message, Job* current) {
    std::lock_guard lk(mu);
    if (fatal.empty()) fatal = message;
    auto end = [&](Job* j) {
      j->group->stopped = true;
      j->out->ok = false;
      j->out->error = fatal;
      complete_locked(j);
    };
    end(current);
    for (Job* j : std::vector<Job*>(active)) {
      release(j);
      end(j);
    }
    for (Job* j : ready) end(j);
    ready.clear();
    for (auto& [t, j] : delayed) end(j);
    delayed.clear();
    for (Job* j : incoming) end(j);
    incoming.clear();
  }

  void finish(Job* j, CURLcode rc) {
    long status = 0;
    if (rc == CURLE_OK) api().easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    release(j);
    stats.requests.fetch_add(1, std::memory_order_relaxed);
    ++j->attempt;
    Outcome& out = *j->out;
    out.attempts = j->attempt;
    out.status = status;
    double now = now_s();
    // A limit the server says is exhausted holds every request until it resets.
    if (rc == CURLE_OK) {
      if (j->remaining_requests == "0")
        if (auto d = parse_duration(j->reset_requests)) limiter.hold_until(now + std::min(*d, opt.max_retry_after));
      if (j->remaining_tokens == "0")
        if (auto d = parse_duration(j->reset_tokens)) limiter.hold_until(now + std::min(*d, opt.max_retry_after));
    }
    std::string detail;
    Verdict v;
    if (rc != CURLE_OK) {
      detail = j->stalled ? "no data for " + plural(opt.read_timeout, "second") + " (--read-timeout)"
                          : scrub(j->errbuf[0] ? j->errbuf : api().easy_strerror(rc), key);
      if (fatal_curl(rc)) return stop_all(what(j, detail), j);
      v = Verdict::retry;
    } else {
      v = classify(status);
      if (v != Verdict::ok) {
        std::string text = server_error_text(j->body);
        detail = "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + scrub(text, key));
      }
    }
    if (v == Verdict::ok) {
      out.ok = true;
      out.body = std::move(j->body);
      return complete(j);
    }
    if (v == Verdict::stop) return stop_all(what(j, detail), j);
    out.ok = false;
    out.body = std::move(j->body);
    if (v == Verdict::retry) {
      std::optional<double> asked;
      if (!j->retry_after.empty()) asked = parse_retry_after(j->retry_after, std::time(nullptr));
      if (!asked && status == 429) {
        if (j->remaining_requests == "0") asked = parse_duration(j->reset_requests);
        if (j->remaining_tokens == "0") {
          auto t = parse_duration(j->reset_tokens);
          if (t && (!asked || *t > *asked)) asked = t;
        }
      }
      if (asked && *asked > opt.max_retry_after) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", *asked);
        out.error = what(j, detail + " (the server asks to wait " + buf + " s, longer than hewn waits)");
      } else if (j->attempt <= opt.retries) {
        double u = std::uniform_real_distribution<double>(0, 1)(rng);
        double wait = asked ? *asked : backoff_delay(j->attempt - 1, opt.backoff, opt.max_backoff, u);
        stats.retries.fetch_add(1, std::memory_order_relaxed);
        delayed.emplace(now + wait, j);
        return;
      } else {
        out.error = what(j, detail + " (gave up after " + plural(j->attempt, "attempt") + ")");
      }
    } else {
      out.error = what(j, detail);
    }
    stats.failed.fetch_add(1, std::memory_order_relaxed);
    complete(j);
  }

  void run() {
    while (true) {
      {
        std::lock_guard lk(mu);
        if (stopping) break;
        for (Job* j : incoming) ready.push_back(j);
        incoming.clear();
      }
      double now = now_s();
      while (!delayed.empty() && delayed.begin()->first <= now) {
        ready.push_back(delayed.begin()->second);
        delayed.erase(delayed.begin());
      }
      double wake = now + 1.0;
      if (!delayed.empty()) wake = std::min(wake, delayed.begin()->first);
      while (active.size() < opt.concurrency && !ready.empty()) {
        double t = limiter.next(now);
        if (t > now) {
          wake = std::min(wake, t);
          break;
        }
        Job* j = ready.front();
        ready.pop_front();
        limiter.take(now, j->req->tokens);
        start(j);
      }
      int running = 0;
      api().multi_perform(multi, &running);
      int left = 0;
      bool finished = false;
      while (CURLMsg* m = api().multi_info_read(multi, &left)) {
        if (m->msg != CURLMSG_DONE) continue;
        Job* j = nullptr;
        api().easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &j);
        CURLcode rc = m->data.result;
        finish(j, rc);
        finished = true;
      }
      if (finished) continue;  // a slot came free: start the next at once
      int ms = static_cast<int>(std::clamp((wake - now_s()) * 1000, 0.0, 1000.0));
      api().multi_poll(multi, nullptr, 0, ms, nullptr);
    }
    // Stopping: nothing is left (callers wait for their jobs before the
    // transport is destroyed), but release any handle still in the multi.
    for (Job* j : std::vector<Job*>(active)) release(j);
  }
};

Transport::Transport(const TransportOptions& options, std::string key)
    : impl_(std::make_unique<Impl>(options, std::move(key))) {}

Transport::~Transport() = default;

Stats& Transport::stats() { return impl_->stats; }
const TransportOptions& Transport::options() const { return impl_->opt; }

void Transport::send(std::span<const Request> requests, std::span<Outcome> outcomes) {
  if (requests.empty()) return;
  Impl& m = *impl_;
  Impl::Group group;
  group.remaining = requests.size();
  std::vector<Impl::Job> jobs(requests.size());
  {
    std::lock_guard lk(m.mu);
    if (!m.fatal.empty()) throw UsageError(m.fatal);
    for (std::size_t i = 0; i < requests.size(); ++i) {
      jobs[i].req = &requests[i];
      jobs[i].out = &outcomes[i];
      jobs[i].group = &group;
      outcomes[i] = Outcome();
      m.incoming.push_back(&jobs[i]);
    }
  }
  api().multi_wakeup(m.multi);
  std::unique_lock lk(m.mu);
  m.done.wait(lk, [&] { return group.remaining == 0; });
  if (group.stopped) throw UsageError(m.fatal);
}

}  // namespace hewn::remote
