// The objective of Chroma's ClusterSemanticChunker, solved exactly by dynamic
// programming: split a sequence of pieces (unit vectors) into contiguous
// groups that maximise the sum, over groups, of the similarities of every
// ordered pair of distinct pieces in the group, each less the mean
// similarity of all pairs of the document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace hewn::chunk {

// vectors: n x dim, row-major (unit length for cosine similarity; Chroma
// takes dot products). fits(s, i): whether pieces s..i (inclusive) may form
// one group; a single piece always may. At most max_pieces pieces per group
// (bounds the work at n * max_pieces * dim). Among equal totals the group
// with fewer pieces ends each prefix (Chroma's order of trial).
// Returns the first piece of each group, ascending (0 first when n > 0).
// Errors: none.
std::vector<std::size_t> cluster_groups(const float* vectors, std::size_t n, std::size_t dim,
                                        const std::function<bool(std::size_t, std::size_t)>& fits,
                                        std::size_t max_pieces);

}  // namespace hewn::chunk
