#include "score/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "core/error.hpp"

namespace hewn::score {

namespace {

constexpr double W = 720, H = 440, L = 70, R = 180, T = 40, B = 60;
const char* const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

std::string esc(std::string_view s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4g", v);
  return b;
}

std::string header(const std::string& title, const std::string& x_label, const std::string& y_label) {
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) +
                  "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(L) + "\" y=\"24\" font-size=\"15\">" + esc(title) + "</text>\n";
  s += "<text x=\"" + num(L + (W - L - R) / 2) + "\" y=\"" + num(H - 15) + "\" text-anchor=\"middle\">" + esc(x_label) + "</text>\n";
  s += "<text transform=\"translate(18," + num(T + (H - T - B) / 2) + ") rotate(-90)\" text-anchor=\"middle\">" + esc(y_label) + "</text>\n";
  s += "<line x1=\"" + num(L) + "\" y1=\"" + num(H - B) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(H - B) + "\" stroke=\"black\"/>\n";
  s += "<line x1=\"" + num(L) + "\" y1=\"" + num(T) + "\" x2=\"" + num(L) + "\" y2=\"" + num(H - B) + "\" stroke=\"black\"/>\n";
  return s;
}

void y_ticks(std::string& s, double lo, double hi) {
  for (int i = 0; i <= 5; ++i) {
    double v = lo + (hi - lo) * i / 5, y = H - B - (H - T - B) * i / 5;
    s += "<line x1=\"" + num(L - 4) + "\" y1=\"" + num(y) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(y) +
         "\" stroke=\"#ddd\"/>\n<text x=\"" + num(L - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" + num(v) + "</text>\n";
  }
}

}  // namespace

std::string svg_lines(const std::string& title, const std::string& x_label, const std::string& y_label,
                      const std::vector<Series>& series, bool log_x) {
  double x0 = INFINITY, x1 = -INFINITY, y1 = 0;
  auto fx = [&](double x) { return log_x ? std::log10(x) : x; };
  for (const auto& se : series)
    for (std::size_t i = 0; i < se.x.size(); ++i) {
      x0 = std::min(x0, fx(se.x[i]));
      x1 = std::max(x1, fx(se.x[i]));
      y1 = std::max(y1, se.y[i]);
    }
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > 0)) y1 = 1;
  std::string s = header(title, x_label, y_label);
  y_ticks(s, 0, y1);
  auto px = [&](double x) { return L + (fx(x) - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return H - B - y / y1 * (H - T - B); };
  if (!series.empty())
    for (double x : series[0].x)
      s += "<text x=\"" + num(px(x)) + "\" y=\"" + num(H - B + 16) + "\" text-anchor=\"middle\">" + num(x) + "</text>\n";
  for (std::size_t k = 0; k < series.size(); ++k) {
    const char* c = colors[k % 8];
    s += "<polyline fill=\"none\" stroke=\"" + std::string(c) + "\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < series[k].x.size(); ++i)
      s += num(px(series[k].x[i])) + "," + num(py(series[k].y[i])) + " ";
    s += "\"/>\n";
    double ly = T + 16 * static_cast<double>(k);
    s += "<rect x=\"" + num(W - R + 10) + "\" y=\"" + num(ly) + "\" width=\"12\" height=\"3\" fill=\"" + c +
         "\"/><text x=\"" + num(W - R + 26) + "\" y=\"" + num(ly + 5) + "\">" + esc(series[k].label) + "</text>\n";
  }
  return s + "</svg>\n";
}

