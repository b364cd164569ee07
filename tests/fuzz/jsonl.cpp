// LIBS: hewn_core
// Fuzz target: bytes as a JSON Lines stream (zstd or not): line splitting,
// strict parsing and every record accessor. Must never crash or leak; bad
// input may only raise hewn::DataError.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/input.hpp"
#include "core/json.hpp"
#include "core/line_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hewn;
  try {
    auto src = io::decompress(io::open_memory("fuzz", std::string(reinterpret_cast<const char*>(data), size)));
    io::LineReader reader(std::move(src));
    io::LineBatch batch;
    json::Parser parser;
    while (reader.next_batch(batch, 4096)) {
      for (std::size_t i = 0; i < batch.lines.size(); ++i) {
        try {
          const json::Record& r = parser.parse(batch.line(i), batch.source, batch.lines[i].number);
          for (const json::Field& f : r.fields()) {
            std::string out;
            json::append_string(out, f.key);
            out.append(f.raw);
            (void)r.find(f.key);
          }
          for (const char* key : {"id", "text", "embedding", "score", "tags"}) {
            try { (void)r.id(key); } catch (const DataError&) {}
            try { (void)r.string(key); } catch (const DataError&) {}
            try { (void)r.number(key); } catch (const DataError&) {}
            std::vector<float> v;
            try { (void)r.floats(key, v); } catch (const DataError&) {}
            std::vector<std::string_view> s;
            try { (void)r.strings(key, s); } catch (const DataError&) {}
          }
        } catch (const DataError&) {
        }
      }
    }
  } catch (const DataError&) {
  }
  return 0;
}
