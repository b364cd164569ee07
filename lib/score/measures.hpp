// The IR measures of trec_eval 10, computed exactly as it does, built by name
// by one factory (MeasureSet::add). Names: trec_eval's ("map", "P.5,10",
// "ndcg_cut.10", nicknames "official" and "all_trec") and ir_measures'
// ("AP", "P@5", "R@100", "nDCG@10", "nDCG", "RR", "Rprec", "Bpref",
// "Success@1", "AP@100", "NumQ", "NumRet", "NumRel", "NumRelRet").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hewn::score {

// trec_eval's relevance codes for retrieved documents without a judgment.
inline constexpr long rel_nonpool = -1;    // not in the qrels
inline constexpr long rel_unjudged = -2;   // in the qrels with a negative relevance

// One topic's ranked relevance list (trec_eval's RES_RELS).
struct RankedRels {
  std::vector<long> rels;        // relevance of the document at each rank
  long num_ret = 0;
  long num_rel = 0;              // judged with rel >= min_rel
  long num_rel_ret = 0;
  long num_nonpool = 0;
  long num_unjudged = 0;
  long num_in_qrels = 0;         // ranked documents the qrels know (before -J), for diagnostics
  std::vector<long> rel_levels;  // judged documents per relevance level >= 0
  long num_rel_levels = 0;       // highest level present + 1
};

struct EvalParams {
  long min_rel = 1;              // -l: smallest relevance that counts as relevant
  long num_docs_in_coll = 0;     // -N (only utility's fourth coefficient uses it)
};

enum class Averaging { mean, sum, geometric, count, none };

struct Family;

// One requested measure family with its parameters, producing one or more values.
struct Measure {
  const Family* family = nullptr;
  std::vector<long> long_cutoffs;
  std::vector<double> double_params;
  std::vector<std::pair<std::string, double>> pairs;
  std::string printable;           // parameters as given ("" for defaults)
  std::vector<std::string> names;  // output names: "P_5", "ndcg_cut_10", "map"
  bool integer = false;            // printed as an integer (num_ret, ...)
  bool text = false;               // runid, relstring
  bool per_query = true;           // printed for each topic with -q
  bool summary = true;             // printed in the summary
  Averaging averaging = Averaging::mean;
  std::string_view family_name() const;
};

// The requested measures, kept in trec_eval's order whatever the order of
// the requests.
class MeasureSet {
 public:
  // Adds a measure, family of measures with parameters, or nickname.
  // Errors: UsageError "unknown measure "x" (known: ...)" or for bad
  // parameters ("bad cutoff ...").
  void add(std::string_view spec);
  // Builds the measures once every request has been added (defaults to
  // "official" when none was). Errors: UsageError for conflicting parameters.
  void finish();
  const std::vector<Measure>& measures() const { return measures_; }
  // Total number of values (sum of names over measures).
  std::size_t num_values() const { return num_values_; }
  bool empty() const { return requests_.empty(); }

  // Computes every value for one topic into values (num_values() of them,
  // in order) and relstring texts into texts (one per text measure).
  void compute(const RankedRels& rr, const EvalParams& ep, double* values, std::vector<std::string>& texts) const;

  // The index of the value that the first request averaged as a mean names
  // (for "P.10,5", P_10; for a nickname, its first such measure), or
  // num_values() when no request names one. Call after finish().
  std::size_t first_requested_mean() const;

  // All names accepted by add(), for messages and --list-measures.
  static std::string known_names();

 private:
  struct Request {
    std::size_t family;
    std::string params;  // after the '.', trec_eval style
  };
  std::vector<Request> requests_;
  std::vector<Measure> measures_;
  std::size_t num_values_ = 0;
};

}  // namespace hewn::score
