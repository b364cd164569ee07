// The flags of tools that ask a language model (chunk's LLM strategies,
// --context llm and --questions; score --moc): the model, temperature and
// seed, the endpoint's flags (remote.hpp), --dry-run and -v; and the
// composition of the model (lib/remote's RemoteCompleter, or core's DryRun).
// Header-only, so that only the tools that use it link libcurl.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/diag.hpp"
#include "common/remote.hpp"
#include "core/llm.hpp"
#include "remote/embeddings.hpp"
#include "remote/llm.hpp"

namespace hewn::cli {

struct LlmFlags {
  RemoteOptions remote;
  remote::LlmOptions llm;
  std::int64_t seed = 0;
  bool dry_run = false, verbose = false;
  std::shared_ptr<DryRun> dry;
  std::shared_ptr<remote::RemoteCompleter> live;

  std::string seed_name = "--seed";

  // seed_name: the seed's flag (score's --seed is its randomization test's).
  void add(CLI::App& app, const std::string& users, const std::string& seed_flag = "--seed") {
    seed_name = seed_flag;
    app.add_option("--llm-model", llm.model, users + ": the LLM's name on the endpoint, or BASE#model=NAME")
        ->type_name("NAME");
    app.add_option("--temperature", llm.temperature, "LLM: sampling temperature")->capture_default_str();
    app.add_option(seed_name, seed, "LLM: the seed sent with each request (an answer asked again: seed + attempt)")
        ->capture_default_str();
    app.add_flag("--dry-run", dry_run,
                 "LLM: ask nothing; print the requests and estimated tokens the run would need");
    remote.add(app);
    app.add_flag("-v,--verbose", verbose, "At the end, a line of requests, retries, cache hits and tokens");
  }

  // True when --llm-model was given.
  bool wanted() const { return !llm.model.empty(); }

  // The model: a DryRun with --dry-run, else the endpoint's.
  // Errors: UsageError "--temperature is for the LLM (--llm-model)" (and
  // --seed, --dry-run; the endpoint flags are the caller's to check), those of open_session() and
  // RemoteCompleter's constructor.
  std::shared_ptr<const Completer> open(const Given& given) {
    if (!wanted()) {
      for (const std::string& name : {std::string("--temperature"), seed_name, std::string("--dry-run")})
        if (given.count(name)) throw UsageError(name + " is for the LLM (--llm-model)");
      return nullptr;
    }
    if (dry_run) return dry = std::make_shared<DryRun>();
    remote::Connection c = remote.connection();
    remote::LlmOptions o = llm;
    o.seed = seed;
    if (auto url = remote::parse_model_url(o.model)) {
      // The model URL names the LLM's endpoint (--base-url may be another
      // model's: chunk --backend openai's encoder).
      c.base_url = url->base_url;
      o.model = url->model;
    } else if (o.model.rfind("http://", 0) == 0 || o.model.rfind("https://", 0) == 0) {
      throw UsageError("--llm-model: a model URL is BASE#model=NAME (e.g. http://127.0.0.1:8000/v1#model=qwen), not " +
                       hewn::quoted(o.model));
    }
    return live = std::make_shared<remote::RemoteCompleter>(remote::open_session(c), o);
  }

  // The dry run's report (stdout), or -v's line (stderr); extra is appended.
  void finish(const std::string& tool, const std::string& extra) const {
    if (dry) {
      std::cout << tool << ": dry run: " << dry->chat_requests.load() << " chat requests, "
                << dry->logprob_requests.load() << " log-probability requests, about " << dry->prompt_tokens.load()
                << " prompt tokens (UTF-8 bytes / 4) and at most " << dry->answer_tokens.load()
                << " answer tokens\n";
      std::cout.flush();
    } else if (live && verbose) {
      Diag(tool).error(remote_summary(live->stats()) + extra);
    }
  }

  // The progress line's note: requests, their rate, retries, cache hits.
  std::string progress(double secs) const {
    if (!live) return "";
    const remote::Stats& st = live->stats();
    char buf[112];
    std::snprintf(buf, sizeof buf, "; %llu requests, %.1f/s, %llu retries, %llu cached",
                  static_cast<unsigned long long>(st.requests.load()), secs > 0 ? st.requests.load() / secs : 0.0,
                  static_cast<unsigned long long>(st.retries.load()),
                  static_cast<unsigned long long>(st.cache_hits.load()));
    return buf;
  }
};

}  // namespace hewn::cli
