#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "score/compare.hpp"
#include "score/measures.hpp"

using namespace hewn;
using namespace hewn::score;

namespace {
RankedRels ranked(std::vector<long> rels, std::vector<long> levels, long min_rel = 1) {
  RankedRels rr;
  rr.rels = std::move(rels);
  rr.num_ret = static_cast<long>(rr.rels.size());
  for (long r : rr.rels) rr.num_rel_ret += r >= min_rel;
  rr.rel_levels = std::move(levels);
  for (std::size_t i = 0; i < rr.rel_levels.size(); ++i) {
    if (rr.rel_levels[i]) rr.num_rel_levels = static_cast<long>(i) + 1;
    if (static_cast<long>(i) >= min_rel) rr.num_rel += rr.rel_levels[i];
  }
  return rr;
}

std::vector<double> values(MeasureSet& ms, const RankedRels& rr) {
  std::vector<double> v(ms.num_values());
  std::vector<std::string> texts;
  ms.compute(rr, EvalParams{}, v.data(), texts);
  return v;
}
}  // namespace

TEST_CASE("average precision, precision and reciprocal rank by hand") {
  MeasureSet ms;
  for (auto m : {"AP", "P@2", "RR", "R@3"}) ms.add(m);
  ms.finish();
  // ranks: nonrel, rel, nonpool, rel; 3 relevant judged in all
  auto v = values(ms, ranked({0, 1, rel_nonpool, 1}, {5, 3}));
  REQUIRE(ms.num_values() == 4);  // map, recip_rank, P_2, recall_3 (trec_eval order)
  CHECK(v[0] == doctest::Approx((1.0 / 2 + 2.0 / 4) / 3));
  CHECK(v[1] == doctest::Approx(0.5));
  CHECK(v[2] == doctest::Approx(0.5));
  CHECK(v[3] == doctest::Approx(1.0 / 3));
}

TEST_CASE("ndcg uses relevance levels as gains") {
  MeasureSet ms;
  ms.add("ndcg");
  ms.finish();
  // retrieved: level 1 then level 2; ideal: 2 then 1
  auto v = values(ms, ranked({1, 2}, {0, 1, 1}));
  double dcg = 1 + 2 / std::log2(3.0), ideal = 2 + 1 / std::log2(3.0);
  CHECK(v[0] == doctest::Approx(dcg / ideal));
}

TEST_CASE("names: trec_eval, ir_measures, nicknames; output order is trec_eval's") {
  MeasureSet ms;
  ms.add("nDCG@10");
  ms.add("P.5,10");
  ms.add("P@20");
  ms.add("ndcg_cut_5");
  ms.finish();
  std::vector<std::string> names;
  for (const auto& m : ms.measures())
    for (const auto& n : m.names) names.push_back(n);
  CHECK(names == std::vector<std::string>{"P_5", "P_10", "P_20", "ndcg_cut_5", "ndcg_cut_10"});
  MeasureSet bad;
  CHECK_THROWS_AS(bad.add("nDCG@"), UsageError);
  CHECK_THROWS_AS(bad.add("precision"), UsageError);
  MeasureSet dup;
  dup.add("P.5,5");
  CHECK_THROWS_AS(dup.finish(), UsageError);
}

TEST_CASE("Student t two-sided p-values match the tables") {
  CHECK(student_t_two_sided(3.182446305284263, 3) == doctest::Approx(0.05).epsilon(1e-9));
  CHECK(student_t_two_sided(2.228138851986274, 10) == doctest::Approx(0.05).epsilon(1e-9));
  CHECK(student_t_two_sided(1.0, 1) == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(student_t_two_sided(0.0, 5) == doctest::Approx(1.0));
}

TEST_CASE("paired tests") {
  std::vector<double> a{0.1, 0.2, 0.3, 0.4}, same = a, b{0.3, 0.5, 0.7, 0.8};
  CHECK(paired_t_test(a, same) == 1.0);
  CHECK(randomization_test(a, same, 1000, 1) == 1.0);
  // differences 0.2 0.3 0.4 0.4: all positive; only the all-plus and
  // all-minus signings reach the observed sum, so p is near 2/16.
  double p = randomization_test(a, b, 20000, 7);
  CHECK(p == doctest::Approx(0.125).epsilon(0.1));
  CHECK(randomization_test(a, b, 20000, 7) == p);  // fixed seed: reproducible
  CHECK(paired_t_test(a, b) < 0.01);
}
