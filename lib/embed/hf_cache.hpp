// Models by name: "org/name" (or "org/name@revision") found in the local
// Hugging Face cache, as huggingface_hub lays it out. Nothing is downloaded.
#pragma once

#include <string>

namespace hewn::embed {

// The hub cache directory: $HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
// Errors: none.
std::string hf_hub_dir();

// True for names of the form ORG/NAME or ORG/NAME@REV (one slash, no
// leading "/" or ".", no "..").
// Errors: none.
bool is_hub_name(const std::string& name);

// A model argument as a directory: an existing directory as given; else,
// for an ORG/NAME[@REV] name, the snapshot
// HUB/models--ORG--NAME/snapshots/<commit>, where <commit> is REV when a
// snapshot has that name, else what refs/REV holds (REV main by default);
// anything else is returned as given (for the caller to report).
// Errors: DataError "ORG/NAME: not in the Hugging Face cache (HUB has no
// models--ORG--NAME/snapshots/...; nothing is downloaded: ...)" for a hub
// name that is not cached, or whose ref names a missing snapshot.
std::string resolve_model(const std::string& given);

}  // namespace hewn::embed
