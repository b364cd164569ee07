// Dense parse tables for the tree-sitter grammars (see syntax.cpp).
//
// A generated grammar stores its first large_state_count parse states as
// rows of a dense table and the rest as "small" rows of (value, symbols...)
// groups. The runtime looks a small state up by scanning its row on every
// lookahead and goto: 13% (cpp) to 23% (python) of chunk --strategy code's
// time went to that scan (perf, tree-sitter 0.20.7). A copy of the language
// whose every state is dense looks each up by index, and holds the same
// (state, symbol) -> action entries.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree_sitter/parser.h"

// Tables above this many bytes stay small (the largest grammar, cpp, needs
// 9.3 MB).
#define HEWN_DENSE_LIMIT (64u << 20)

const TSLanguage* hewn_dense_language(const TSLanguage* l) {
  // The struct layout is that of language version (ABI) 14, the one the
  // grammars are generated for and the runtime's newest.
  if (l->version != 14 || l->large_state_count >= l->state_count) return NULL;
  size_t width = l->symbol_count;
  size_t cells = (size_t)l->state_count * width;
  if (cells * sizeof(uint16_t) > HEWN_DENSE_LIMIT) return NULL;
  uint16_t* table = calloc(cells, sizeof(uint16_t));
  TSLanguage* dense = malloc(sizeof *dense);
  if (!table || !dense) {
    free(table);
    free(dense);
    return NULL;
  }
  memcpy(table, l->parse_table, (size_t)l->large_state_count * width * sizeof(uint16_t));
  for (uint32_t state = l->large_state_count; state < l->state_count; ++state) {
    const uint16_t* p = &l->small_parse_table[l->small_parse_table_map[state - l->large_state_count]];
    uint16_t* row = table + (size_t)state * width;
    for (uint16_t groups = *p++; groups > 0; --groups) {
      uint16_t value = *p++;
      for (uint16_t n = *p++; n > 0; --n) row[*p++] = value;
    }
  }
  *dense = *l;
  dense->parse_table = table;
  dense->large_state_count = l->state_count;
  return dense;
}
