#include "query/filter.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"

namespace hewn::query {

using index::Column;
using index::ValueKind;

namespace {

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& v) {
  if (at + n > s.size()) return false;
  v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard
// Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::optional<double> parse_number(std::string_view s) {
  // A decimal number as JSON writes them, with an optional "+": no hex, inf or nan.
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t d0 = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  bool whole = i > d0;
  if (i < s.size() && s[i] == '.') {
    std::size_t f0 = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    whole = whole || i > f0;
  }
  if (!whole) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t e0 = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == e0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string t(s[0] == '+' ? s.substr(1) : s);
  double v = std::strtod(t.c_str(), nullptr);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

[[noreturn]] void bad(std::string_view expr, const std::string& what) {
  throw UsageError("--where " + hewn::quoted(expr) + ": " + what);
}

// A value at s[i...]: "quoted" (or 'quoted', backslash escapes) or bare up
// to one of stops; i moves past it.
Literal read_value(std::string_view expr, std::string_view s, std::size_t& i, std::string_view stops) {
  while (i < s.size() && space(s[i])) ++i;
  Literal v;
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    char q = s[i++];
    v.quoted = true;
    for (;;) {
      if (i >= s.size()) bad(expr, std::string("unclosed ") + q);
      char c = s[i++];
      if (c == q) break;
      if (c == '\\') {
        if (i >= s.size()) bad(expr, std::string("unclosed ") + q);
        c = s[i++];
      }
      v.text.push_back(c);
    }
    while (i < s.size() && space(s[i])) ++i;
    return v;
  }
  std::size_t b = i;
  while (i < s.size() && stops.find(s[i]) == std::string_view::npos) ++i;
  v.text = std::string(trim(s.substr(b, i - b)));
  if (v.text.empty()) bad(expr, "empty value (write \"\" for the empty string)");
  v.number = parse_number(v.text);
  v.instant = parse_instant(v.text);
  return v;
}

}  // namespace

std::optional<double> parse_instant(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return std::nullopt;
  double frac = 0, offset = 0;
  std::size_t i = 10;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    if (!digits(s, i + 1, 2, h) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, mi))
      return std::nullopt;
    i += 6;
    if (i < s.size() && s[i] == ':') {
      if (!digits(s, i + 1, 2, sec)) return std::nullopt;
      i += 3;
      if (i < s.size() && s[i] == '.') {
        std::size_t f0 = ++i;
        double scale = 0.1;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
          frac += (s[i++] - '0') * scale;
          scale /= 10;
        }
        if (i == f0) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (i < s.size()) {
      if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
        i = s.size();
      } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        std::size_t j = i + 1;
        if (!digits(s, j, 2, oh)) return std::nullopt;
        j += 2;
        if (j < s.size() && s[j] == ':') ++j;
        if (!digits(s, j, 2, om) || j + 2 != s.size() || oh > 23 || om > 59) return std::nullopt;
        offset = (s[i] == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
        i = s.size();
      } else {
        return std::nullopt;
      }
    }
  }
  return static_cast<double>(days_from_civil(y, mo, d)) * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac - offset;
}

Condition parse_condition(std::string_view expr) {
  Condition c;
  c.expr = std::string(expr);
  std::string_view s = trim(expr);
  std::size_t i = 0;
  if (s.empty()) bad(expr, "empty expression (expected FIELD=VALUE, FIELD<VALUE, FIELD in (A,B)...)");
  if (s[0] == '"' || s[0] == '\'') {
    Literal name = read_value(expr, s, i, "");
    c.field = name.text;
  } else {
    while (i < s.size() && !space(s[i]) && std::string_view("=!<>(),\"'").find(s[i]) == std::string_view::npos) ++i;
    c.field = std::string(s.substr(0, i));
  }
  if (c.field.empty()) bad(expr, "no field name before the operator");
  while (i < s.size() && space(s[i])) ++i;
  std::string_view rest = s.substr(i);
  auto word = [&](std::string_view w) {
    if (rest.size() < w.size() + 1 || rest.substr(0, w.size()) != w) return false;
    char next = rest[w.size()];
    return space(next) || next == '(';
  };
  bool set = false;
  if (rest.starts_with("==")) {
    c.op = Condition::Op::eq, i += 2;
  } else if (rest.starts_with("!=")) {
    c.op = Condition::Op::ne, i += 2;
  } else if (rest.starts_with("<=")) {
    c.op = Condition::Op::le, i += 2;
  } else if (rest.starts_with(">=")) {
    c.op = Condition::Op::ge, i += 2;
  } else if (rest.starts_with("=")) {
    c.op = Condition::Op::eq, i += 1;
  } else if (rest.starts_with("<")) {
    c.op = Condition::Op::lt, i += 1;
  } else if (rest.starts_with(">")) {
    c.op = Condition::Op::gt, i += 1;
  } else if (word("in")) {
    c.op = Condition::Op::in, i += 2, set = true;
  } else if (word("not")) {
    std::size_t j = i + 3;
    while (j < s.size() && space(s[j])) ++j;
    rest = s.substr(j);
    if (!word("in")) bad(expr, "expected \"in\" after \"not\"");
    c.op = Condition::Op::not_in, i = j + 2, set = true;
  } else {
    bad(expr, "expected an operator after " + hewn::quoted(c.field) + " (=, !=, <, <=, >, >=, in, not in)");
  }
  if (!set) {
    c.values.push_back(read_value(expr, s, i, ""));
    if (!c.values.back().quoted && c.values.back().text.front() == '(')
      bad(expr, "a set of values needs \"in\" (FIELD in (A,B))");
    if (i != s.size()) bad(expr, "unexpected text after the value: " + hewn::quoted(s.substr(i)));
    return c;
  }
  while (i < s.size() && space(s[i])) ++i;
  if (i >= s.size() || s[i] != '(') bad(expr, "expected \"(\" after \"in\" (FIELD in (A,B))");
  ++i;
  for (;;) {
    c.values.push_back(read_value(expr, s, i, ",)"));
    if (i >= s.size()) bad(expr, "unclosed \"(\"");
    if (s[i] == ')') {
      ++i;
      break;
    }
    if (s[i] != ',') bad(expr, "expected \",\" or \")\" in the set");
    ++i;
  }
  while (i < s.size() && space(s[i])) ++i;
  if (i != s.size()) bad(expr, "unexpected text after \")\": " + hewn::quoted(s.substr(i)));
  return c;
}

