#include "tokenize/pretokenize.hpp"

namespace hewn::tokenize::pretokenize {
#include "char_classes.inc"
}  // namespace hewn::tokenize::pretokenize
