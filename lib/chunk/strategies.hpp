// The baseline strategies (their rows in chunk/registry.cpp): fixed windows,
// the recursive splitter, ICU sentences, and auto (code, markdown or
// recursive per document).
#pragma once

#include <memory>

#include "chunk/chunker.hpp"

namespace hewn::chunk {

// Errors: none (DataError from split only where the unit raises one).
std::unique_ptr<Chunker> make_fixed_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_recursive_chunker(const Options& options, const Unit& unit);
std::unique_ptr<Chunker> make_sentence_chunker(const Options& options, const Unit& unit);
// Code in code_unit, the rest in unit. Errors: those of the code and
// markdown chunkers.
std::unique_ptr<Chunker> make_auto_chunker(const Options& options, const Unit& unit, const Unit& code_unit);

}  // namespace hewn::chunk
