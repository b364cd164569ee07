// The evaluation set generator: see evalset.hpp and score(1).
#include "score/evalset.hpp"

#include <algorithm>
#include <unordered_set>

#include "core/error.hpp"
#include "core/json.hpp"
#include "core/records.hpp"
#include "core/utf8.hpp"

namespace hewn::score {

namespace {

bool is_space_byte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_byte(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_byte(s.back())) s.remove_suffix(1);
  return s;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::pair<std::size_t, std::size_t> evalset_window(std::string_view text, unsigned r, unsigned n,
                                                   std::uint64_t window_bytes) {
  if (text.size() <= window_bytes) return {0, text.size()};
  const std::uint64_t room = text.size() - window_bytes;
  std::size_t b = n > 1 ? static_cast<std::size_t>(room * r / (n - 1)) : 0;
  while (b < text.size() && continuation(text[b])) ++b;
  std::size_t e = std::min<std::size_t>(text.size(), b + window_bytes);
  while (e > b && e < text.size() && continuation(text[e])) --e;
  return {b, e - b};
}

std::optional<std::pair<std::string, std::vector<std::string>>> parse_evalset_answer(std::string_view answer) {
  std::size_t open = answer.find('{'), close = answer.rfind('}');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  std::string buf(answer.substr(open, close - open + 1));
  const std::size_t size = buf.size();
  buf.append(64, ' ');  // the parser reads up to 64 bytes past the line
  try {
    json::Parser parser;
    const json::Record& r = parser.parse(std::string_view(buf.data(), size), "answer", 1);
    auto q = r.string("question");
    std::vector<std::string_view> ex;
    if (!q || !r.strings("excerpts", ex)) return std::nullopt;
    std::pair<std::string, std::vector<std::string>> out{std::string(trim(*q)), {}};
    if (out.first.empty() || ex.empty()) return std::nullopt;
    for (std::string_view e : ex) {
      e = trim(e);
      if (e.empty()) return std::nullopt;
      out.second.emplace_back(e);
    }
    return out;
  } catch (const DataError&) {
    return std::nullopt;
  }
}

std::string question_key(std::string_view question) {
  std::string key, word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!key.empty()) key += ' ';
    key += word;
    word.clear();
  };
  for (char c : question) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c >= 'A' && c <= 'Z') word += static_cast<char>(c - 'A' + 'a');
    else if (u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) word += c;
    else flush();
  }
  flush();
  return key;
}

