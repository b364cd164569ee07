// embed: add embedding vectors to records. See embed(1).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>

#include "common/model.hpp"
#include "common/remote.hpp"
#include "tokenize/tokenizer.hpp"
#include "common/tool.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "embed/embedder.hpp"
#include "embed/handler.hpp"
#include "embed/hf_cache.hpp"
#include "embed/openai.hpp"
#include "remote/embeddings.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Add embedding vectors to JSON Lines records (chunks, queries).", "embed"};
  hewn::cli::StreamOptions io;
  hewn::cli::RunOptions run;
  hewn::embed::Options opt;
  hewn::embed::RecordOptions ro;
  std::string text_from, format = "json", dtype = "f32", on_long = "truncate";
  bool normalize = false, no_normalize = false;

  io.add(app, "JSON Lines files (.zst ok) or raw files, each one text; - or none: stdin");
  app.add_option("-m,--model", opt.model,
                 "Model directory (model2vec or Hugging Face BERT layout), or ORG/NAME[@REV] in the local Hugging Face "
                 "cache (nothing is downloaded); openai: the model's name, or BASE#model=NAME")
      ->type_name("DIR|ORG/NAME");
  app.add_option("-b,--backend", opt.backend, hewn::embed::backend_help());
  app.add_option("--dim", opt.dim, "hash: vector size")->check(hewn::cli::whole())->capture_default_str();
  app.add_flag("--normalize", normalize, "L2-normalize vectors (default: the model's own setting; hash: on)");
  app.add_flag("--no-normalize", no_normalize, "Do not L2-normalize vectors");
  app.add_option("--prefix", ro.prefix, "Text put before every text (\"query: \", \"passage: \")")->type_name("TEXT");
  app.add_option("--text-from", text_from,
                 "Fields to embed, joined by \"+\" (e.g. context+text); absent ones are skipped, values joined by a newline")
      ->type_name("A+B");
  app.add_option("--format", format, "json (\"embedding\": [floats]) or b64 (\"embedding_b64\": little-endian base64)")
      ->check(CLI::IsMember({"json", "b64"}))
      ->capture_default_str();
  app.add_option("--dtype", dtype, "f32 or f16 (values rounded to half precision)")
      ->check(CLI::IsMember({"f32", "f16"}))
      ->capture_default_str();
  app.add_option("--on-long", on_long, "Text longer than the model allows: truncate (counted at the end) or error")
      ->check(CLI::IsMember({"truncate", "error"}))
      ->capture_default_str();
  app.add_option("--pooling", opt.pooling, "bert: mean, cls or last (default: 1_Pooling/config.json, else mean)")
      ->check(CLI::IsMember({"mean", "cls", "last"}));
  std::string prompt;
  app.add_option("--prompt", prompt,
                 "bert: put the model's prompt NAME (query, document, ...) from config_sentence_transformers.json "
                 "before every text (default: its default_prompt_name, if any)")
      ->type_name("NAME");
  app.add_flag("--int8", opt.int8, "bert: int8 weight-only quantized projections (a quarter of the memory)");
  app.add_option("--max-tokens", opt.max_tokens,
                 "bert: tokens per sequence incl. [CLS]/[SEP] (default: the model's max_seq_length)")
      ->check(hewn::cli::whole(1));
  app.add_option("--batch", opt.batch,
                 "bert: texts per forward pass, packed back to back without padding (default 32; 1: one at a time); "
                 "openai: texts per request (default 128, at most 2048)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  app.add_flag("--tokens", ro.tokens, "bert: one vector per token (token_embeddings, token_spans) instead of one per record");
  bool late = false;
  std::string docs_path;
  std::size_t late_overlap = 0;
  app.add_flag("--late", late, "bert: late chunking; chunk records get the mean of their document's token vectors");
  app.add_option("--docs", docs_path,
                 "--late: the documents (JSON Lines with --id-field and --text-field); without it, from the input's "
                 "\"doc_text\" fields (chunk --keep-doc)")
      ->type_name("FILE");
  app.add_option("--late-overlap", late_overlap,
                 "--late: tokens shared by consecutive windows over a long document")
      ->check(hewn::cli::whole())
      ->capture_default_str();
  hewn::cli::RemoteOptions remote;
  std::string encoding = "base64";
  bool verbose = false;
  app.add_option("--dimensions", opt.dimensions,
                 "openai: vector size to ask the model for (text-embedding-3-*, other Matryoshka models); bert: keep "
                 "the first N values of each vector (Matryoshka), normalized after the cut if normalized")
      ->check(hewn::cli::whole(1, 65536))
      ->type_name("N");
  app.add_option("--encoding-format", encoding, "openai: how the server sends vectors: base64 (exact, smaller) or float")
      ->check(CLI::IsMember({"base64", "float"}))
      ->capture_default_str();
  app.add_option("--batch-tokens", opt.batch_tokens,
                 "openai: at most N estimated tokens (UTF-8 bytes / 4) a request (default 100000)")
      ->check(hewn::cli::whole(1))
      ->type_name("N");
  std::string batch_tokenizer;
  app.add_option("--tokenizer", batch_tokenizer,
                 "openai: count tokens for --batch-tokens and --tpm with the model's tokenizer (cl100k_base, "
                 "o200k_base, a .tiktoken file or a tokenizer.json) instead of estimating them")
      ->type_name("NAME");
  remote.add(app);
  app.add_flag("-v,--verbose", verbose, "openai: at the end, a line of requests, retries, cache hits and tokens");
  run.add(app);

  return hewn::cli::run("embed", app, argc, argv, [&] {
    const bool openai = hewn::cli::remote_model(opt);
    if (!openai) {
      for (const char* name : hewn::cli::RemoteOptions::names)
        if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for the openai backend");
      for (const char* name : {"--encoding-format", "--batch-tokens", "--tokenizer", "--verbose"})
        if (app.count(name)) throw hewn::UsageError(std::string(name) + " is for the openai backend");
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
    if (app.count("--dim") && !opt.model.empty()) throw hewn::UsageError("--dim is for the hash backend");
    if (app.count("--late-overlap") && !late) throw hewn::UsageError("--late-overlap is for --late");
    if (!prompt.empty() && !ro.prefix.empty()) throw hewn::UsageError("--prompt and --prefix exclude each other");
    if (!prompt.empty() && late) throw hewn::UsageError("--prompt does not apply to --late");
    if (!prompt.empty() && opt.model.empty()) throw hewn::UsageError("--prompt needs a --model");
    auto embedder = hewn::cli::open_model(opt, true);  // ORG/NAME in the Hugging Face cache too
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
      return hewn::cli::run_stream("embed", io, run, [&] {
        return hewn::embed::make_late_handler(*embedder, docs.get(), late_overlap, ro);
      });
    }
    hewn::embed::RunCounters counters;
    hewn::remote::Stats* stats = hewn::embed::remote_stats(*embedder);
    if (!stats) {  // local models: the time left
      auto start = std::chrono::steady_clock::now();
      io.progress_note = [start, &io](const hewn::io::StreamStats& s) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return hewn::cli::eta_note(io.inputs, s.bytes_in, secs);
      };
    } else {
      // A remote model keeps its threads waiting, not working: parts of
      // 256 KB (several requests each, even of long chunks) over at least
      // --concurrency threads keep every request slot filled up to the end
      // of the input, whatever -j.
      io.batch_bytes = 256 << 10;
      run.jobs = std::max(run.threads(), opt.remote.transport.concurrency);
      auto start = std::chrono::steady_clock::now();
      io.progress_note = [stats, start, &io](const hewn::io::StreamStats& s) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        char buf[96];
        std::snprintf(buf, sizeof buf, "; %llu requests, %.1f/s, %llu retries, %llu cached",
                      static_cast<unsigned long long>(stats->requests.load()), stats->requests.load() / secs,
                      static_cast<unsigned long long>(stats->retries.load()),
                      static_cast<unsigned long long>(stats->cache_hits.load()));
        return buf + hewn::cli::eta_note(io.inputs, s.bytes_in, secs);
      };
    }
    // A transformer spends milliseconds on a record: parts of about 4 KB
    // (several texts, one packed batch or two) keep every thread busy up to
    // the end of the input.
    if (embedder->transformer()) io.batch_bytes = 4 << 10;
    hewn::cli::Diag diag("embed");
    int status;
    try {
      status =
          hewn::cli::run_stream("embed", io, run, [&] { return hewn::embed::make_handler(*embedder, ro, counters); });
    } catch (...) {
      if (stats && verbose) diag.error(hewn::cli::remote_summary(*stats));
      throw;
    }
    if (stats && verbose) diag.error(hewn::cli::remote_summary(*stats));
    if (auto n = counters.truncated.load())
      diag.error(std::to_string(n) + (n == 1 ? " text" : " texts") + " truncated to the model's length");
    return status;
  });
}
