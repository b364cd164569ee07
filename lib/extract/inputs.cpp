#include "extract/inputs.hpp"

#include <sys/stat.h>

#include <cstring>

#include "core/error.hpp"
#include "core/input.hpp"
#include "core/utf8.hpp"
#include "extract/encoding.hpp"
#include "extract/html.hpp"
#include "extract/pdf.hpp"

namespace hewn::extract {
namespace {

bool binary(const std::string& path) {
  std::unique_ptr<io::ByteSource> src;
  try {
    src = io::open_input(path);
  } catch (const DataError&) {
    return false;  // reading it later reports it
  }
  std::string head(1 << 16, '\0');
  std::size_t have = 0;
  try {
    while (have < head.size()) {
      std::size_t got = src->read(head.data() + have, head.size() - have);
      if (got == 0) break;
      have += got;
    }
  } catch (const DataError&) {
    return false;
  }
  head.resize(have);
  if (detect(path, head) == Format::pdf) return false;
  return head.find('\0') != std::string::npos;
}

}  // namespace

Listed list_inputs(const std::vector<std::string>& inputs, bool recursive, const io::WalkOptions& walk) {
  Listed out;
  std::vector<std::string> names = inputs;
  if (names.empty() && recursive) names.push_back(".");
  for (const std::string& name : names) {
    struct stat st;
    if (name == "-" || ::stat(name.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      out.paths.push_back(name);
      continue;
    }
    io::Walker w(name, walk);
    std::string path;
    while (w.next(path)) {
      if (binary(path)) {
        ++out.binary;
        continue;
      }
      out.paths.push_back(std::move(path));
    }
    out.loops += w.loops();
  }
  return out;
}

Extracted read_raw(std::string_view bytes, std::string_view source, const RawOptions& options) {
  Format f = options.format == "html"  ? Format::html
             : options.format == "pdf" ? Format::pdf
             : options.format == "raw" ? Format::text
                                       : detect(source, bytes.substr(0, 512));
  if (f == Format::html) return extract_html(bytes, source, {options.encoding});
  if (f == Format::pdf) return extract_pdf(bytes, source);
  Extracted x;
  if (!options.encoding.empty() && !is_utf8_name(options.encoding)) {
    x.text = decode(bytes, options.encoding, source, false).text;
    return x;
  }
  // A byte order mark is not text (as at the start of JSON Lines).
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  std::size_t bad = utf8::first_invalid(bytes);
  if (bad != bytes.size()) {
    std::uint64_t line = 1;
    for (std::size_t i = 0; i < bad; ++i) line += bytes[i] == '\n';
    data_error(source, line, "invalid UTF-8");
  }
  x.text.assign(bytes);
  return x;
}

}  // namespace hewn::extract
