#!/usr/bin/python3
"""Test models and independent reference for the cross-encoder rerankers.

  cross_ref.py make DIR --arch bert|xlmr [--shape L,H,NH,I,P] [--vocab N]
                        [--activation identity|sigmoid|tanh|unset] [--st4]
                        [--processor template|bert] [--labels N] [--seed S]
      writes a random-weight BertForSequenceClassification (tensors bert.*,
      bert.pooler.dense, classifier) with a WordPiece tokenizer.json, or an
      XLMRobertaForSequenceClassification (roberta.*, classifier.dense,
      classifier.out_proj; pad_token_id 1, positions offset by 2) with a
      Unigram tokenizer.json (Metaspace, <s> A </s></s> B </s>), in Hugging
      Face layout. --activation writes sentence-transformers' activation key
      (sbert_ce_default_activation_function, or with --st4
      "sentence_transformers": {"activation_fn"}); unset writes none.
  cross_ref.py check DIR QUERIES.jsonl HITS.jsonl [--max-tokens N]
      recomputes the score of every hit (query text by "qid" from QUERIES,
      passage from the hit's "text") with a numpy forward pass (float64) and
      compares it with the hit's "score" (1e-4 absolute); hits of a query
      must be ranked by score.
  cross_ref.py score DIR QUERY PASSAGE [--max-tokens N]
      prints one pair's score.
Only numpy and the standard library (and bert_ref.py beside it) are used.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_ref  # noqa: E402

arg = bert_ref.arg

# Unigram pieces of the XLM-R test tokenizer (after the four specials);
# single letters let any lowercase word be spelled.
PIECES = ["\u2581the", "\u2581a", "\u2581cat", "\u2581dog", "\u2581sat", "\u2581on", "\u2581mat", "\u2581and",
          "\u2581ran", "\u2581fast", "\u2581slow", "\u2581red", "\u2581blue", "\u2581big", "\u2581small",
          "\u2581house", "\u2581tree", "\u2581play", "ing", "s", "ed", "\u2581jump", "\u2581walk", "\u2581is",
          "\u2581was", "\u2581it", "\u2581in", "\u2581of", "\u2581to", "\u2581hello", "\u2581world", "\u2581",
          "er", "un", "."]
PIECES += [c for c in "abcdefghijklmnopqrstuvwxyz" if c not in PIECES]
XLMR_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


def make(d):
    arch = arg("--arch", "bert")
    layers, hidden, heads, inter, maxpos = map(int, arg("--shape", "2,32,4,64,64").split(","))
    labels = int(arg("--labels", "1"))
    rng = np.random.default_rng(int(arg("--seed", "11")))
    xlmr = arch == "xlmr"
    if xlmr:
        maxpos += 2  # positions 0 and 1 are never used (padding_idx 1)
        vocab = len(XLMR_SPECIALS) + len(PIECES)
        types = 1
        p = "roberta."
    else:
        vocab = int(arg("--vocab", str(len(bert_ref.VOCAB))))
        types = 2
        p = "bert."
    t = {}
    mat = bert_ref.random_encoder(t, rng, p, vocab, maxpos, types, layers, hidden, inter)
    if xlmr:
        mat("classifier.dense.weight", hidden, hidden)
        mat("classifier.dense.bias", hidden, scale=0.1)
        mat("classifier.out_proj.weight", labels, hidden, scale=1.0)
        mat("classifier.out_proj.bias", labels, scale=0.5)
    else:
        mat(p + "pooler.dense.weight", hidden, hidden)
        mat(p + "pooler.dense.bias", hidden, scale=0.1)
        mat("classifier.weight", labels, hidden, scale=1.0)
        mat("classifier.bias", labels, scale=0.5)
    os.makedirs(d, exist_ok=True)
    bert_ref.write_safetensors(os.path.join(d, "model.safetensors"), t, arg("--dtype", "F32"))
    config = {"architectures": ["XLMRobertaForSequenceClassification" if xlmr else "BertForSequenceClassification"],
              "model_type": "xlm-roberta" if xlmr else "bert", "hidden_size": hidden,
              "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": inter,
              "max_position_embeddings": maxpos, "type_vocab_size": types, "vocab_size": vocab,
              "hidden_act": "gelu", "layer_norm_eps": 1e-5 if xlmr else 1e-12,
              "position_embedding_type": "absolute", "pad_token_id": 1 if xlmr else 0,
              "id2label": {str(i): "LABEL_%d" % i for i in range(labels)},
              "label2id": {"LABEL_%d" % i: i for i in range(labels)}}
    act = arg("--activation", "unset")
    if act != "unset":
        name = {"identity": "torch.nn.modules.linear.Identity", "sigmoid": "torch.nn.modules.activation.Sigmoid",
                "tanh": "torch.nn.modules.activation.Tanh"}.get(act, act)
        if "--st4" in sys.argv:
            config["sentence_transformers"] = {"activation_fn": name, "version": "4.0.1"}
        else:
            config["sbert_ce_default_activation_function"] = name
    json.dump(config, open(os.path.join(d, "config.json"), "w"), indent=2)
    json.dump(xlmr_tokenizer(rng) if xlmr else bert_tokenizer(vocab), open(os.path.join(d, "tokenizer.json"), "w"))


def bert_tokenizer(vocab):
    vocab_map = {w: i for i, w in enumerate(bert_ref.VOCAB)}
    for i in range(len(bert_ref.VOCAB), vocab):
        vocab_map["[unused%d]" % i] = i
    if arg("--processor", "template") == "bert":
        post = {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}
    else:
        def sp(x, ty):
            return {"SpecialToken": {"id": x, "type_id": ty}}

        def sq(x, ty):
            return {"Sequence": {"id": x, "type_id": ty}}
        post = {"type": "TemplateProcessing", "single": [sp("[CLS]", 0), sq("A", 0), sp("[SEP]", 0)],
                "pair": [sp("[CLS]", 0), sq("A", 0), sp("[SEP]", 0), sq("B", 1), sp("[SEP]", 1)],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                                   "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": i, "content": w, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True} for i, w in enumerate(bert_ref.VOCAB[:5])],
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": True},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": post,
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab_map}}


def xlmr_scores(rng):
    # Distinct scores (no ties in Viterbi); longer pieces score better.
    return [-1.0 - 8.0 / len(pc) - 0.5 * rng.random() for pc in PIECES]


def xlmr_tokenizer(rng):
    scores = xlmr_scores(np.random.default_rng(99))
    vocab = [[s, 0.0] for s in XLMR_SPECIALS] + [[pc, sc] for pc, sc in zip(PIECES, scores)]

    def sp(x):
        return {"SpecialToken": {"id": x, "type_id": 0}}

    def sq(x):
        return {"Sequence": {"id": x, "type_id": 0}}
    specials = {x: {"id": x, "ids": [i], "tokens": [x]} for i, x in enumerate(XLMR_SPECIALS)}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": i, "content": x, "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True} for i, x in enumerate(XLMR_SPECIALS)],
            "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always",
                              "split": True},
            "post_processor": {"type": "TemplateProcessing", "single": [sp("<s>"), sq("A"), sp("</s>")],
                               "pair": [sp("<s>"), sq("A"), sp("</s>"), sp("</s>"), sq("B"), sp("</s>")],
                               "special_tokens": specials},
            "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
            "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False}}


def unigram_ids(text):
    """Viterbi over PIECES for each space-separated word ("\u2581" + word)."""
    scores = xlmr_scores(np.random.default_rng(99))
    table = {pc: (i + len(XLMR_SPECIALS), sc) for i, (pc, sc) in enumerate(zip(PIECES, scores))}
    unk_score = min(scores + [0.0]) - 10.0
    out = []
    for word in text.split(" "):
        if word == "":
            continue
        w = "\u2581" + word
        n = len(w)
        best = [(-math.inf, 0, None)] * (n + 1)
        best[0] = (0.0, 0, None)
        for b in range(n):
            if best[b][0] == -math.inf:
                continue
            single = False
            for e in range(b + 1, n + 1):
                if w[b:e] in table:
                    i, sc = table[w[b:e]]
                    if e == b + 1:
                        single = True
                    if best[b][0] + sc > best[e][0]:
                        best[e] = (best[b][0] + sc, b, i)
            if not single and best[b][0] + unk_score > best[b + 1][0]:
                best[b + 1] = (best[b][0] + unk_score, b, 3)
        ids, e = [], n
        while e > 0:
            ids.append(best[e][2])
            e = best[e][1]
        ids.reverse()
        fused = []
        for i in ids:  # consecutive unknowns are one
            if not (fused and i == 3 and fused[-1] == 3):
                fused.append(i)
        out.extend(fused)
    return out


# ---- the model -----------------------------------------------------------

def load(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    return cfg, bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))


def score(cfg, w, qtext, ptext, max_tokens):
    xlmr = cfg["model_type"] == "xlm-roberta"
    p = "roberta." if xlmr else "bert."
    if xlmr:
        q, d = unigram_ids(qtext), unigram_ids(ptext)
        room = max_tokens - 4 - len(q)
        ids = [0] + q + [2, 2] + d[:room] + [2]
        types = [0] * len(ids)
        offset = cfg["pad_token_id"] + 1
    else:
        q, d = [t[0] for t in bert_ref.tokenize(qtext)], [t[0] for t in bert_ref.tokenize(ptext)]
        room = max_tokens - 3 - len(q)
        d = d[:room]
        ids = [2] + q + [3] + d + [3]
        types = [0] * (len(q) + 2) + [1] * (len(d) + 1)
        offset = 0
    assert room > 0
    H, NH = cfg["hidden_size"], cfg["num_attention_heads"]
    D, eps, T = H // NH, cfg["layer_norm_eps"], len(ids)
    x = w[p + "embeddings.word_embeddings.weight"][ids] \
        + w[p + "embeddings.position_embeddings.weight"][offset:offset + T] \
        + w[p + "embeddings.token_type_embeddings.weight"][types]
    x = bert_ref.layer_norm(x, w[p + "embeddings.LayerNorm.weight"], w[p + "embeddings.LayerNorm.bias"], eps)
    for l in range(cfg["num_hidden_layers"]):
        pre = p + "encoder.layer.%d." % l

        def lin(name, v):
            return v @ w[pre + name + ".weight"].T + w[pre + name + ".bias"]

        def heads(v):
            return v.reshape(T, NH, D).transpose(1, 0, 2)

        qh, kh, vh = (heads(lin("attention.self." + n, x)) for n in ("query", "key", "value"))
        s = qh @ kh.transpose(0, 2, 1) / math.sqrt(D)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ vh).transpose(1, 0, 2).reshape(T, H)
        x = bert_ref.layer_norm(x + lin("attention.output.dense", ctx), w[pre + "attention.output.LayerNorm.weight"],
                                w[pre + "attention.output.LayerNorm.bias"], eps)
        h = lin("intermediate.dense", x)
        h = 0.5 * h * (1 + bert_ref.erf(h / math.sqrt(2)))
        x = bert_ref.layer_norm(x + lin("output.dense", h), w[pre + "output.LayerNorm.weight"],
                                w[pre + "output.LayerNorm.bias"], eps)
    cls = x[0]
    if xlmr:
        hid = np.tanh(w["classifier.dense.weight"] @ cls + w["classifier.dense.bias"])
        logit = (w["classifier.out_proj.weight"] @ hid + w["classifier.out_proj.bias"])[0]
    else:
        hid = np.tanh(w[p + "pooler.dense.weight"] @ cls + w[p + "pooler.dense.bias"])
        logit = (w["classifier.weight"] @ hid + w["classifier.bias"])[0]
    fn = (cfg.get("sentence_transformers") or {}).get("activation_fn") or cfg.get("sbert_ce_default_activation_function")
    fn = arg("--activation-override", fn or "torch.nn.modules.activation.Sigmoid")
    if fn.endswith("Sigmoid"):
        return 1 / (1 + math.exp(-logit))
    if fn.endswith("Tanh"):
        return math.tanh(logit)
    return logit


def max_tokens_of(cfg):
    offset = cfg["pad_token_id"] + 1 if cfg["model_type"] == "xlm-roberta" else 0
    return int(arg("--max-tokens", str(cfg["max_position_embeddings"] - offset)))


def check(d, queries_path, hits_path):
    cfg, w = load(d)
    max_tokens = max_tokens_of(cfg)
    queries = {}
    for line in open(queries_path, encoding="utf-8"):
        r = json.loads(line)
        queries[str(r["id"])] = r["text"]
    n, last = 0, {}
    for line in open(hits_path, encoding="utf-8"):
        h = json.loads(line)
        want = score(cfg, w, queries[h["qid"]], h["text"], max_tokens)
        err = abs(h["score"] - want)
        if err > 1e-4:
            sys.exit("cross_ref: query %s, hit %s: score %r, expected %r" % (h["qid"], h["id"], h["score"], want))
        if h["qid"] in last and last[h["qid"]] < h["score"]:
            sys.exit("cross_ref: query %s: hit %s ranks below a lower score" % (h["qid"], h["id"]))
        last[h["qid"]] = h["score"]
        n += 1
    print("cross_ref: %d hits match within 1e-4" % n)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "score":
        cfg, w = load(sys.argv[2])
        print(score(cfg, w, sys.argv[3], sys.argv[4], max_tokens_of(cfg)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
