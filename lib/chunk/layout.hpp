// The layout strategy: a PDF's text blocks (extract::Extracted::blocks),
// merged in reading order while they fit and lie next to each other on the
// page (S2 Chunking's spatial idea, without its embedding half), each chunk
// with the boxes of its blocks.
#pragma once

#include <memory>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// Documents without blocks (not PDFs) are chunked by the recursive strategy.
std::unique_ptr<Chunker> make_layout_chunker(const Options& options, const Unit& unit);

}  // namespace hewn::chunk
