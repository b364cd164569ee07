// embed's options (see command.hpp).
#include "command.hpp"

namespace hewn::cli {

void EmbedCommand::declare(CLI::App& app) {
  io.add(app, "JSON Lines files (.zst ok) or raw files, each one text; - or none: stdin");
  app.add_option("-m,--model", opt.model,
                 "Model directory (model2vec or Hugging Face BERT layout), or ORG/NAME[@REV] in the local Hugging Face "
                 "cache (nothing is downloaded); openai: the model's name, or BASE#model=NAME")
      ->type_name("DIR|ORG/NAME");
  app.add_option("-b,--backend", opt.backend, hewn::embed::backend_help());
  app.add_option("--dim", opt.dim, "hash: vector size")->check(whole())->capture_default_str();
  app.add_flag("--normalize", normalize, "L2-normalize vectors (default: the model's own setting; hash: on)");
  app.add_flag("--no-normalize", no_normalize, "Do not L2-normalize vectors");
  app.add_option("--prefix", ro.prefix, "Text put before every text (\"query: \", \"passage: \")")->type_name("TEXT");
  app.add_option(
         "--text-from", text_from,
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
  app.add_option("--prompt", prompt,
                 "bert: put the model's prompt NAME (query, document, ...) from config_sentence_transformers.json "
                 "before every text (default: its default_prompt_name, if any)")
      ->type_name("NAME");
  app.add_flag("--int8", opt.int8, "bert: int8 weight-only quantized projections (a quarter of the memory)");
  app.add_option("--max-tokens", opt.max_tokens,
                 "bert: tokens per sequence incl. [CLS]/[SEP] (default: the model's max_seq_length)")
      ->check(whole(1));
  app.add_option("--batch", opt.batch,
                 "bert: texts per forward pass, packed back to back without padding (default 32; 1: one at a time); "
                 "openai: texts per request (default 128, at most 2048)")
      ->check(whole(1))
      ->type_name("N");
  app.add_flag("--tokens", ro.tokens,
               "bert: one vector per token (token_embeddings, token_spans) instead of one per record");
  app.add_flag("--late", late, "bert: late chunking; chunk records get the mean of their document's token vectors");
  app.add_option("--docs", docs_path,
                 "--late: the documents (JSON Lines with --id-field and --text-field); without it, from the input's "
                 "\"doc_text\" fields (chunk --keep-doc)")
      ->type_name("FILE");
  app.add_option("--late-overlap", late_overlap, "--late: tokens shared by consecutive windows over a long document")
      ->check(whole())
      ->capture_default_str();
  app.add_option("--dimensions", opt.dimensions,
                 "openai: vector size to ask the model for (text-embedding-3-*, other Matryoshka models); bert: keep "
                 "the first N values of each vector (Matryoshka), normalized after the cut if normalized")
      ->check(whole(1, 65536))
      ->type_name("N");
  app.add_option("--encoding-format", encoding,
                 "openai: how the server sends vectors: base64 (exact, smaller) or float")
      ->check(CLI::IsMember({"base64", "float"}))
      ->capture_default_str();
  app.add_option("--batch-tokens", opt.batch_tokens,
                 "openai: at most N estimated tokens (UTF-8 bytes / 4) a request (default 100000)")
      ->check(whole(1))
      ->type_name("N");
  app.add_option("--tokenizer", batch_tokenizer,
                 "openai: count tokens for --batch-tokens and --tpm with the model's tokenizer (cl100k_base, "
                 "o200k_base, a .tiktoken file or a tokenizer.json) instead of estimating them")
      ->type_name("NAME");
  remote.add(app);
  app.add_flag("-v,--verbose", verbose, "openai: at the end, a line of requests, retries, cache hits and tokens");
  run.add(app);
}

}  // namespace hewn::cli
