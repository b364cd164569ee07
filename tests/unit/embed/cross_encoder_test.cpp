#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.hpp"
#include "embed/bert.hpp"
#include "embed/cross_encoder.hpp"

using namespace hewn::embed;

namespace {

std::string scratch(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("hewn-ce-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string write(const std::string& name, const std::string& text) {
  std::string path = scratch(name);
  std::ofstream(path) << text;
  return path;
}

// "pieces" as text: ids of specials in brackets, A/B for the sequences, each
// with ":type".
std::string layout(const PairTemplate& t) {
  std::string s;
  for (const auto& p : t.pieces) {
    if (!s.empty()) s += " ";
    if (p.sequence >= 0) {
      s += p.sequence == 0 ? "A" : "B";
    } else {
      s += "[";
      for (std::size_t i = 0; i < p.ids.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(p.ids[i]);
      }
      s += ']';
    }
    s += ':';
    s += std::to_string(p.type);
  }
  return s;
}

}  // namespace

TEST_CASE("pair templates: BertProcessing, RobertaProcessing, TemplateProcessing, Sequence") {
  auto bert = read_pair_template(
      write("b.json", R"({"post_processor":{"type":"BertProcessing","sep":["[SEP]",102],"cls":["[CLS]",101]}})"));
  CHECK(layout(bert) == "[101]:0 A:0 [102]:0 B:1 [102]:1");
  CHECK(bert.specials() == 3);
  auto roberta = read_pair_template(
      write("r.json", R"({"post_processor":{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0]}})"));
  CHECK(layout(roberta) == "[0]:0 A:0 [2]:0 [2]:0 B:0 [2]:0");
  CHECK(roberta.specials() == 4);
  // A template whose special token has several ids, inside a Sequence after ByteLevel.
  auto tmpl = read_pair_template(write("t.json", R"({"post_processor":{"type":"Sequence","processors":[
      {"type":"ByteLevel"},
      {"type":"TemplateProcessing","single":[],"pair":[{"SpecialToken":{"id":"<x>","type_id":0}},
        {"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"<y>","type_id":0}},
        {"Sequence":{"id":"B","type_id":1}}],
       "special_tokens":{"<x>":{"id":"<x>","ids":[7,8],"tokens":["<","x>"]},"<y>":{"id":"<y>","ids":[9],"tokens":["<y>"]}}}]}})"));
  CHECK(layout(tmpl) == "[7,8]:0 A:0 [9]:0 B:1");
  CHECK(tmpl.specials() == 3);
}

TEST_CASE("pair templates: files that cannot form pairs are errors naming the file") {
  std::string none = write("n.json", R"({"post_processor":null})");
  CHECK_THROWS_WITH_AS(read_pair_template(none), (none + ": post_processor: none that forms query-passage pairs").c_str(),
                       hewn::DataError);
  std::string one = write("o.json", R"({"post_processor":{"type":"TemplateProcessing","pair":[
      {"Sequence":{"id":"A","type_id":0}}],"special_tokens":{}}})");
  CHECK_THROWS_WITH_AS(read_pair_template(one),
                       (one + ": post_processor.pair: expected $A and $B once each (a query-passage pair)").c_str(),
                       hewn::DataError);
  std::string other = write("x.json", R"({"post_processor":{"type":"ByteLevel"}})");
  CHECK_THROWS_AS(read_pair_template(other), hewn::DataError);
  std::string missing = write("m.json", R"({"post_processor":{"type":"TemplateProcessing","pair":[
      {"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A"}},{"Sequence":{"id":"B"}}],"special_tokens":{}}})");
  CHECK_THROWS_WITH_AS(read_pair_template(missing),
                       (missing + ": post_processor.pair: a SpecialToken missing from special_tokens").c_str(),
                       hewn::DataError);
}

TEST_CASE("activation: sentence-transformers' keys, newest first; sigmoid without them") {
  CHECK(cross_encoder_activation(write("c1.json", R"({"sbert_ce_default_activation_function":"torch.nn.modules.linear.Identity"})")) ==
        Activation::identity);
  CHECK(cross_encoder_activation(write("c2.json", R"({"sentence_transformers":{"activation_fn":"torch.nn.modules.activation.Sigmoid"},
      "sbert_ce_default_activation_function":"torch.nn.modules.linear.Identity"})")) == Activation::sigmoid);
  CHECK(cross_encoder_activation(write("c3.json", R"({"model_type":"bert"})")) == Activation::sigmoid);
  CHECK(cross_encoder_activation(write("c4.json", R"({"sbert_ce_default_activation_function":null})")) ==
        Activation::sigmoid);
  CHECK(cross_encoder_activation(write("c5.json", R"({"sbert_ce_default_activation_function":"torch.nn.modules.activation.Tanh"})")) ==
        Activation::tanh);
  std::string bad = write("c6.json", R"({"sbert_ce_default_activation_function":"torch.nn.modules.activation.Softmax"})");
  CHECK_THROWS_AS(cross_encoder_activation(bad), hewn::DataError);
}

// ForwardOptions::first_only computes the last layer for each sequence's
// first token alone: the same vectors as the full pass's first rows.
TEST_CASE("bert: first_only gives the full pass's first rows, with token types and RoBERTa offsets") {
  std::string ref = std::string(HEWN_SOURCE_DIR) + "/tests/embed-ref/cross_ref.py";
  for (const char* arch : {"bert", "xlmr"}) {
    std::string d = scratch(std::string("m-") + arch);
    REQUIRE(std::system(("/usr/bin/python3 " + ref + " make " + d + " --arch " + arch).c_str()) == 0);
    BertModel model(d, true);
    CHECK(model.config().position_offset == (std::string(arch) == "xlmr" ? 2u : 0u));
    std::vector<std::vector<std::uint32_t>> ids = {{2, 9, 11, 3, 13, 14, 3}, {2, 3}, {2, 12, 3, 20, 21, 22, 23, 24, 3}};
    std::vector<std::vector<std::uint8_t>> types;
    for (auto& s : ids) {
      types.emplace_back(s.size(), 0);
      if (std::string(arch) == "bert")
        for (std::size_t t = s.size() / 2; t < s.size(); ++t) types.back()[t] = 1;
    }
    std::vector<std::span<const std::uint32_t>> seqs(ids.begin(), ids.end());
    std::vector<std::span<const std::uint8_t>> ts(types.begin(), types.end());
    ForwardOptions all, first;
    all.types = first.types = &ts;
    first.first_only = true;
    std::vector<float> full, cls;
    model.forward(seqs, full, all);
    model.forward(seqs, cls, first);
    const std::size_t H = model.config().hidden;
    REQUIRE(cls.size() == ids.size() * H);
    std::size_t row = 0;
    for (std::size_t b = 0; b < ids.size(); ++b) {
      double err = 0;
      for (std::size_t j = 0; j < H; ++j) err = std::max(err, std::fabs(double(cls[b * H + j]) - full[row * H + j]));
      CHECK(err < 1e-5);
      row += ids[b].size();
    }
    // Types change the vectors (BERT has two), and a type beyond them is an error.
    if (std::string(arch) == "bert") {
      std::vector<float> zero;
      model.forward(seqs, zero, ForwardOptions{nullptr, true});
      CHECK(std::fabs(zero[H * 2] - cls[H * 2]) > 1e-6);
    }
    types[0][1] = 2;
    CHECK_THROWS_AS(model.forward(seqs, cls, first), hewn::DataError);
  }
  // Without roberta, an XLM-R checkpoint is refused as before.
  CHECK_THROWS_AS(BertModel(scratch("m-xlmr")), hewn::DataError);
}
