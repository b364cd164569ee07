#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <simdjson.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/error.hpp"

namespace hewn::json {

// ---- writing ---------------------------------------------------------------

void append_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  const char* run = p;
  while (p < end) {
#ifdef __SSE2__
    // Skip sixteen clean bytes at a time: no byte < 0x20, '"' or '\\'.
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
    while (p + 16 <= end) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
      int mask = _mm_movemask_epi8(bad);
      if (mask) {
        p += __builtin_ctz(static_cast<unsigned>(mask));
        break;
      }
      p += 16;
    }
#else
    // Skip eight clean bytes at a time: no byte < 0x20, '"' or '\\'.
    while (p + 8 <= end) {
      std::uint64_t x;
      std::memcpy(&x, p, 8);
      constexpr std::uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
      auto zero_byte = [](std::uint64_t v) { return (v - ones) & ~v & high; };
      std::uint64_t bad = ((x - ones * 0x20) & ~x & high) | zero_byte(x ^ (ones * '"')) | zero_byte(x ^ (ones * '\\'));
      if (bad) break;
      p += 8;
    }
#endif
    if (p == end) break;
    unsigned char c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++p;
      continue;
    }
    out.append(run, p);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(esc, 6);
      }
    }
    run = ++p;
  }
  out.append(run, end);
  out.push_back('"');
}

void append_key(std::string& out, std::string_view key, bool first) {
  if (!first) out.push_back(',');
  append_string(out, key);
  out.push_back(':');
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_float(std::string& out, float v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// ---- reading ---------------------------------------------------------------

namespace {

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index just past the closing quote of the string starting at s[i] == '"'.
std::size_t skip_string(std::string_view s, std::size_t i) {
  ++i;
  for (;;) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    std::size_t pos = static_cast<const char*>(q) - s.data();
    std::size_t back = 0;
    while (pos - back > i && s[pos - back - 1] == '\\') ++back;
    i = pos + 1;
    if (back % 2 == 0) return i;
  }
}

std::size_t skip_value(std::string_view s, std::size_t i) {
  char c = s[i];
  if (c == '"') return skip_string(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    while (true) {
      c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
  return i;
}

// Raw value spans of the top-level fields of a valid JSON object, in order.
void raw_values(std::string_view s, std::vector<std::string_view>& out) {
  std::size_t i = 0;
  while (is_ws(s[i])) ++i;
  ++i;  // '{'
  for (;;) {
    while (is_ws(s[i])) ++i;
    if (s[i] == '}') return;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    i = skip_string(s, i);  // key
    while (is_ws(s[i])) ++i;
    ++i;  // ':'
    while (is_ws(s[i])) ++i;
    std::size_t start = i;
    i = skip_value(s, i);
    out.push_back(s.substr(start, i - start));
  }
}

Type type_of(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::STRING: return Type::string;
    case element_type::OBJECT: return Type::object;
    case element_type::ARRAY: return Type::array;
    case element_type::BOOL: return Type::boolean;
    case element_type::NULL_VALUE: return Type::null;
    default: return Type::number;
  }
}

std::string field_name(std::string_view key) { return "field " + quoted(key); }

}  // namespace

struct Parser::Impl {
  simdjson::dom::parser parser;
  std::vector<simdjson::dom::element> values;
  std::vector<std::string_view> raws;
};

Parser::Parser() : impl_(std::make_unique<Impl>()) { record_.parser_ = this; }
Parser::~Parser() = default;

const Record& Parser::parse(std::string_view line, std::string_view source, std::uint64_t line_no) {
  Record& r = record_;
  r.source = source;
  r.line = line_no;
  r.fields_.clear();
  impl_->values.clear();
  impl_->raws.clear();
  simdjson::dom::element doc;
  auto err = impl_->parser.parse(line.data(), line.size(), false).get(doc);
  if (err) {
    if (err == simdjson::UTF8_ERROR) r.fail("invalid UTF-8");
    if (err == simdjson::DEPTH_ERROR) r.fail("invalid JSON: nested deeper than 1024 levels");
    if (err == simdjson::NUMBER_OUT_OF_RANGE || err == simdjson::NUMBER_ERROR)
      r.fail("invalid JSON: bad number (malformed or out of range)");
    if (err == simdjson::STRING_ERROR) r.fail("invalid JSON: bad string (invalid escape or lone surrogate)");
    r.fail(std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) r.fail("not a JSON object");
  raw_values(line, impl_->raws);
  std::size_t k = 0;
  for (auto field : obj) {
    std::string_view key = field.key;
    for (const Field& f : r.fields_)
      if (f.key == key) r.fail("duplicate " + field_name(key));
    r.fields_.push_back({key, impl_->raws[k++], type_of(field.value)});
    impl_->values.push_back(field.value);
  }
  return r;
}

void Record::fail(std::string_view what) const { data_error(source, line, what); }

std::size_t Record::index_of(std::string_view key) const {
  for (std::size_t i = 0; i < fields_.size(); ++i)
    if (fields_[i].key == key) return i;
  return fields_.size();
}

const Field* Record::find(std::string_view key) const {
  std::size_t i = index_of(key);
  return i < fields_.size() ? &fields_[i] : nullptr;
}

std::optional<std::string_view> Record::string(std::string_view key) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return std::nullopt;
  std::string_view v;
  if (parser_->impl_->values[i].get_string().get(v)) fail(field_name(key) + " is not a string");
  return v;
}

std::string_view Record::require_string(std::string_view key) const {
  auto v = string(key);
  if (!v) fail("missing " + field_name(key));
  return *v;
}

std::optional<double> Record::number(std::string_view key) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return std::nullopt;
  double d;
  if (parser_->impl_->values[i].get_double().get(d)) fail(field_name(key) + " is not a number");
  return d;
}

std::optional<std::uint64_t> Record::whole(std::string_view key) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return std::nullopt;
  const simdjson::dom::element& v = parser_->impl_->values[i];
  std::uint64_t u;
  if (!v.get_uint64().get(u) && u <= (1ULL << 53)) return u;
  double d;  // 3.0 and 1e3 are whole numbers too
  if (!v.get_double().get(d) && d >= 0 && d <= 9007199254740992.0 && d == std::floor(d))
    return static_cast<std::uint64_t>(d);
  fail(field_name(key) + " is not a non-negative integer");
}

