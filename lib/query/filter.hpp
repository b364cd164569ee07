// query --where: conditions on stored fields (equality, ranges on numbers,
// ISO dates and strings, set membership), parsed from their text and
// evaluated over an index's columns (index/columns.hpp) into the set of
// chunks that pass them all, which retrieval then keeps to (see query(1),
// FILTERS, for the grammar).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/columns.hpp"
#include "index/index.hpp"

namespace hewn::query {

// One value of a condition, as written.
struct Literal {
  std::string text;               // unquoted, unescaped
  bool quoted = false;            // "..." is a string, never a number or date
  std::optional<double> number;   // a decimal number (not quoted)
  std::optional<double> instant;  // an ISO 8601 date or date-time (not quoted): seconds since 1970 UTC
};

struct Condition {
  enum class Op { eq, ne, lt, le, gt, ge, in, not_in };
  std::string expr;  // as given, for messages
  std::string field;
  Op op = Op::eq;
  std::vector<Literal> values;  // one, or the set of in / not in
};

// Parses one --where expression.
// Errors: UsageError "--where "EXPR": <what is wrong>" (no operator, empty
// field or value, an unclosed quote or parenthesis, a range on a set...).
Condition parse_condition(std::string_view expr);

// An ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS[.F]],
// then Z, +HH:MM or -HH:MM; UTC when absent) as seconds since 1970-01-01
// UTC; nullopt for anything else.
std::optional<double> parse_instant(std::string_view s);

// Whether the value of chunk in column c passes cond (a missing value never does).
bool passes(const Condition& cond, const index::Column& c, std::uint32_t chunk);

// The chunks of ix that pass every condition.
// Errors: those of Index::columns().
index::ChunkSet select(const index::Index& ix, const std::vector<Condition>& conds);

}  // namespace hewn::query
