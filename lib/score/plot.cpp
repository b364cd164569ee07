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
  s += "<line x1=\"" + num(L) + "\" y1=\"" + num(T) + "\" x2=\"" + num(L) + "\" y2=\"" + num(H - B) + "\" stroke=\"black\"/>\n";
  return s;
}

// Legend entries show the end of long labels (paths), whole in a tooltip.
void legend(std::string& s, const std::vector<std::string>& labels) {
  constexpr std::size_t fits = 24;  // characters that fit right of the plot
  for (std::size_t k = 0; k < labels.size(); ++k) {
    double ly = T + 16 * static_cast<double>(k);
    const std::string& l = labels[k];
    std::string shown = l;
    if (l.size() > fits) {
      std::size_t from = l.size() - (fits - 3);
      while (from < l.size() && (static_cast<unsigned char>(l[from]) & 0xC0) == 0x80) ++from;  // whole characters
      shown = "..." + l.substr(from);
    }
    s += "<g><title>" + esc(l) + "</title><rect x=\"" + num(W - R + 10) + "\" y=\"" + num(ly) +
         "\" width=\"12\" height=\"8\" fill=\"" + std::string(colors[k % 8]) + "\"/><text x=\"" + num(W - R + 26) +
         "\" y=\"" + num(ly + 8) + "\">" + esc(shown) + "</text></g>\n";
  }
}

// Round ticks covering [lo, hi]: multiples of 1, 2 or 5 times a power of ten
// (at least 1 for integer data), about `target` of them; the axis then runs
// from the first to the last tick, so 0 is a tick whenever lo <= 0 <= hi.
struct Ticks {
  double lo, hi;
  std::vector<double> at;
  int decimals;
};

Ticks nice_ticks(double lo, double hi, int target, bool integer) {
  if (!(hi > lo)) hi = lo + (integer ? 1 : 0.1);
  double raw = (hi - lo) / target;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  double m = raw / p;
  double step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  if (integer && step < 1) step = 1;
  long first = static_cast<long>(std::floor(lo / step + 1e-9)), last = static_cast<long>(std::ceil(hi / step - 1e-9));
  Ticks t;
  for (long i = first; i <= last; ++i) t.at.push_back(static_cast<double>(i) * step);
  t.lo = t.at.front();
  t.hi = t.at.back();
  t.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return t;
}

std::string tick_label(double v, int decimals) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", decimals, v == 0 ? 0.0 : v);
  return b;
}

double tick_y(const Ticks& t, double v) { return H - B - (v - t.lo) / (t.hi - t.lo) * (H - T - B); }

