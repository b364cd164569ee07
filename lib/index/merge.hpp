// Merging indexes built separately (one per cluster task, say) into one
// whose files and query results equal those of a single build over the
// concatenated input, shards in the order given.
#pragma once

#include <string>
#include <vector>

#include "index/manifest.hpp"

namespace hewn::index {

// Errors: DataError "SHARD: analyzer differs from FIRST (cannot merge)",
// "SHARD: BM25 settings differ from FIRST (cannot merge)", "SHARD: dense
// settings differ from FIRST (cannot merge)", those of Index (missing or
// corrupt shards) and of Builder (duplicate ids across shards). On error
// OUT is left as it was.
Manifest merge(const std::string& out, const std::vector<std::string>& shards);

}  // namespace hewn::index