namespace {

// Whether a value (of kind, string s or number x) equals a literal.
bool equal(const Literal& l, ValueKind kind, std::string_view s, double x) {
  switch (kind) {
    case ValueKind::string: return s == l.text;
    case ValueKind::number: return l.number && x == *l.number;
    case ValueKind::yes: return !l.quoted && l.text == "true";
    case ValueKind::no: return !l.quoted && l.text == "false";
    default: return false;
  }
}

// The order of a value against a literal (<0, 0, >0), or nullopt when they
// do not compare: numbers with numbers, strings holding ISO dates with
// dates, other strings with strings (byte order).
std::optional<int> order(const Literal& l, ValueKind kind, std::string_view s, double x) {
  auto sign = [](double d) { return d < 0 ? -1 : d > 0 ? 1 : 0; };
  if (kind == ValueKind::number) {
    if (!l.number) return std::nullopt;
    return sign(x - *l.number);
  }
  if (kind != ValueKind::string) return std::nullopt;
  if (l.instant) {
    auto t = parse_instant(s);
    if (!t) return std::nullopt;
    return sign(*t - *l.instant);
  }
  if (l.number) return std::nullopt;
  int c = s.compare(l.text);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool value_passes(const Condition& cond, ValueKind kind, std::string_view s, double x) {
  using Op = Condition::Op;
  if (kind == ValueKind::missing) return false;
  switch (cond.op) {
    case Op::eq:
    case Op::in:
      for (auto& l : cond.values)
        if (equal(l, kind, s, x)) return true;
      return false;
    case Op::ne:
    case Op::not_in:
      for (auto& l : cond.values)
        if (equal(l, kind, s, x)) return false;
      return true;
    default: break;
  }
  auto o = order(cond.values.front(), kind, s, x);
  if (!o) return false;
  switch (cond.op) {
    case Op::lt: return *o < 0;
    case Op::le: return *o <= 0;
    case Op::gt: return *o > 0;
    case Op::ge: return *o >= 0;
    default: return false;
  }
}

}  // namespace

bool passes(const Condition& cond, const Column& c, std::uint32_t chunk) {
  auto kind = static_cast<ValueKind>(c.kind[chunk]);
  std::string_view s = kind == ValueKind::string ? c.str(c.value[chunk]) : std::string_view();
  double x = kind == ValueKind::number ? c.number(chunk) : 0;
  return value_passes(cond, kind, s, x);
}

index::ChunkSet select(const index::Index& ix, const std::vector<Condition>& conds) {
  const std::uint32_t n = ix.size();
  index::ChunkSet out(n, true);
  if (conds.empty()) return out;
  const index::Columns& cols = ix.columns();
  for (const Condition& cond : conds) {
    const Column* c = cols.find(cond.field);
    index::ChunkSet pass(n);
    if (c) {
      // A string's result depends on the string alone: once per dictionary entry.
      std::vector<char> dict(c->size());
      for (std::size_t i = 0; i < dict.size(); ++i) dict[i] = value_passes(cond, ValueKind::string, c->str(i), 0);
      const bool yes = value_passes(cond, ValueKind::yes, {}, 0), no = value_passes(cond, ValueKind::no, {}, 0);
      for (std::uint32_t d = out.next(0); d < n; d = out.next(d + 1)) {
        bool ok = false;
        switch (static_cast<ValueKind>(c->kind[d])) {
          case ValueKind::string: ok = dict[c->value[d]]; break;
          case ValueKind::number: ok = value_passes(cond, ValueKind::number, {}, c->number(d)); break;
          case ValueKind::yes: ok = yes; break;
          case ValueKind::no: ok = no; break;
          default: break;
        }
        if (ok) pass.insert(d);
      }
    }
    out.intersect(pass);
  }
  return out;
}

}  // namespace hewn::query
