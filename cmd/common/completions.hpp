// Shell completions generated from a tool's CLI11 definitions, so that they
// list exactly the options --help does: `TOOL --completions bash|zsh`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace hewn::cli {

// The completion script for shell ("bash" or "zsh") of app, named tool:
// its options (long and short, with their help text for zsh; those that take
// a value complete files after them), its subcommands and theirs, and files
// for positional arguments.
// Errors: UsageError for another shell.
std::string completions(const std::string& tool, const CLI::App& app, const std::string& shell);

}  // namespace hewn::cli
