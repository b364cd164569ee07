// Plain SVG charts written by hewn (no dependencies): recall@k curves per
// run, per-topic difference bars between two runs, chunk size histograms.
#pragma once

#include <string>
#include <vector>

#include "score/evaluate.hpp"

namespace hewn::score {

struct Series {
  std::string label;
  std::vector<double> x, y;
};

// Lines through (x, y) per series, x on a log10 axis when log_x; a legend.
std::string svg_lines(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<Series>& series, bool log_x);

// One bar per label (values may be negative), in the given order.
std::string svg_bars(const std::string& title, const std::string& y_label, const std::vector<std::string>& labels,
                     const std::vector<double>& values);

// Recall at each recall_k value of the MeasureSet, one curve per run.
// Errors: UsageError when the set has no recall values.
std::string plot_recall(const std::vector<Evaluation>& evs, const MeasureSet& ms);

// Per-topic difference (run - baseline) of the first mean-averaged value,
// sorted ascending. Errors: UsageError for fewer than two runs.
std::string plot_delta(const std::vector<Evaluation>& evs, const MeasureSet& ms);

// Histogram of sizes in `bins` equal-width bins.
std::string plot_sizes(const std::vector<long>& sizes, int bins = 30);

}  // namespace hewn::score
