#include "score/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/json.hpp"

namespace hewn::score {

Format parse_format(std::string_view name) {
  if (name == "json") return Format::json;
  if (name == "trec") return Format::trec;
  if (name == "table") return Format::table;
  if (name == "markdown") return Format::markdown;
  if (name == "tsv") return Format::tsv;
  throw UsageError("unknown format " + quoted(name) + " (json, trec, table, markdown, tsv)");
}

namespace {

void line(std::string& out, const std::string& name, std::string_view qid, const char* fmt, auto value) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt, name.c_str(), std::string(qid).c_str(), value);
  if (n >= static_cast<int>(sizeof buf)) {
    std::string big(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(big.data(), big.size(), fmt, name.c_str(), std::string(qid).c_str(), value);
    big.resize(static_cast<std::size_t>(n));
    out += big;
  } else {
    out.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string number4(double v, bool integer) {
  if (std::isnan(v)) return "-";
  char buf[64];
  if (integer) std::snprintf(buf, sizeof buf, "%ld", static_cast<long>(v));
  else std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

void write_trec(const Evaluation& ev, const MeasureSet& ms, bool per_query, std::string& out) {
  if (per_query)
    for (const auto& t : ev.topics) {
      std::size_t vi = 0, ti = 0;
      for (const auto& m : ms.measures()) {
        if (m.text) {
          if (m.per_query) line(out, m.names[0], t.qid, "%-22s\t%s\t'%s'\n", t.texts[ti].c_str());
          ++ti;
        } else if (m.per_query) {
          for (std::size_t k = 0; k < m.names.size(); ++k) {
            if (m.integer) line(out, m.names[k], t.qid, "%-22s\t%s\t%ld\n", static_cast<long>(t.values[vi + k]));
            else line(out, m.names[k], t.qid, "%-22s\t%s\t%6.4f\n", t.values[vi + k]);
          }
        }
        vi += m.names.size();
      }
    }
  std::size_t vi = 0;
  for (const auto& m : ms.measures()) {
    if (m.summary) {
      if (m.text) line(out, m.names[0], "all", "%-22s\t%s\t%s\n", ev.runid.c_str());
      else
        for (std::size_t k = 0; k < m.names.size(); ++k) {
          if (m.integer) line(out, m.names[k], "all", "%-22s\t%s\t%ld\n", static_cast<long>(ev.summary[vi + k]));
          else line(out, m.names[k], "all", "%-22s\t%s\t%6.4f\n", ev.summary[vi + k]);
        }
    }
    vi += m.names.size();
  }
}

namespace {

void json_values(const MeasureSet& ms, const double* values, const std::vector<std::string>* texts, bool summary,
                 std::string& out, bool first = false) {
  std::size_t vi = 0, ti = 0;
  for (const auto& m : ms.measures()) {
    bool show = summary ? m.summary : m.per_query;
    if (m.text) {
      if (show && texts) {
        json::append_key(out, m.names[0], first);
        first = false;
        json::append_string(out, (*texts)[ti]);
      }
      ++ti;
    } else if (show) {
      for (std::size_t k = 0; k < m.names.size(); ++k) {
        json::append_key(out, m.names[k], first);
        first = false;
        if (m.integer) json::append_int(out, static_cast<std::int64_t>(values[vi + k]));
        else json::append_double(out, values[vi + k]);
      }
    }
    vi += m.names.size();
  }
}

}  // namespace

void write_json(const Evaluation& ev, const MeasureSet& ms, bool per_query, std::string& out,
                const Comparison* cmp) {
  auto head = [&](std::string_view qid) {
    out += '{';
    json::append_key(out, "run", true);
    json::append_string(out, ev.source);
    json::append_key(out, "runid");
    json::append_string(out, ev.runid);
    json::append_key(out, "qid");
    json::append_string(out, qid);
  };
  if (per_query)
    for (const auto& t : ev.topics) {
      head(t.qid);
      json_values(ms, t.values.data(), &t.texts, false, out);
      out += "}\n";
    }
  head("all");
  json_values(ms, ev.summary.data(), nullptr, true, out);
  if (cmp) {
    json::append_key(out, "paired_topics");
    json::append_uint(out, cmp->paired_topics);
    for (auto [key, vals] : {std::pair{"delta", &cmp->delta}, std::pair{"p_t", &cmp->p_t},
                             std::pair{"p_randomization", &cmp->p_rand}}) {
      json::append_key(out, key);
      out += '{';
      json_values(ms, vals->data(), nullptr, true, out, true);
      out += '}';
    }
  }
  out += "}\n";
}

void write_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 Format format, std::string& out) {
  auto emit = [&](const std::vector<std::string>& r, const std::vector<std::size_t>& w) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (format == Format::tsv) {
        if (i) out += '\t';
        out += r[i];
      } else if (format == Format::markdown) {
        out += i ? " " : "| ";
        out += r[i];
        out += " |";
      } else {
        if (i) out += "  ";
        std::size_t pad = w[i] - r[i].size();
        if (i == 0) out += r[i] + std::string(pad, ' ');
        else out += std::string(pad, ' ') + r[i];
      }
    }
    if (format == Format::table)
      while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  std::vector<std::size_t> w(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) {
    w[i] = header[i].size();
    for (const auto& r : rows) w[i] = std::max(w[i], r[i].size());
  }
  emit(header, w);
  if (format == Format::markdown) {
    out += "|";
    for (std::size_t i = 0; i < header.size(); ++i) out += i ? " ---: |" : " --- |";
    out += '\n';
  }
  for (const auto& r : rows) emit(r, w);
}

void write_rows(const std::vector<Evaluation>& evs, const MeasureSet& ms, Format format, std::string& out,
                const std::vector<Comparison>& cmps) {
  std::vector<std::string> header{"run"};
  std::vector<std::vector<std::string>> rows;
  auto tested = [](const Measure& m) { return m.averaging == Averaging::mean; };
  for (const auto& m : ms.measures())
    if (m.summary && !m.text)
      for (const auto& n : m.names) {
        header.push_back(n);
        if (!cmps.empty() && tested(m))
          for (auto suffix : {" delta", " p_t", " p_rand"}) header.push_back(n + suffix);
      }
  for (std::size_t r = 0; r < evs.size(); ++r) {
    const Evaluation& ev = evs[r];
    const Comparison* c = r > 0 && r - 1 < cmps.size() ? &cmps[r - 1] : nullptr;
    std::vector<std::string> row{ev.source};
    std::size_t vi = 0;
    for (const auto& m : ms.measures()) {
      if (m.summary && !m.text)
        for (std::size_t k = 0; k < m.names.size(); ++k) {
          row.push_back(number4(ev.summary[vi + k], m.integer));
          if (!cmps.empty() && tested(m))
            for (const auto* vals : {c ? &c->delta : nullptr, c ? &c->p_t : nullptr, c ? &c->p_rand : nullptr})
              row.push_back(vals && !std::isnan((*vals)[vi + k]) ? number4((*vals)[vi + k], false) : "-");
        }
      vi += m.names.size();
    }
    rows.push_back(std::move(row));
  }
  write_table(header, rows, format, out);
}

void write_spans(const std::vector<SpanEvaluation>& evs, bool per_unit, Format format, std::string& out,
                 const std::vector<Comparison>& cmps, const SpanUnit& unit) {
  if (format == Format::trec) throw UsageError("--format trec is for trec_eval measures; use json, table, markdown or tsv");
  if (format == Format::json) {
    for (std::size_t r = 0; r < evs.size(); ++r) {
      const SpanEvaluation& ev = evs[r];
      if (per_unit)
        for (const auto& q : ev.queries) {
          out += '{';
          json::append_key(out, "run", true);
          json::append_string(out, ev.source);
          json::append_key(out, unit.key);
          json::append_string(out, q.qid);
          for (std::size_t v = 0; v < ev.names.size(); ++v) {
            json::append_key(out, ev.names[v]);
            json::append_double(out, q.values[v]);
          }
          out += "}\n";
        }
      out += '{';
      json::append_key(out, "run", true);
      json::append_string(out, ev.source);
      json::append_key(out, unit.key);
      json::append_string(out, "all");
      json::append_key(out, unit.count);
      json::append_uint(out, ev.queries.size());
      for (std::size_t v = 0; v < ev.names.size(); ++v) {
        json::append_key(out, ev.names[v]);
        json::append_double(out, ev.mean[v]);
      }
      for (std::size_t v = 0; v < ev.names.size(); ++v) {
        json::append_key(out, ev.names[v] + "_std");
        json::append_double(out, ev.std[v]);
      }
      if (r > 0 && r - 1 < cmps.size()) {
        const Comparison& c = cmps[r - 1];
        json::append_key(out, unit.paired);
        json::append_uint(out, c.paired_topics);
        for (auto [key, vals] :
             {std::pair{"delta", &c.delta}, std::pair{"p_t", &c.p_t}, std::pair{"p_randomization", &c.p_rand}}) {
          json::append_key(out, key);
          out += '{';
          for (std::size_t v = 0; v < ev.names.size(); ++v) {
            json::append_key(out, ev.names[v], v == 0);
            if (std::isnan((*vals)[v])) out += "null";
            else json::append_double(out, (*vals)[v]);
          }
          out += '}';
        }
      }
      out += "}\n";
    }
    return;
  }
  std::vector<std::string> header{"run"};
  if (unit.count_column) header.push_back(unit.count);
  if (!evs.empty()) {
    for (const auto& n : evs[0].names) {
      header.push_back(n);
      if (!cmps.empty())
        for (auto suffix : {" delta", " p_t", " p_rand"}) header.push_back(n + suffix);
    }
    if (unit.std_columns)
      for (const auto& n : evs[0].names) header.push_back(n + "_std");
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t r = 0; r < evs.size(); ++r) {
    const SpanEvaluation& ev = evs[r];
    const Comparison* c = r > 0 && r - 1 < cmps.size() ? &cmps[r - 1] : nullptr;
    std::vector<std::string> row{ev.source};
    if (unit.count_column) row.push_back(std::to_string(ev.queries.size()));
    for (std::size_t v = 0; v < ev.mean.size(); ++v) {
      row.push_back(number4(ev.mean[v], false));
      if (!cmps.empty())
        for (const auto* vals : {c ? &c->delta : nullptr, c ? &c->p_t : nullptr, c ? &c->p_rand : nullptr})
          row.push_back(vals && !std::isnan((*vals)[v]) ? number4((*vals)[v], false) : "-");
    }
    if (unit.std_columns)
      for (double d : ev.std) row.push_back(number4(d, false));
    rows.push_back(std::move(row));
  }
  write_table(header, rows, format, out);
}

void write_intrinsic(const std::vector<std::string>& sources, const std::vector<IntrinsicResult>& results,
                     Format format, std::string& out) {
  if (format == Format::trec) throw UsageError("--format trec is for trec_eval measures; use json, table, markdown or tsv");
  auto integer = [](const std::string& n) { return n == "chunks" || n == "blocks" || n == "size_min" || n == "size_max"; };
  if (format == Format::json) {
    for (std::size_t f = 0; f < results.size(); ++f) {
      const IntrinsicResult& r = results[f];
      out += '{';
      json::append_key(out, "chunks_file", true);
      json::append_string(out, sources[f]);
      for (std::size_t i = 0; i < r.names.size(); ++i) {
        json::append_key(out, r.names[i]);
        if (integer(r.names[i]) && !std::isnan(r.values[i])) json::append_int(out, static_cast<std::int64_t>(r.values[i]));
        else json::append_double(out, r.values[i]);
      }
      out += "}\n";
    }
    return;
  }
  // Columns: every measure of any chunking, each after those it follows in
  // the chunkings that have it (each list is in the same canonical order).
  std::vector<std::string> names;
  for (const auto& r : results) {
    std::size_t at = 0;
    for (const auto& n : r.names) {
      auto it = std::find(names.begin(), names.end(), n);
      if (it == names.end()) it = names.insert(names.begin() + static_cast<std::ptrdiff_t>(at), n);
      at = static_cast<std::size_t>(it - names.begin()) + 1;
    }
  }
  std::vector<std::string> header{"chunks_file"};
  header.insert(header.end(), names.begin(), names.end());
  std::vector<std::vector<std::string>> rows;
  for (std::size_t f = 0; f < results.size(); ++f) {
    std::vector<std::string> row{sources[f]};
    for (const auto& n : names) {
      auto it = std::find(results[f].names.begin(), results[f].names.end(), n);
      row.push_back(it == results[f].names.end()
                        ? "-"
                        : number4(results[f].values[static_cast<std::size_t>(it - results[f].names.begin())], integer(n)));
    }
    rows.push_back(std::move(row));
  }
  write_table(header, rows, format, out);
}

}  // namespace hewn::score
