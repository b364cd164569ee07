// Merging indexes built separately (one per cluster task, say) into one
// whose files and query results equal those of a single build over the
// concatenated input. Indexes built with --shard I/N are merged in shard
// order, whatever order they are given in, and must form a complete set;
// other indexes are merged in the order given.
#pragma once

#include <string>
#include <vector>

#include "index/manifest.hpp"

namespace hewn::index {

struct MergeOptions {
  // Merge an incomplete set of shards (or an earlier partial merge); the
  // output's manifest lists the missing shards.
  bool allow_partial = false;
  // Write OUT in place, unpublished (a level of a levelled index being
  // merged, levels.hpp; see BuildOptions::nested).
  bool nested = false;
};

// Errors: DataError "SHARD: analyzer differs from FIRST (cannot merge)",
// "SHARD: BM25 settings differ from FIRST (cannot merge)", "SHARD: dense
// settings differ from FIRST (cannot merge)";
// "SHARD: not a shard (built without --shard) but FIRST is shard I/N (cannot
// merge)" and the converse; "SHARD: shard I/N does not belong with FIRST's
// shard J/M (different sets)"; "SHARD: shard I/N given twice (also OTHER)";
// "incomplete set of N shards: I, J missing (--allow-partial merges the
// others)"; "SHARD: partial merge (shards I, J of N missing; --allow-partial
// merges it anyway)"; "SHARD: partial merges of different shard sets";
// those of Index (missing or corrupt shards) and of Builder (duplicate ids
// across shards). On error OUT is left as it was (nothing is written).
Manifest merge(const std::string& out, std::vector<std::string> shards, const MergeOptions& options = {});

class Builder;
class Index;
// Adds every chunk of ix to builder, in order (its terms, stored record and
// vector); name names ix in messages. Errors: those of Index::record() and
// Builder::add().
void add_index(Builder& builder, const Index& ix, const std::string& name);

}  // namespace hewn::index