std::uint64_t Record::require_whole(std::string_view key) const {
  auto v = whole(key);
  if (!v) fail("missing " + field_name(key));
  return *v;
}

bool Record::floats(std::string_view key, std::vector<float>& out) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return false;
  simdjson::dom::array arr;
  if (parser_->impl_->values[i].get_array().get(arr)) fail(field_name(key) + " is not an array of numbers");
  for (auto v : arr) {
    double d;
    if (v.get_double().get(d)) fail(field_name(key) + " is not an array of numbers");
    if (!(std::fabs(d) <= 3.4028234663852886e38)) fail(field_name(key) + " has a number out of float range");
    out.push_back(static_cast<float>(d));
  }
  return true;
}

bool Record::strings(std::string_view key, std::vector<std::string_view>& out) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return false;
  simdjson::dom::array arr;
  if (parser_->impl_->values[i].get_array().get(arr)) fail(field_name(key) + " is not an array of strings");
  for (auto v : arr) {
    std::string_view s;
    if (v.get_string().get(s)) fail(field_name(key) + " is not an array of strings");
    out.push_back(s);
  }
  return true;
}

std::optional<std::string> Record::id(std::string_view key) const {
  std::size_t i = index_of(key);
  if (i == fields_.size()) return std::nullopt;
  auto v = parser_->impl_->values[i];
  std::string_view s;
  if (!v.get_string().get(s)) return std::string(s);
  if (v.is_int64() || v.is_uint64()) return std::string(fields_[i].raw);
  fail(field_name(key) + " is not a string or an integer");
}

}  // namespace hewn::json