// Grey grid lines and labels at the y ticks (drawn before the data).
void y_grid(std::string& s, const Ticks& t) {
  for (double v : t.at) {
    double y = tick_y(t, v);
    s += "<line x1=\"" + num(L - 4) + "\" y1=\"" + num(y) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(y) +
         "\" stroke=\"#ddd\"/>\n<text x=\"" + num(L - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
         tick_label(v, t.decimals) + "</text>\n";
  }
}

// The bottom edge and the line at 0 (the x axis, or the zero line of
// differences), black, drawn over the data.
void x_axis(std::string& s, const Ticks& t) {
  for (double v : {t.lo, 0.0})
    if (v == t.lo || (v > t.lo && v <= t.hi))
      s += "<line x1=\"" + num(L) + "\" y1=\"" + num(tick_y(t, v)) + "\" x2=\"" + num(W - R) + "\" y2=\"" +
           num(tick_y(t, v)) + "\" stroke=\"black\"/>\n";
}

void x_tick(std::string& s, double x, const std::string& label) {
  s += "<line x1=\"" + num(x) + "\" y1=\"" + num(H - B) + "\" x2=\"" + num(x) + "\" y2=\"" + num(H - B + 4) +
       "\" stroke=\"black\"/><text x=\"" + num(x) + "\" y=\"" + num(H - B + 17) + "\" text-anchor=\"middle\">" +
       esc(label) + "</text>\n";
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
  Ticks ty = nice_ticks(0, y1, 5, false);
  std::string s = header(title, x_label, y_label);
  y_grid(s, ty);
  x_axis(s, ty);
  auto px = [&](double x) { return L + (fx(x) - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return H - B - (y - ty.lo) / (ty.hi - ty.lo) * (H - T - B); };
  if (!series.empty())
    for (double x : series[0].x) x_tick(s, px(x), num(x));
  std::vector<std::string> labels;
  for (std::size_t k = 0; k < series.size(); ++k) {
    s += "<polyline fill=\"none\" stroke=\"" + std::string(colors[k % 8]) + "\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < series[k].x.size(); ++i)
      s += num(px(series[k].x[i])) + "," + num(py(series[k].y[i])) + " ";
    s += "\"/>\n";
    labels.push_back(series[k].label);
  }
  legend(s, labels);
  return s + "</svg>\n";
}

std::string svg_bars(const std::string& title, const std::string& x_label, const std::string& y_label,
                     const std::vector<std::string>& labels, const std::vector<double>& values) {
  double lo = 0, hi = 0;
  for (double v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  Ticks ty = nice_ticks(lo, hi, 6, false);
  std::string s = header(title, x_label, y_label);
  y_grid(s, ty);
  double n = static_cast<double>(std::max<std::size_t>(values.size(), 1)), bw = (W - L - R) / n;
  auto py = [&](double y) { return H - B - (y - ty.lo) / (ty.hi - ty.lo) * (H - T - B); };
  for (std::size_t i = 0; i < values.size(); ++i) {
    double a = py(std::max(values[i], 0.0)), b = py(std::min(values[i], 0.0));
    s += "<rect x=\"" + num(L + bw * static_cast<double>(i) + bw * 0.1) + "\" y=\"" + num(a) + "\" width=\"" +
         num(bw * 0.8) + "\" height=\"" + num(std::max(b - a, 0.5)) + "\" fill=\"" +
         (values[i] < 0 ? "#d62728" : "#1f77b4") + "\"><title>" + esc(labels[i]) + ": " + num(values[i]) +
         "</title></rect>\n";
    if (values.size() <= 30) {  // few enough to name each bar
      double cx = L + bw * (static_cast<double>(i) + 0.5), cy = H - B + 14;
      s += "<text x=\"" + num(cx) + "\" y=\"" + num(cy) + "\" font-size=\"10\" text-anchor=\"" +
           (values.size() > 8 ? "end\" transform=\"rotate(-45," + num(cx) + "," + num(cy) + ")" : "middle") +
           "\">" + esc(labels[i].size() > 12 ? labels[i].substr(0, 11) + "~" : labels[i]) + "</text>\n";
    }
  }
  x_axis(s, ty);  // drawn last: the zero line stays visible over the bars
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
  return svg_lines("Recall at k", "k (documents, log scale)", "mean recall", series, true);
}

std::string plot_delta(const std::vector<Evaluation>& evs, const MeasureSet& ms) {
  if (evs.size() < 2) throw UsageError("--plot delta needs two runs");
  std::size_t chosen = ms.first_requested_mean();
  if (chosen >= ms.num_values()) throw UsageError("--plot delta needs a measure averaged over topics");
  std::string name;
  {
    std::size_t vi = 0;
    for (const auto& m : ms.measures()) {
      if (chosen >= vi && chosen < vi + m.names.size()) name = m.names[chosen - vi];
      vi += m.names.size();
    }
  }
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
  return svg_bars(name + " per topic: " + evs[1].source + " minus " + evs[0].source,
                  std::to_string(values.size()) + " topics, sorted by difference", name + " difference", labels,
                  values);
}

std::string plot_sizes(const std::vector<std::string>& labels, const std::vector<std::vector<long>>& sizes, int bins) {
  long lo = 0, hi = 0;
  bool any = false;
  for (const auto& v : sizes)
    for (long x : v) {
      lo = any ? std::min(lo, x) : x;
      hi = any ? std::max(hi, x) : x;
      any = true;
    }
  // Bins of a round width (1, 2 or 5 times a power of ten code points)
  // starting at a multiple of it: about `bins` of them.
  Ticks tb = nice_ticks(static_cast<double>(lo), static_cast<double>(hi + 1), bins, true);
  long width = static_cast<long>(std::llround(tb.at.size() > 1 ? tb.at[1] - tb.at[0] : 1));
  long start = static_cast<long>(std::llround(tb.lo));
  long nbins = (hi - start) / width + 1;
  std::vector<std::vector<double>> counts(sizes.size(), std::vector<double>(static_cast<std::size_t>(nbins), 0.0));
  double top = 0;
  for (std::size_t f = 0; f < sizes.size(); ++f)
    for (long x : sizes[f]) top = std::max(top, ++counts[f][static_cast<std::size_t>((x - start) / width)]);
  double x0 = static_cast<double>(start), x1 = static_cast<double>(start + nbins * width);
  Ticks ty = nice_ticks(0, top, 5, true);
  std::string title = "Chunk sizes (" + std::to_string(lo) + " to " + std::to_string(hi) + " code points; bins of " +
                      std::to_string(width) + ")";
  std::string s = header(title, "chunk size (code points)", "chunks");
  y_grid(s, ty);
  auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double y) { return H - B - (y - ty.lo) / (ty.hi - ty.lo) * (H - T - B); };
  double per = static_cast<double>(sizes.size());
  for (long b = 0; b < nbins; ++b) {
    double bx = px(static_cast<double>(start + b * width)), bw = px(static_cast<double>(start + (b + 1) * width)) - bx;
    for (std::size_t f = 0; f < sizes.size(); ++f) {
      double c = counts[f][static_cast<std::size_t>(b)];
      if (c == 0) continue;
      double w = bw * 0.9 / per, x = bx + bw * 0.05 + w * static_cast<double>(f);
      s += "<rect x=\"" + num(x) + "\" y=\"" + num(py(c)) + "\" width=\"" + num(w) + "\" height=\"" +
           num(py(0) - py(c)) + "\" fill=\"" + colors[f % 8] + "\"><title>" + esc(labels[f]) + ": " +
           std::to_string(start + b * width) + "-" + std::to_string(start + (b + 1) * width - 1) + " code points: " +
           num(c) + "</title></rect>\n";
    }
  }
  x_axis(s, ty);
  Ticks tx = nice_ticks(x0, x1, 8, true);
  for (double v : tx.at)
    if (v >= x0 && v <= x1) x_tick(s, px(v), tick_label(v, 0));
  legend(s, labels);
  return s + "</svg>\n";
}

}  // namespace hewn::score
