// An evaluation set generator after Chroma's (Smith and Troynikov, 2024,
// "Evaluating Chunking Strategies for Retrieval"): a language model (the
// port of core/llm.hpp) writes questions about each document with excerpts
// quoted from it; a question is kept only when every excerpt is found
// verbatim in the text it was shown (its code point offsets computed), and
// when no question kept before it reads the same. The result: query records,
// span references and qrels that score(1) --spans and --qrels read. See
// score(1) EVALUATION SETS.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/llm.hpp"

namespace hewn::score {

// The built-in template (data/prompts/evalset.txt).
std::string_view default_evalset_prompt();

struct EvalSetOptions {
  std::shared_ptr<const Completer> model;
  unsigned questions = 5;       // per document
  unsigned reask = 2;           // attempts after an unusable answer
  std::uint64_t window = 1024;  // estimated tokens (UTF-8 bytes / 4) of a document shown at once
  std::string prompt;           // the template: {document} (required), {previous}
};

struct EvalQuestion {
  std::string qid;  // DOC-qN: N counts the document's questions asked, from 1
  std::string doc;
  std::string text;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;  // code points, sorted, distinct
  std::vector<std::string> excerpts;                            // the spans' texts
};

struct EvalSetCounts {
  std::uint64_t asked = 0;         // questions asked for (documents x questions)
  std::uint64_t kept = 0;
  std::uint64_t unparsable = 0;    // answers that were not the JSON object asked for
  std::uint64_t not_verbatim = 0;  // answers with an excerpt not found in the text
  std::uint64_t duplicates = 0;    // answers repeating a question kept before
  std::uint64_t asked_again = 0;   // unusable answers asked again
  std::uint64_t dropped = 0;       // questions unusable after every attempt
};

struct EvalDocument {
  std::string id, text;
};

// The text of the window shown for question r (0-based) of n of a document:
// the whole text when it fits in window_bytes, else window_bytes (cut back to
// a code point boundary) starting at floor(r * (size - window_bytes) / (n -
// 1)) bytes, moved forward to a code point boundary. Returns the window's
// first byte and its length. Errors: none.
std::pair<std::size_t, std::size_t> evalset_window(std::string_view text, unsigned r, unsigned n,
                                                   std::uint64_t window_bytes);

// The question and excerpts of an answer: the first "{" to the last "}" as
// a JSON object with a string "question" and an array of strings
// "excerpts", each trimmed of white space; none when the answer is not that,
// or a question or excerpt is empty, or there is no excerpt. Errors: none.
std::optional<std::pair<std::string, std::vector<std::string>>> parse_evalset_answer(std::string_view answer);

// A question's key for de-duplication: its ASCII letters lower-cased and its
// words (runs of letters, digits and non-ASCII bytes) joined by one space.
std::string question_key(std::string_view question);

// Questions for docs, in document order, then question order. Requests for
// question r of every document go out together; a document's question r
// shows the questions already kept for it ({previous}). Bounded: at most
// docs x questions x (reask + 1) requests.
// Errors: UsageError from the template; DataError "source: document "d":
// why" for a request that failed after its retries; those of
// Completer::complete.
std::vector<EvalQuestion> generate_evalset(const std::vector<EvalDocument>& docs, std::string_view source,
                                           const EvalSetOptions& options, EvalSetCounts& counts);

// The set as JSON Lines, appended: span references {qid, doc, start, end,
// text} (one per span), query records {id, text} and qrels {qid, doc, rel:
// 1}. Errors: none.
void write_evalset(const std::vector<EvalQuestion>& questions, std::string& spans, std::string& queries,
                   std::string& qrels);

}  // namespace hewn::score
