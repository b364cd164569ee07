// The layout strategy: a PDF's text blocks (extract::Extracted::blocks)
// grouped as in S2 Chunking (Verma, 2025): a graph of the page's blocks whose
// edges weigh a spatial affinity (the distance between the blocks' boxes) and
// a semantic one (the cosine of the blocks' vectors: term counts without an
// encoder, the encoder's with one), clustered into runs of blocks in reading
// order that fit --size; each chunk with the boxes of its blocks. See
// chunk(1), -s layout.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// Documents without blocks (not PDFs) are chunked by the recursive strategy.
std::unique_ptr<Chunker> make_layout_chunker(const Options& options, const Unit& unit);

// The clustering, apart from boxes and texts. n blocks; weight(i, j) for
// i < j, j - i <= span: the edge between blocks i and j (the edges of blocks
// further apart are not read). The cut before block k (0 < k < n) costs the
// heaviest edge it crosses (i < k <= j). Cuts that cost less than threshold
// are always made (the groups are then the contiguous closures of the
// connected components of the graph of edges >= threshold); a group that
// does not fit (fits(s, e): blocks s..e inclusive may form one chunk; a
// single block always may) is cut further where the sum of the costs of its
// cuts is least, fewer cuts first among equal sums.
// Returns the first block of each group, ascending (0 first when n > 0).
// Errors: none.
std::vector<std::size_t> layout_groups(std::size_t n, std::size_t span,
                                       const std::function<double(std::size_t, std::size_t)>& weight,
                                       double threshold,
                                       const std::function<bool(std::size_t, std::size_t)>& fits);

}  // namespace hewn::chunk
