#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/error.hpp"
#include "embed/safetensors.hpp"

using namespace hewn::embed;

namespace {

std::string temp_file(const std::string& name, const std::string& bytes) {
  auto dir = std::filesystem::temp_directory_path() / ("hewn-st-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string st_file(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  std::uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> v) {
  std::string s;
  for (T x : v) s.append(reinterpret_cast<const char*>(&x), sizeof x);
  return s;
}

std::string error_of(const std::string& path) {
  try {
    SafeTensors st(path);
  } catch (const hewn::DataError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("safetensors: dtypes convert to float32") {
  std::string data = raw<float>({1.5f, -2.0f}) + raw<std::uint16_t>({0x3C00, 0xC000}) +
                     raw<std::uint16_t>({0x3F80, 0xBF00}) + raw<double>({0.25, 3.0}) + raw<std::int8_t>({-7, 127}) +
                     raw<std::int32_t>({5, -9});
  std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("h":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},)"
      R"("d":{"dtype":"F64","shape":[2],"data_offsets":[16,32]},"i":{"dtype":"I8","shape":[2],"data_offsets":[32,34]},)"
      R"("m":{"dtype":"I32","shape":[2],"data_offsets":[34,42]}})";
  SafeTensors st(temp_file("ok.safetensors", st_file(header, data)));
  CHECK(st.tensors().size() == 6);
  CHECK(st.floats(st.require("a"), {2}) == std::vector<float>{1.5f, -2.0f});
  CHECK(st.floats(st.require("h"), {1, 0}) == std::vector<float>{1.0f, -2.0f});
  CHECK(st.floats(st.require("b"), {2}) == std::vector<float>{1.0f, -0.5f});
  CHECK(st.floats(st.require("d"), {2}) == std::vector<float>{0.25f, 3.0f});
  CHECK(st.floats(st.require("i"), {2}) == std::vector<float>{-7.0f, 127.0f});
  CHECK(st.ints(st.require("m"), {2}) == std::vector<std::int64_t>{5, -9});
  CHECK(st.find("zz") == nullptr);
  CHECK_THROWS_WITH_AS(st.require("zz"), doctest::Contains(": no tensor \"zz\""), hewn::DataError);
  CHECK_THROWS_WITH_AS(st.floats(st.require("a"), {3}), doctest::Contains("tensor \"a\" has shape [2], expected [3]"),
                       hewn::DataError);
  CHECK_THROWS_WITH_AS(st.floats(st.require("i"), {2}, {"F32", "F16"}),
                       doctest::Contains("tensor \"i\" has dtype I8, not one of F32, F16"), hewn::DataError);
}

TEST_CASE("safetensors: corrupt files are named and explained") {
  CHECK(error_of(temp_file("short", "abc")).ends_with(": corrupt safetensors header: the file is 3 bytes long"));
  std::string big(8, '\xff');
  CHECK(error_of(temp_file("big", big + "{}")).ends_with("exceeds the file"));
  CHECK(error_of(temp_file("json", st_file("{\"a\":", ""))).find("corrupt safetensors header: invalid JSON") !=
        std::string::npos);
  CHECK(error_of(temp_file("range", st_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234")))
            .ends_with("tensor \"a\": data_offsets outside the 4 data bytes"));
  CHECK(error_of(temp_file("size", st_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", "12345678")))
            .ends_with("tensor \"a\": 8 bytes for F32 [3]"));
  // Shapes whose element count overflows 64 bits (it would wrap to the data's 0 bytes).
  CHECK(error_of(temp_file("wrap", st_file(R"({"a":{"dtype":"F32","shape":[9223372036854775808,2],"data_offsets":[0,0]}})", "")))
            .ends_with("tensor \"a\": shape [9223372036854775808,2] is too large"));
  CHECK(error_of(temp_file("wrap2", st_file(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", "")))
            .ends_with("is too large"));
  CHECK(error_of(temp_file("dtype", st_file(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}})", "1")))
            .ends_with("tensor \"a\": unknown dtype \"Q4\""));
  CHECK(error_of(temp_file("fields", st_file(R"({"a":{"shape":[1]}})", ""))).ends_with("needs dtype, shape and data_offsets"));
  CHECK(error_of("/nonexistent/model.safetensors") == "/nonexistent/model.safetensors: cannot open: No such file or directory");
}
