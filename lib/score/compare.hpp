// Comparison of runs with the first one (the baseline): per measure, the
// difference of the means and two paired significance tests over the topics
// both runs were evaluated on, with optional multiple-comparison correction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "score/evaluate.hpp"
#include "score/spans.hpp"

namespace hewn::score {

enum class Correction { none, bonferroni, holm };

// Errors: UsageError "unknown correction "x" (none, bonferroni, holm)".
Correction parse_correction(std::string_view name);

struct CompareOptions {
  unsigned permutations = 10000;        // paired randomization test
  std::uint64_t seed = 20261122;        // fixed: results are reproducible
  Correction correction = Correction::none;
};

// For one run against the baseline, per value of the MeasureSet (NaN where a
// value is not tested: counts, geometric means, text).
struct Comparison {
  std::vector<double> delta;   // mean(run) - mean(baseline)
  std::vector<double> p_t;     // two-sided paired t-test
  std::vector<double> p_rand;  // two-sided paired randomization (sign-flip) test
  std::size_t paired_topics = 0;
};

// Compares evs[1..] with evs[0]; returns evs.size() - 1 comparisons.
// Corrections apply to all p-values of one test kind together (every
// tested measure of every compared run).
std::vector<Comparison> compare(const std::vector<Evaluation>& evs, const MeasureSet& ms, const CompareOptions& options);

// The same for span evaluations (every value of SpanEvaluation::names is
// tested; the queries of the references pair up, as every run is evaluated
// on all of them).
std::vector<Comparison> compare_spans(const std::vector<SpanEvaluation>& evs, const CompareOptions& options);

// Two-sided p-value of a paired t-test of b against a (same length). NaN for
// fewer than 2 pairs; 1 when all differences are 0; 0 when they are all equal
// and not 0.
double paired_t_test(const std::vector<double>& a, const std::vector<double>& b);

// Two-sided p-value of the paired randomization test: the share of random
// sign assignments of the differences (permutations of them, drawn with
// mt19937_64 from seed) whose absolute sum is at least the observed one,
// counted as (hits + 1) / (permutations + 1). NaN for no pairs.
double randomization_test(const std::vector<double>& a, const std::vector<double>& b, unsigned permutations,
                          std::uint64_t seed);

// P(|T| >= |t|) for Student's t with df degrees of freedom.
double student_t_two_sided(double t, double df);

}  // namespace hewn::score
