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

// Lines through (x, y) per series, x on a log10 axis when log_x (ticks at
// the first series' x), round y ticks from 0; a legend.
std::string svg_lines(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<Series>& series, bool log_x);

// One bar per label (values may be negative), in the given order; round
// y ticks that include 0, drawn as a black line.
std::string svg_bars(const std::string& title, const std::string& x_label, const std::string& y_label,
                     const std::vector<std::string>& labels, const std::vector<double>& values);

// Recall at each recall_k value of the MeasureSet, one curve per run.
// Errors: UsageError when the set has no recall values.
std::string plot_recall(const std::vector<Evaluation>& evs, const MeasureSet& ms);

// Per-topic difference (run - baseline) of the value the first -m names
// (MeasureSet::first_requested_mean), sorted ascending.
// Errors: UsageError for fewer than two runs or no such value.
std::string plot_delta(const std::vector<Evaluation>& evs, const MeasureSet& ms);

// Histogram of chunk sizes, one colour per chunking (labels[i] for
// sizes[i]), in about `bins` bins of a round width, with x-axis labels.
std::string plot_sizes(const std::vector<std::string>& labels, const std::vector<std::vector<long>>& sizes,
                       int bins = 30);

}  // namespace hewn::score