std::string svg_bars(const std::string& title, const std::string& y_label, const std::vector<std::string>& labels,
                     const std::vector<double>& values) {
  double lo = 0, hi = 0;
  for (double v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!(hi > lo)) hi = lo + 1;
  std::string s = header(title, "", y_label);
  y_ticks(s, lo, hi);
  double n = static_cast<double>(std::max<std::size_t>(values.size(), 1)), bw = (W - L - R) / n;
  auto py = [&](double y) { return H - B - (y - lo) / (hi - lo) * (H - T - B); };
  for (std::size_t i = 0; i < values.size(); ++i) {
    double a = py(std::max(values[i], 0.0)), b = py(std::min(values[i], 0.0));
    s += "<rect x=\"" + num(L + bw * static_cast<double>(i) + bw * 0.1) + "\" y=\"" + num(a) + "\" width=\"" +
         num(bw * 0.8) + "\" height=\"" + num(std::max(b - a, 0.5)) + "\" fill=\"" +
         (values[i] < 0 ? "#d62728" : "#1f77b4") + "\"><title>" + esc(labels[i]) + ": " + num(values[i]) +
         "</title></rect>\n";
  }
  return s + "</svg>\n";
}

std::string plot_recall(const std::vector<Evaluation>& evs, const MeasureSet& ms) {
  std::vector<Series> series;
  for (const auto& ev : evs) {
    Series se{ev.source, {}, {}};
    std::size_t vi = 0;
    for (const auto& m : ms.measures()) {
      if (m.family_name() == "recall")
        for (std::size_t k = 0; k < m.names.size(); ++k) {
          se.x.push_back(static_cast<double>(m.long_cutoffs[k]));
          se.y.push_back(ev.summary[vi + k]);
        }
      vi += m.names.size();
    }
    if (se.x.empty()) throw UsageError("--plot recall needs recall values (e.g. -m recall or -m R@100)");
    series.push_back(std::move(se));
  }
  return svg_lines("Recall at k", "k (documents)", "mean recall", series, true);
}

std::string plot_delta(const std::vector<Evaluation>& evs, const MeasureSet& ms) {
  if (evs.size() < 2) throw UsageError("--plot delta needs two runs");
  std::size_t vi = 0, chosen = static_cast<std::size_t>(-1);
  std::string name;
  for (const auto& m : ms.measures()) {
    if (chosen == static_cast<std::size_t>(-1) && !m.text && m.averaging == Averaging::mean) {
      chosen = vi;
      name = m.names[0];
    }
    vi += m.names.size();
  }
  if (chosen == static_cast<std::size_t>(-1)) throw UsageError("--plot delta needs a measure averaged over topics");
  std::unordered_map<std::string_view, double> base;
  for (const auto& t : evs[0].topics) base.emplace(t.qid, t.values[chosen]);
  std::vector<std::pair<double, std::string>> d;
  for (const auto& t : evs[1].topics) {
    auto it = base.find(t.qid);
    if (it != base.end()) d.emplace_back(t.values[chosen] - it->second, t.qid);
  }
  std::sort(d.begin(), d.end());
  std::vector<std::string> labels;
  std::vector<double> values;
  for (auto& [v, q] : d) {
    labels.push_back(q);
    values.push_back(v);
  }
  return svg_bars(name + " per topic: " + evs[1].source + " minus " + evs[0].source, name + " difference", labels, values);
}

std::string plot_sizes(const std::vector<long>& sizes, int bins) {
  long lo = sizes.empty() ? 0 : *std::min_element(sizes.begin(), sizes.end());
  long hi = sizes.empty() ? 1 : *std::max_element(sizes.begin(), sizes.end()) + 1;
  double width = std::max(1.0, static_cast<double>(hi - lo) / bins);
  std::vector<double> counts(static_cast<std::size_t>(bins), 0.0);
  for (long s : sizes) counts[std::min<std::size_t>(static_cast<std::size_t>((s - lo) / width), bins - 1)] += 1;
  std::vector<std::string> labels;
  for (int i = 0; i < bins; ++i)
    labels.push_back(num(lo + width * i) + "-" + num(lo + width * (i + 1)) + " code points");
  return svg_bars("Chunk sizes (" + num(lo) + " to " + num(hi - 1) + " code points)", "chunks", labels, counts);
}

}  // namespace hewn::score
