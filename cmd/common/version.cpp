#include "common/version.hpp"

// Defined in generated files: the tree's `git describe` (build/cmd/
// git_describe.cpp) and the tool's libraries (build/cmd/TOOL_libraries.cpp).
const char* hewn_git_describe();
const char* hewn_tool_libraries();

namespace hewn::cli {

std::string version_text(const std::string& tool) {
  std::string build = HEWN_BUILD_TYPE;
  return tool + " (hewn) " HEWN_VERSION "\ngit: " + hewn_git_describe() + "\nbuild: " +
         (build.empty() ? "unspecified" : build) + "\nlibraries: " + hewn_tool_libraries();
}

}  // namespace hewn::cli
