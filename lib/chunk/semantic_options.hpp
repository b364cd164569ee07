// Options of the semantic strategies (chunk -s semantic, -s cluster, and the
// semantic half of -s layout): the
// encoder they embed with (a port, never a model library) and how they choose
// boundaries. See chunk(1), SEMANTIC STRATEGIES.
#pragma once

#include <cstdint>
#include <string>

#include "core/encoder.hpp"

namespace hewn::chunk {

struct SemanticOptions {
  // The encoder of sentences (semantic) or pieces (cluster); nullptr: none
  // (semantic then uses lexical cohesion). Owned by the caller, outlives
  // every chunker; encode() is called from several threads at once.
  const TextEncoder* encoder = nullptr;
  // semantic: cohesion (C99 over term vectors, model-free), percentile,
  // stdev, iqr, gradient (Kamradt/LangChain thresholds over the distances of
  // consecutive sentence windows), target (the threshold that makes the mean
  // group size hit `target`, Chroma's KamradtModifiedChunker), chonkie
  // (Savitzky-Golay smoothed window similarity, local minima). "" picks
  // cohesion without an encoder, percentile with one.
  std::string breakpoints;
  double threshold = -1;       // the method's amount (layout: the edge weight that joins blocks); < 0: its default
  double spatial_weight = -1;  // layout: the share of the spatial affinity in an edge's weight; < 0: 0.5
  std::int64_t buffer = -1;    // sentences of context (breakpoints: each side; chonkie: the window); < 0: default
  std::uint64_t skip_window = 0;  // chonkie: merge similar groups up to this many groups apart
  std::uint64_t segments = 0;  // > 0: exactly this many segments per document (cohesion, breakpoint methods)
  std::uint64_t target = 0;    // target: mean group size in the unit; 0: --size / 2
  std::uint64_t piece_size = 0;  // cluster: the size of its pieces; 0: 50 tokens, 40 words, else 200
  std::uint64_t batch = 256;   // texts per encode() call
  // Embed the texts of a batch of records together (Chunker::split_all):
  // for encoders faster with many texts at once (a transformer, an
  // endpoint); hash and model2vec embed text by text, and gain nothing.
  bool across = true;
  bool chunk_vectors = false;  // add each chunk's vector (the mean of its sentences' or pieces')
};

}  // namespace hewn::chunk
