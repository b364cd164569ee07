// MoC's chunking measures (Zhao et al., 2025, "MoC: Mixtures of Text
// Chunking Learners"), as their released code (MoC/our _metrics:
// chunk_eval.py, relation_eval.py) computes them, from a language model's
// token log-probabilities (the port of core/llm.hpp): boundary clarity and
// chunk stickiness over the complete and the incomplete graph. Formulas in
// score(1) MOC MEASURES.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/llm.hpp"
#include "score/chunks.hpp"

namespace hewn::score {

enum class MocEdge {
  ratio,      // the released code: ppl(q|d) / ppl(q) > K
  reduction,  // the paper's formula: (ppl(q) - ppl(q|d)) / ppl(q) > K
};

struct MocOptions {
  std::shared_ptr<const Completer> model;
  double k = 0.8;                 // the edge threshold K
  MocEdge edge = MocEdge::ratio;  // which quantity K bounds
  long distance = 0;              // stickiness: only pairs at most this many chunks apart (0: every pair)
};

// The loss of text q: the mean negative log-probability of q's tokens after
// its first, the text sent being context + "\n\n" + q (q alone without
// context); none when q has no scored token after its first.
// tokens: the model's tokens of that text; q_offset: q's first code point in it.
// Errors: none.
std::optional<double> moc_loss(const std::vector<TokenScore>& tokens, std::uint64_t q_offset);

// Degree-distribution entropy (bits) of the graph of edges (a, b), each
// edge adding one to the degree of a and of b: -sum p log2 p, p = degree /
// total degree, over nodes of non-zero degree; 0 without edges. Errors: none.
double structural_entropy(std::size_t nodes, const std::vector<std::pair<std::size_t, std::size_t>>& edges);

struct MocResult {
  std::vector<std::string> names;  // boundary_clarity, chunk_stickiness_complete, chunk_stickiness_incomplete,
                                   // moc_pairs, moc_documents
  std::vector<double> values;      // NaN when not computable
};

// The measures of a chunking: chunks ordered by start within each document,
// documents in the order they first appear. Every chunk needs its "text".
// Errors: DataError "chunks:line: chunk "c" has no "text" (MoC measures read
// it)", "chunks:line: the model gave no log-probabilities for chunk "c": why"
// (a request that failed after its retries); those of Completer::logprobs.
MocResult moc_measures(const Chunks& chunks, const MocOptions& options);

}  // namespace hewn::score
