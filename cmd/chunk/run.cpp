// chunk's run (see command.hpp).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>

#include "chunk/handler.hpp"
#include "chunk/llm.hpp"
#include "command.hpp"
#include "common/model.hpp"
#include "core/error.hpp"
#include "extract/encoding.hpp"
#include "extract/inputs.hpp"

namespace hewn::cli {

int ChunkCommand::execute(const Given& given) {
  if (given.count("--split-threshold")) opt.llm.threshold = split_threshold;
  if (given.count("--margin-context") && opt.strategy != "margin")
    throw hewn::UsageError("--margin-context is for -s margin");
  opt.llm.margin_chunk = margin_context == "chunk";
  for (const std::string& pf : prompt_files) {
    std::size_t eq = pf.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pf.size())
      throw hewn::UsageError("--prompt: " + hewn::quoted(pf) + " is not NAME=FILE");
    std::string name = pf.substr(0, eq), path = pf.substr(eq + 1);
    auto names = hewn::chunk::prompt_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) hewn::chunk::check_prompt(name, "", "");
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) throw hewn::UsageError("--prompt " + name + ": cannot read " + path);
    hewn::chunk::check_prompt(name, text, path);
    opt.llm.prompts[name] = std::move(text);
  }
  if (!intents_file.empty()) {
    std::ifstream in(intents_file);
    if (!in.is_open()) throw hewn::UsageError("--intents: cannot read " + intents_file);
    for (std::string line; std::getline(in, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
      if (!line.empty()) opt.llm.intents.push_back(line);
    }
    if (opt.llm.intents.empty()) throw hewn::UsageError("--intents: " + intents_file + " holds no intent");
  }
  if (given.count("--lang") && opt.lang.empty()) throw hewn::UsageError("--lang: empty (leave it out for the default)");
  if (given.count("--separators")) opt.separators = hewn::chunk::parse_separators(separators);
  opt.trim = !no_trim;
  std::shared_ptr<const hewn::tokenize::Tokenizer> tokenizer;
  if (!tok.name.empty()) {
    tokenizer = hewn::tokenize::make_tokenizer(tok);
    opt.unit.loaded = tokenizer;
  } else if (tok.allow_special || tok.count_special) {
    throw hewn::UsageError("--allow-special and --count-special need --tokenizer");
  }
  std::vector<std::uint64_t> level_sizes;
  if (given.count("--levels")) {
    if (given.count("--size")) throw hewn::UsageError("--levels gives the sizes: leave out --size");
    if (given.count("--overlap") || given.count("--overlap-sentences"))
      throw hewn::UsageError("--levels: children tile their parent, so chunks cannot overlap (leave out --overlap)");
    level_sizes = hewn::chunk::parse_levels(levels);
    opt.size = level_sizes[0];
  }
  if (opt.unit.name == "tokens" && tokenizer && tok.count_special) {
    // The model adds its special tokens to every chunk: keep room for them.
    std::uint64_t extra = tokenizer->prefix().size() + tokenizer->suffix().size();
    if (opt.size <= extra || (!level_sizes.empty() && level_sizes.back() <= extra))
      throw hewn::UsageError("--size must exceed the " + std::to_string(extra) +
                             " special tokens --count-special adds");
    opt.size -= extra;
    for (auto& s : level_sizes) s -= extra;
  }
  opt.unit_given = given.count("--unit") > 0;
  if (!remote_model(enc)) {
    if (!llm.wanted())
      for (const char* name : RemoteOptions::names)
        if (given.count(name))
          throw hewn::UsageError(std::string(name) + " is for --backend openai or an LLM (--llm-model)");
    if (given.count("--dimensions")) throw hewn::UsageError("--dimensions is for --backend openai");
  }
  enc.remote = llm.remote.connection();
  opt.llm.model = llm.open(given);
  if (opt.llm.model) {
    auto start = std::chrono::steady_clock::now();
    io.progress_note = [&llm = llm, start](const hewn::io::StreamStats&) {
      return llm.progress(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    io.batch_bytes = 4 << 10;  // seconds a document: spread documents over the threads
    if (llm.dry_run) io.output = "/dev/null";
  }
  std::unique_ptr<const hewn::embed::Embedder> encoder;
  if (given.count("--dim") && !enc.model.empty()) throw hewn::UsageError("--dim is for the hash backend");
  if (!enc.model.empty() || !enc.backend.empty()) {
    encoder = open_model(enc, false);
    opt.semantic.encoder = encoder.get();
    opt.semantic.across = encoder->batches();
  } else if (given.count("--dim")) {
    throw hewn::UsageError("--dim needs --backend hash");
  }
  hewn::chunk::ChunkerFactory factory(opt);
  hewn::chunk::RecordOptions ro{io.id_field, io.text_field, tokenizer, keep_doc, {io.input_format, encoding}, {}};
  std::vector<std::unique_ptr<hewn::chunk::ChunkerFactory>> level_factories;
  for (std::size_t l = 1; l < level_sizes.size(); ++l) {
    hewn::chunk::Options lo = opt;
    lo.size = level_sizes[l];
    level_factories.push_back(std::make_unique<hewn::chunk::ChunkerFactory>(lo));
    ro.levels.push_back(level_factories.back().get());
  }
  if (!encoding.empty()) hewn::extract::check_encoding(encoding);
  auto listed = hewn::extract::list_inputs(io.inputs, recursive, walk);
  Diag diag("chunk");
  if (listed.binary > 0)
    diag.error("skipped " + std::to_string(listed.binary) + (listed.binary == 1 ? " binary file" : " binary files"));
  if (listed.loops > 0)
    diag.error("skipped " + std::to_string(listed.loops) +
               (listed.loops == 1 ? " symbolic link loop" : " symbolic link loops"));
  if ((recursive || !io.inputs.empty()) && listed.paths.empty()) {
    diag.error("no files to read");
    return 0;
  }
  io.inputs = std::move(listed.paths);
  auto start = std::chrono::steady_clock::now();
  io.progress_note = [start, &io = io](const hewn::io::StreamStats& s) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return eta_note(io.inputs, s.bytes_in, secs);
  };
  auto counters = opt.llm.counters;
  auto report = [&] {
    auto n = [](std::uint64_t v, const char* one, const char* many) {
      return std::to_string(v) + " " + (v == 1 ? one : many);
    };
    llm.finish("chunk", "; " + n(counters->asked_again.load(), "answer", "answers") + " asked again, " +
                            n(counters->fallbacks.load(), "fallback", "fallbacks"));
  };
  int status;
  try {
    status = run_stream("chunk", io, run, [&] { return hewn::chunk::make_handler(factory, ro); });
  } catch (...) {
    if (!llm.dry_run) report();
    throw;
  }
  report();
  return status;
}

}  // namespace hewn::cli
