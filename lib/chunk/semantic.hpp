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

// The strategies' own checks (their rows' StrategySpec::check, after the
// table's; chunk/registry.hpp): the semantic options among themselves, with
// their defaults filled in (breakpoints, threshold, buffer, target, piece
// size, layout's spatial weight).
// Errors: UsageError for an unknown --breakpoints method, a method that
// needs an encoder without one (or cohesion with one), a threshold out of
// range, --segments with chonkie or target, --chunk-vectors without an
// encoder, an option of the semantic strategy given to cluster or layout,
// --piece-size to semantic, --batch 0.
void check_semantic_options(Options& options);
void check_cluster_options(Options& options);
void check_layout_options(Options& options);

std::unique_ptr<Chunker> make_semantic_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_cluster_chunker(const Options& options, const Unit& unit);

}  // namespace hewn::chunk