std::vector<EvalQuestion> generate_evalset(const std::vector<EvalDocument>& docs, std::string_view source,
                                           const EvalSetOptions& o, EvalSetCounts& counts) {
  static constexpr std::string_view known[] = {"document", "previous"};
  static constexpr std::string_view required[] = {"document"};
  check_template(o.prompt, "--prompt evalset", known, required);
  const std::uint64_t window_bytes = o.window * 4;
  // Kept questions per document, by round; the keys of every kept question.
  std::vector<std::vector<std::optional<EvalQuestion>>> kept(docs.size(),
                                                             std::vector<std::optional<EvalQuestion>>(o.questions));
  std::unordered_set<std::string> keys;
  for (unsigned r = 0; r < o.questions; ++r) {
    std::vector<std::size_t> todo(docs.size());
    for (std::size_t d = 0; d < docs.size(); ++d) todo[d] = d;
    counts.asked += docs.size();
    for (unsigned attempt = 0; !todo.empty() && attempt <= o.reask; ++attempt) {  // bounded
      std::vector<Prompt> prompts;
      std::vector<std::pair<std::size_t, std::size_t>> windows;
      for (std::size_t d : todo) {
        std::string previous;
        for (unsigned k = 0; k < r; ++k)
          if (kept[d][k]) previous += (previous.empty() ? "- " : "\n- ") + kept[d][k]->text;
        if (previous.empty()) previous = "(none)";
        auto w = evalset_window(docs[d].text, r, o.questions, window_bytes);
        windows.push_back(w);
        std::string_view shown = std::string_view(docs[d].text).substr(w.first, w.second);
        std::pair<std::string_view, std::string_view> values[] = {{"document", shown}, {"previous", previous}};
        Prompt p;
        p.text = fill_template(o.prompt, "--prompt evalset", values);
        p.max_tokens = 512;
        p.attempt = attempt;
        prompts.push_back(std::move(p));
      }
      std::vector<std::string> answers, errors;
      o.model->complete(prompts, answers, errors);
      std::vector<std::size_t> again;
      for (std::size_t k = 0; k < todo.size(); ++k) {
        const std::size_t d = todo[k];
        if (!errors[k].empty()) throw DataError(located(source, 0, "document " + quoted(docs[d].id) + ": " + errors[k]));
        auto parsed = parse_evalset_answer(answers[k]);
        if (!parsed) {
          if (!o.model->dry()) ++counts.unparsable;
          again.push_back(d);
          continue;
        }
        std::string_view shown = std::string_view(docs[d].text).substr(windows[k].first, windows[k].second);
        const std::uint64_t base = utf8::count(std::string_view(docs[d].text).substr(0, windows[k].first));
        EvalQuestion q;
        q.doc = docs[d].id;
        q.text = parsed->first;
        bool verbatim = true;
        std::vector<std::pair<std::pair<std::uint64_t, std::uint64_t>, std::string>> spans;
        for (const std::string& e : parsed->second) {
          std::size_t at = shown.find(e);
          if (at == std::string_view::npos) {
            verbatim = false;
            break;
          }
          std::uint64_t s = base + utf8::count(shown.substr(0, at));
          spans.push_back({{s, s + utf8::count(e)}, e});
        }
        if (!verbatim) {
          ++counts.not_verbatim;
          again.push_back(d);
          continue;
        }
        std::string key = question_key(q.text);
        if (keys.count(key)) {
          ++counts.duplicates;
          again.push_back(d);
          continue;
        }
        keys.insert(std::move(key));
        std::sort(spans.begin(), spans.end());
        spans.erase(std::unique(spans.begin(), spans.end()), spans.end());
        for (auto& [span, text] : spans) {
          q.spans.push_back(span);
          q.excerpts.push_back(std::move(text));
        }
        q.qid = docs[d].id + "-q" + std::to_string(r + 1);
        kept[d][r] = std::move(q);
        ++counts.kept;
      }
      todo.swap(again);
      if (o.model->dry()) break;
      if (!todo.empty() && attempt < o.reask) counts.asked_again += todo.size();
    }
    counts.dropped += todo.size();
  }
  std::vector<EvalQuestion> out;
  for (auto& per_doc : kept)
    for (auto& q : per_doc)
      if (q) out.push_back(std::move(*q));
  return out;
}

void write_evalset(const std::vector<EvalQuestion>& questions, std::string& spans, std::string& queries,
                   std::string& qrels) {
  namespace field = records::field;
  // {"qid": ..., "doc": ... (the record's other fields follow)
  auto head = [](std::string& out, const EvalQuestion& q) {
    out += '{';
    json::append_key(out, field::qid, true);
    json::append_string(out, q.qid);
    json::append_key(out, field::doc);
    json::append_string(out, q.doc);
  };
  for (const EvalQuestion& q : questions) {
    queries += '{';
    json::append_key(queries, field::id, true);
    json::append_string(queries, q.qid);
    json::append_key(queries, field::text);
    json::append_string(queries, q.text);
    queries += "}\n";
    head(qrels, q);
    json::append_key(qrels, field::rel);
    qrels += "1}\n";
    for (std::size_t k = 0; k < q.spans.size(); ++k) {
      head(spans, q);
      json::append_key(spans, field::start);
      json::append_uint(spans, q.spans[k].first);
      json::append_key(spans, field::end);
      json::append_uint(spans, q.spans[k].second);
      json::append_key(spans, field::text);
      json::append_string(spans, q.excerpts[k]);
      spans += "}\n";
    }
  }
}

}  // namespace hewn::score
