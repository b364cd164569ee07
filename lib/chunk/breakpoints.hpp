// Choosing boundaries from a series of scores between consecutive sentence
// windows: the thresholds of Kamradt's semantic chunking as LangChain's
// SemanticChunker computes them, the k best scores, and Chonkie's smoothed
// local minima. Pure functions over numbers; chunk/semantic.cpp applies them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace hewn::chunk::breakpoints {

// NumPy's percentile with linear interpolation (q in [0, 100]); 0 for no values.
// Errors: none.
double percentile(std::vector<double> values, double q);

// numpy.gradient with unit spacing: central differences inside, one-sided at
// the ends; a single value gives {0}.
std::vector<double> gradient(const std::vector<double>& y);

enum class Threshold { percentile, stdev, iqr, gradient };

// Threshold by name ("percentile", "stdev", "iqr", "gradient"); false when
// the name is none of them.
bool parse_threshold(std::string_view name, Threshold& out);

// LangChain's default amount of each threshold: 95, 3, 1.5, 95.
double default_amount(Threshold t);

// The gaps to cut at, as LangChain's SemanticChunker chooses them:
// distances[i] is the distance between windows i and i+1, and gap i (cut
// before sentence i+1) is chosen when its score exceeds the threshold:
// percentile: the amount-th percentile of the distances; stdev: mean +
// amount * population standard deviation; iqr: mean + amount * (Q3 - Q1);
// gradient: the score is numpy.gradient(distances) and the threshold its
// amount-th percentile. Ascending gap indices.
std::vector<std::size_t> threshold_cuts(const std::vector<double>& distances, Threshold t, double amount);

// The k gaps with the largest scores (ties: the earlier gap), ascending.
std::vector<std::size_t> top_cuts(const std::vector<double>& scores, std::size_t k);

// Savitzky-Golay smoothing of y: each value replaced by the value at its
// position of the least-squares polynomial of degree polyorder fitted to the
// window of `window` values around it (odd window); at the ends the first or
// last full window's polynomial is evaluated (SciPy's mode "interp"). A
// series shorter than the window comes back unchanged.
// Errors: none (window is made odd and polyorder < window by the caller).
std::vector<double> savgol(const std::vector<double>& y, std::size_t window, std::size_t polyorder);

// Indices i of strict local minima of y (y[i] < y[i-1] and y[i] <= y[i+1];
// the ends are not minima) whose value is below threshold, each at least
// min_gap after the previous one kept (the lower wins a conflict, ties the
// earlier).
std::vector<std::size_t> local_minima(const std::vector<double>& y, double threshold, std::size_t min_gap);

}  // namespace hewn::chunk::breakpoints
