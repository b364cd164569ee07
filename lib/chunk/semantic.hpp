// The semantic strategies: "semantic" (cut where the topic shifts: lexical
// cohesion without a model, similarity breakpoints with one) and "cluster"
// (Chroma's cluster DP over small pieces). Both take their encoder through
// the TextEncoder port (Options::semantic.encoder), never a model library,
// and hand their groups to the shared Emitter, so the exact-offset and
// hard-size rules hold; a group larger than --size is split by the levels of
// the recursive strategy. See chunk(1), SEMANTIC STRATEGIES.
#pragma once

#include <memory>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// Checks the semantic options against options.strategy and fills in the
// defaults (breakpoints, threshold, buffer, target, piece size).
// Errors: UsageError for a semantic option given to another strategy, an
// unknown --breakpoints method, a method that needs an encoder without one
// (or cohesion with one), -s cluster without an encoder, --overlap, a
// threshold out of range, --segments with chonkie or target, --chunk-vectors
// without an encoder.
void check_semantic_options(Options& options);

std::unique_ptr<Chunker> make_semantic_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_cluster_chunker(const Options& options, const Unit& unit);

}  // namespace hewn::chunk
