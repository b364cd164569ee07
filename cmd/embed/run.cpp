// embed's run (see command.hpp).
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "common/model.hpp"
#include "core/error.hpp"
#include "embed/openai.hpp"
#include "remote/embeddings.hpp"
#include "tokenize/tokenizer.hpp"

namespace hewn::cli {

int EmbedCommand::execute(const Given& given) {
  const bool openai = remote_model(opt);
  if (!openai) {
    for (const char* name : RemoteOptions::names)
      if (given.count(name)) throw hewn::UsageError(std::string(name) + " is for the openai backend");
    for (const char* name : {"--encoding-format", "--batch-tokens", "--tokenizer", "--verbose"})
      if (given.count(name)) throw hewn::UsageError(std::string(name) + " is for the openai backend");
  }
  opt.remote = remote.connection();
  if (!batch_tokenizer.empty()) {
    hewn::tokenize::TokenizerOptions to;
    to.name = batch_tokenizer;
    std::shared_ptr<const hewn::tokenize::Tokenizer> t = hewn::tokenize::make_tokenizer(to);
    opt.count_tokens = [t](std::string_view text) -> std::uint64_t { return t->count(text); };
  }
  opt.float_encoding = encoding == "float";
  if (normalize && no_normalize) throw hewn::UsageError("--normalize and --no-normalize exclude each other");
  if (normalize) opt.normalize = true;
  if (no_normalize) opt.normalize = false;
  ro.id_field = io.id_field;
  if (text_from.empty()) {
    // --late: chunk records carry their text in "text" (as chunk writes
    // it); --text-field names the text field of the --docs documents.
    ro.text_from = {late ? std::string("text") : io.text_field};
  } else {
    ro.text_from.clear();
    std::size_t b = 0;
    while (true) {
      std::size_t e = text_from.find('+', b);
      std::string f = text_from.substr(b, e == std::string::npos ? std::string::npos : e - b);
      if (f.empty()) throw hewn::UsageError("--text-from: empty field name in " + hewn::quoted(text_from));
      ro.text_from.push_back(f);
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  ro.format = format == "b64" ? hewn::embed::Format::b64 : hewn::embed::Format::json;
  ro.dtype = dtype == "f16" ? hewn::embed::Dtype::f16 : hewn::embed::Dtype::f32;
  ro.on_long = on_long == "error" ? hewn::embed::OnLong::error : hewn::embed::OnLong::truncate;
  if (!late && !docs_path.empty()) throw hewn::UsageError("--docs is for --late");
  if (late && ro.tokens) throw hewn::UsageError("--late and --tokens exclude each other");
  if (opt.batch && (late || ro.tokens))
    throw hewn::UsageError(std::string("--batch does not apply to ") + (late ? "--late" : "--tokens"));
  if (late && !ro.prefix.empty()) throw hewn::UsageError("--prefix does not apply to --late");
  if (late && text_from.find('+') != std::string::npos)
    throw hewn::UsageError("--text-from with several fields does not apply to --late");
  if (given.count("--dim") && !opt.model.empty()) throw hewn::UsageError("--dim is for the hash backend");
  if (given.count("--late-overlap") && !late) throw hewn::UsageError("--late-overlap is for --late");
  if (!prompt.empty() && !ro.prefix.empty()) throw hewn::UsageError("--prompt and --prefix exclude each other");
  if (!prompt.empty() && late) throw hewn::UsageError("--prompt does not apply to --late");
  if (!prompt.empty() && opt.model.empty()) throw hewn::UsageError("--prompt needs a --model");
  auto embedder = open_model(opt, true);  // ORG/NAME in the Hugging Face cache too
  // The model's prompt: --prompt's, else its default one (not under --late
  // or --prefix, whose texts are the user's own).
  if (embedder->transformer() && ro.prefix.empty() && !late) ro.prefix = hewn::embed::model_prompt(opt.model, prompt);
  if (ro.tokens) {  // before any input: "--tokens needs the bert backend"
    hewn::embed::TokenVectors probe;
    embedder->embed_tokens("", probe);
  }
  if (late) {
    // Before any input: the backend's and --late-overlap's usage errors.
    hewn::embed::TokenVectors probe;
    embedder->document_tokens("", late_overlap, probe);
    std::unique_ptr<hewn::embed::DocStore> docs;
    if (!docs_path.empty()) {
      docs = std::make_unique<hewn::embed::DocStore>(docs_path, io.id_field, io.text_field);
    } else {
      // A document and its chunks reach one thread together. Before the
      // first document, each line is a group of its own: a stream without
      // doc_text (chunk without --keep-doc) fails at its first line
      // instead of being held in memory whole.
      io.group_start = [started = false](std::string_view line) mutable {
        bool start = hewn::embed::starts_document(line);
        if (!started && !start) return true;
        started = started || start;
        return start;
      };
    }
    io.batch_bytes = 4 << 10;  // only a transformer does --late: milliseconds a record
    return run_stream("embed", io, run,
                      [&] { return hewn::embed::make_late_handler(*embedder, docs.get(), late_overlap, ro); });
  }
  hewn::embed::RunCounters counters;
  hewn::remote::Stats* stats = hewn::embed::remote_stats(*embedder);
  if (!stats) {  // local models: the time left
    auto start = std::chrono::steady_clock::now();
    io.progress_note = [start, &io = io](const hewn::io::StreamStats& s) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return eta_note(io.inputs, s.bytes_in, secs);
    };
  } else {
    // A remote model keeps its threads waiting, not working: parts of
    // 256 KB (several requests each, even of long chunks) over at least
    // --concurrency threads keep every request slot filled up to the end
    // of the input, whatever -j.
    io.batch_bytes = 256 << 10;
    run.jobs = std::max(run.threads(), opt.remote.transport.concurrency);
    auto start = std::chrono::steady_clock::now();
    io.progress_note = [stats, start, &io = io](const hewn::io::StreamStats& s) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      char buf[96];
      std::snprintf(buf, sizeof buf, "; %llu requests, %.1f/s, %llu retries, %llu cached",
                    static_cast<unsigned long long>(stats->requests.load()), stats->requests.load() / secs,
                    static_cast<unsigned long long>(stats->retries.load()),
                    static_cast<unsigned long long>(stats->cache_hits.load()));
      return buf + eta_note(io.inputs, s.bytes_in, secs);
    };
  }
  // A transformer spends milliseconds on a record: parts of about 4 KB
  // (several texts, one packed batch or two) keep every thread busy up to
  // the end of the input.
  if (embedder->transformer()) io.batch_bytes = 4 << 10;
  Diag diag("embed");
  int status;
  try {
    status = run_stream("embed", io, run, [&] { return hewn::embed::make_handler(*embedder, ro, counters); });
  } catch (...) {
    if (stats && verbose) diag.error(remote_summary(*stats));
    throw;
  }
  if (stats && verbose) diag.error(remote_summary(*stats));
  if (auto n = counters.truncated.load())
    diag.error(std::to_string(n) + (n == 1 ? " text" : " texts") + " truncated to the model's length");
  return status;
}

}  // namespace hewn::cli
