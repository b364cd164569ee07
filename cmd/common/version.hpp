// --version, the same in every tool: hewn's version, `git describe` of the
// tree it was built from (taken at build time; "unknown" outside git), the
// build type, and the versions of the third-party libraries the tool links.
#pragma once

#include <string>

namespace hewn::cli {

// The text --version prints, four lines without the final newline:
//   TOOL (hewn) 0.1.0
//   git: v0.1.0-12-gabcdef0-dirty
//   build: Release
//   libraries: simdjson 3.0.1, ICU 72.1, zstd 1.5.4, ...
std::string version_text(const std::string& tool);

}  // namespace hewn::cli
