// Intrinsic quality of a chunking, from the chunk records alone (plus the
// documents for boundary and block measures): size distribution and
// compliance, boundary quality, block integrity, and intrachunk cohesion and
// document contextual coherence from chunk embeddings. Formulas in score(1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/encoder.hpp"
#include "score/chunks.hpp"

namespace hewn::score {

struct IntrinsicOptions {
  long min_size = 0;        // size compliance bounds, in code points
  long max_size = -1;       // -1: no upper bound
  std::string lang = "en";  // ICU locale for sentence boundaries
  long window = 1;          // DCC: neighbours on each side
  // ICC: the model that embedded the chunks, which embeds their sentences
  // one by one (TextEncoder::encode_one()); null: no ICC.
  const TextEncoder* encoder = nullptr;
};

struct IntrinsicResult {
  std::vector<std::string> names;
  std::vector<double> values;  // NaN when not computable (written as null)
  std::vector<long> sizes;     // chunk sizes, for histograms
};

// docs may be null (boundary and block measures are then absent).
// Errors: DataError "chunks:line: chunk end E is beyond the end of document
// "d" (N code points)" or "... document "d" is unknown" when docs is given;
// UsageError for an unknown locale; DataError "chunks:line: embedding sizes
// differ", "chunks:line: the sentence embedder gives D dimensions, the chunk
// embedding has E" (ICC); those of the encoder's encode_one().
IntrinsicResult intrinsic(const Chunks& chunks, const Documents* docs, const IntrinsicOptions& options);

}  // namespace hewn::score
