#include "extract/encoding.hpp"

#include <unicode/ucnv.h>
#include <unicode/utf16.h>

#include <cstdio>
#include <memory>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace hewn::extract {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct ConverterDeleter {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterDeleter>;

Converter open_converter(const std::string& name, UErrorCode& err) {
  err = U_ZERO_ERROR;
  Converter c(ucnv_open(name.c_str(), &err));
  if (U_FAILURE(err)) c.reset();
  return c;
}

std::uint64_t line_of(std::string_view decoded) {
  std::uint64_t line = 1;
  for (char c : decoded) line += c == '\n';
  return line;
}

}  // namespace

bool is_utf8_name(std::string_view name) {
  std::string n = lower(name);
  return n == "utf-8" || n == "utf8" || n == "unicode-1-1-utf-8";
}

void check_encoding(const std::string& name) {
  UErrorCode err;
  if (name.empty() || !open_converter(name, err)) throw UsageError("unknown --encoding " + quoted(name));
}

Decoded decode(std::string_view bytes, const std::string& encoding, std::string_view source, bool want_offsets) {
  std::string name = encoding;
  std::size_t skip = 0;
  if (bytes.starts_with("\xEF\xBB\xBF")) {
    name = "utf-8";
    skip = 3;
  } else if (bytes.starts_with("\xFF\xFE")) {
    name = "utf-16le";
    skip = 2;
  } else if (bytes.starts_with("\xFE\xFF")) {
    name = "utf-16be";
    skip = 2;
  }
  Decoded d;
  if (is_utf8_name(name)) {  // no conversion: validate, and offsets are the identity
    std::string_view body = bytes.substr(skip);
    std::size_t bad = utf8::first_invalid(body);
    if (bad != body.size()) {
      char what[64];
      std::snprintf(what, sizeof what, "not valid UTF-8 (byte 0x%02X)", static_cast<unsigned char>(body[bad]));
      data_error(source, line_of(body.substr(0, bad)), what);
    }
    d.text.assign(body);
    if (want_offsets) {
      d.offsets.resize(body.size() + 1);
      for (std::size_t i = 0; i <= body.size(); ++i) d.offsets[i] = static_cast<std::uint32_t>(i + skip);
    }
    return d;
  }
  UErrorCode err;
  Converter cnv = open_converter(name, err);
  if (!cnv) data_error(source, 0, "unknown charset " + quoted(name));
  err = U_ZERO_ERROR;
  ucnv_setToUCallBack(cnv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  std::u16string u16;
  std::vector<int32_t> src_of;  // per UTF-16 unit, relative to the start of this call's input
  const char* src = bytes.data() + skip;
  const char* const src_end = bytes.data() + bytes.size();
  u16.resize(2 * (src_end - src) + 16);
  src_of.resize(u16.size());
  UChar* target = reinterpret_cast<UChar*>(u16.data());
  err = U_ZERO_ERROR;
  ucnv_toUnicode(cnv.get(), &target, target + u16.size(), &src, src_end, src_of.data(), true, &err);
  const std::size_t units = target - reinterpret_cast<UChar*>(u16.data());
  auto to_utf8 = [&](std::size_t n, bool offsets) {
    for (std::size_t i = 0; i < n;) {
      std::size_t at = i;
      UChar32 c;
      U16_NEXT(u16.data(), i, n, c);
      if (U_IS_SURROGATE(c)) c = 0xFFFD;  // an unpaired surrogate from UTF-16 input
      std::size_t before = d.text.size();
      utf8::append(d.text, static_cast<char32_t>(c));
      if (offsets)
        for (std::size_t k = before; k < d.text.size(); ++k)
          d.offsets.push_back(static_cast<std::uint32_t>(skip + static_cast<std::size_t>(src_of[at])));
    }
  };
  if (U_FAILURE(err)) {
    // The converter stopped at the bad sequence; what it decoded before it
    // gives the line.
    char bad[8] = {0};
    int8_t len = sizeof bad;
    UErrorCode e2 = U_ZERO_ERROR;
    ucnv_getInvalidChars(cnv.get(), bad, &len, &e2);
    to_utf8(units, false);
    char what[160];
    std::snprintf(what, sizeof what, "not valid %s (byte 0x%02X)", name.c_str(),
                  len > 0 ? static_cast<unsigned char>(bad[0]) : static_cast<unsigned char>(src[-1]));
    data_error(source, line_of(d.text), what);
  }
  d.text.reserve(units + units / 2);
  to_utf8(units, want_offsets);
  if (want_offsets) d.offsets.push_back(static_cast<std::uint32_t>(bytes.size()));
  return d;
}

std::string html_charset(std::string_view b) {
  if (b.starts_with("\xEF\xBB\xBF")) return "utf-8";
  if (b.starts_with("\xFF\xFE")) return "utf-16le";
  if (b.starts_with("\xFE\xFF")) return "utf-16be";
  b = b.substr(0, 1024);
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/'; };
  auto normalize = [](std::string cs) -> std::string {
    while (!cs.empty() && (cs.back() == ' ' || cs.back() == '\t')) cs.pop_back();
    std::size_t k = 0;
    while (k < cs.size() && (cs[k] == ' ' || cs[k] == '\t')) ++k;
    cs = lower(cs.substr(k));
    if (cs.starts_with("utf-16")) return "utf-8";
    if (cs == "iso-8859-1" || cs == "latin1" || cs == "l1" || cs == "us-ascii" || cs == "ascii" ||
        cs == "iso8859-1" || cs == "iso_8859-1" || cs == "cp1252")
      return "windows-1252";
    return cs;
  };
  std::size_t i = 0;
  while (i < b.size()) {
    if (b.substr(i).starts_with("<!--")) {
      std::size_t e = b.find("-->", i + 4);
      if (e == std::string_view::npos) return "";
      i = e + 3;
      continue;
    }
    if (b[i] != '<') {
      ++i;
      continue;
    }
    std::string tag = lower(b.substr(i + 1, 5));
    if (!(tag.starts_with("meta") && tag.size() == 5 && is_space(tag[4]))) {
      ++i;
      continue;
    }
    // Attributes of the meta tag, up to '>'.
    i += 5;
    std::string charset, content;
    bool http_equiv = false;
    while (i < b.size() && b[i] != '>') {
      while (i < b.size() && is_space(b[i])) ++i;
      std::size_t nb = i;
      while (i < b.size() && !is_space(b[i]) && b[i] != '=' && b[i] != '>') ++i;
      std::string name = lower(b.substr(nb, i - nb));
      while (i < b.size() && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) ++i;
      std::string value;
      if (i < b.size() && b[i] == '=') {
        ++i;
        while (i < b.size() && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) ++i;
        if (i < b.size() && (b[i] == '"' || b[i] == '\'')) {
          char q = b[i++];
          std::size_t vb = i;
          while (i < b.size() && b[i] != q) ++i;
          value = b.substr(vb, i - vb);
          if (i < b.size()) ++i;
        } else {
          std::size_t vb = i;
          while (i < b.size() && !is_space(b[i]) && b[i] != '>') ++i;
          value = b.substr(vb, i - vb);
        }
      }
      if (name.empty() && i < b.size() && b[i] != '>') ++i;
      if (name == "charset") charset = value;
      if (name == "http-equiv" && lower(value) == "content-type") http_equiv = true;
      if (name == "content") content = value;
    }
    if (!charset.empty()) return normalize(charset);
    if (http_equiv) {
      std::string lc = lower(content);
      std::size_t k = lc.find("charset");
      if (k != std::string::npos) {
        k += 7;
        while (k < lc.size() && lc[k] == ' ') ++k;
        if (k < lc.size() && lc[k] == '=') {
          ++k;
          while (k < lc.size() && lc[k] == ' ') ++k;
          char q = k < lc.size() && (lc[k] == '"' || lc[k] == '\'') ? lc[k++] : 0;
          std::size_t e = k;
          while (e < lc.size() && (q ? lc[e] != q : (lc[e] != ';' && lc[e] != ' '))) ++e;
          if (e > k) return normalize(lc.substr(k, e - k));
        }
      }
    }
  }
  return "";
}

}  // namespace hewn::extract
