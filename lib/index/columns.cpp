#include "index/columns.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/error.hpp"

namespace hewn::index {

double Column::number(std::uint32_t chunk) const { return std::bit_cast<double>(value[chunk]); }

const Column* Columns::find(std::string_view name) const {
  auto it = std::lower_bound(columns.begin(), columns.end(), name,
                             [](const Column& c, std::string_view n) { return c.name < n; });
  return it != columns.end() && it->name == name ? &*it : nullptr;
}

namespace {
void put_entry(std::string& out, std::string_view key, ValueKind kind) {
  put_varint(out, key.size());
  out.append(key);
  out.push_back(static_cast<char>(kind));
}
void put_string(std::string& out, std::string_view key, std::string_view s) {
  put_entry(out, key, ValueKind::string);
  put_varint(out, s.size());
  out.append(s);
}
void put_number(std::string& out, std::string_view key, double v) {
  put_entry(out, key, ValueKind::number);
  put<std::uint64_t>(out, std::bit_cast<std::uint64_t>(v));
}
}  // namespace

void encode_columns(const json::Record& r, const std::vector<std::string>& skip, std::string& out) {
  out.clear();
  for (const json::Field& f : r.fields()) {
    if (std::find(skip.begin(), skip.end(), f.key) != skip.end()) continue;
    switch (f.type) {
      case json::Type::string:
        put_string(out, f.key, *r.string(f.key));
        break;
      case json::Type::number:
        put_number(out, f.key, *r.number(f.key));
        break;
      case json::Type::boolean:
        put_entry(out, f.key, f.raw == "true" ? ValueKind::yes : ValueKind::no);
        break;
      default:  // null, objects and arrays match no condition
        break;
    }
  }
}

void encode_columns(const Columns& cols, std::uint32_t chunk, std::string& out) {
  out.clear();
  for (const Column& c : cols.columns) {
    auto k = static_cast<ValueKind>(c.kind[chunk]);
    if (k == ValueKind::string)
      put_string(out, c.name, c.str(c.value[chunk]));
    else if (k == ValueKind::number)
      put_number(out, c.name, c.number(chunk));
    else if (k != ValueKind::missing)
      put_entry(out, c.name, k);
  }
}

void ColumnsBuilder::add(std::string_view e) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(e.data());
  const auto* end = p + e.size();
  while (p < end) {
    std::size_t len = get_varint(p);
    std::string_view key(reinterpret_cast<const char*>(p), len);
    p += len;
    auto kind = static_cast<ValueKind>(*p++);
    auto it = acc_.find(key);
    if (it == acc_.end()) it = acc_.emplace(std::string(key), Acc{}).first;
    Acc& a = it->second;
    a.kind.resize(n_, 0);
    a.value.resize(n_, 0);
    std::uint64_t v = 0;
    if (kind == ValueKind::string) {
      std::size_t sl = get_varint(p);
      std::string s(reinterpret_cast<const char*>(p), sl);
      p += sl;
      auto [at, fresh] = a.ids.emplace(std::move(s), a.strings.size());
      if (fresh) a.strings.push_back(&at->first);
      v = at->second;
    } else if (kind == ValueKind::number) {
      std::memcpy(&v, p, 8);
      p += 8;
    }
    a.kind.push_back(static_cast<std::uint8_t>(kind));
    a.value.push_back(v);
  }
  ++n_;
}

Columns ColumnsBuilder::finish() {
  Columns out;
  for (auto& [name, a] : acc_) {
    Column c;
    c.name = name;
    a.kind.resize(n_, 0);
    a.value.resize(n_, 0);
    // The dictionary in byte order: remap the first-seen numbers.
    std::vector<std::uint64_t> order(a.strings.size()), rank(a.strings.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto x, auto y) { return *a.strings[x] < *a.strings[y]; });
    for (std::size_t i = 0; i < order.size(); ++i) {
      rank[order[i]] = i;
      c.strings += *a.strings[order[i]];
      c.str_off.push_back(c.strings.size());
    }
    for (std::uint32_t i = 0; i < n_; ++i)
      if (a.kind[i] == static_cast<std::uint8_t>(ValueKind::string)) a.value[i] = rank[a.value[i]];
    c.kind = std::move(a.kind);
    c.value = std::move(a.value);
    out.columns.push_back(std::move(c));
  }
  acc_.clear();
  return out;
}

namespace layout {

FileEntry write_columns(const std::string& dir, const Columns& c, std::uint32_t n) {
  std::string out;
  put<std::uint64_t>(out, n);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(c.columns.size()));
  for (const Column& col : c.columns) {
    put<std::uint32_t>(out, static_cast<std::uint32_t>(col.name.size()));
    out.append(col.name);
    put<std::uint64_t>(out, col.size());
    put_array(out, col.str_off);
    out.append(col.strings);
    put_array(out, col.kind);
    put_array(out, col.value);
  }
  return write_file(dir, "columns.bin", out);
}

Columns read_columns(const std::string& dir, const Manifest& m, std::uint32_t n) {
  std::string data = read_verified(dir, m.file(dir, "columns.bin"));
  BinReader r(data, dir + "/columns.bin");
  Columns cols;
  if (r.get<std::uint64_t>() != n) r.fail();
  std::uint32_t f = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < f; ++i) {
    Column c;
    c.name = std::string(r.bytes(r.get<std::uint32_t>()));
    if (!cols.columns.empty() && !(cols.columns.back().name < c.name)) r.fail();
    std::uint64_t s = r.get<std::uint64_t>();
    if (s > r.remaining() / 8) r.fail();
    r.get_array(c.str_off, s + 1);
    if (c.str_off.front() != 0 || !std::is_sorted(c.str_off.begin(), c.str_off.end())) r.fail();
    c.strings = std::string(r.bytes(c.str_off.back()));
    for (std::uint64_t k = 1; k < s; ++k)
      if (!(c.str(k - 1) < c.str(k))) r.fail();
    r.get_array(c.kind, n);
    r.get_array(c.value, n);
    for (std::uint32_t d = 0; d < n; ++d) {
      if (c.kind[d] > static_cast<std::uint8_t>(ValueKind::no)) r.fail();
      if (c.kind[d] == static_cast<std::uint8_t>(ValueKind::string) && c.value[d] >= s) r.fail();
    }
    cols.columns.push_back(std::move(c));
  }
  if (r.remaining()) r.fail();
  return cols;
}

}  // namespace layout

ChunkSet::ChunkSet(std::uint32_t n, bool all) : n_(n), words_((std::size_t(n) + 63) / 64, 0) {
  if (!all) return;
  for (auto& w : words_) w = ~std::uint64_t(0);
  if (n % 64) words_.back() = (std::uint64_t(1) << (n % 64)) - 1;
  count_ = n;
}

void ChunkSet::intersect(const ChunkSet& o) {
  count_ = 0;
  for (std::size_t i = 0; i < words_.size(); ++i) {
    words_[i] &= o.words_[i];
    count_ += static_cast<std::uint32_t>(std::popcount(words_[i]));
  }
}

std::uint32_t ChunkSet::next(std::uint32_t from) const {
  if (from >= n_) return 0xffffffffu;
  std::size_t i = from >> 6;
  std::uint64_t w = words_[i] & (~std::uint64_t(0) << (from & 63));
  while (!w) {
    if (++i == words_.size()) return 0xffffffffu;
    w = words_[i];
  }
  return static_cast<std::uint32_t>(i * 64 + std::countr_zero(w));
}

}  // namespace hewn::index
