#!/usr/bin/python3
"""Test model and independent reference for embed's bert backend.

  bert_ref.py make DIR [--pooling mean|cls] [--normalize] [--dtype F32|F16] [--shape L,H,NH,I,P]
      writes a random-weight BERT in Hugging Face layout: config.json,
      model.safetensors (written by hand: 8-byte length, JSON header, data),
      tokenizer.json (WordPiece), 1_Pooling/config.json, modules.json.
  bert_ref.py check DIR OUT.jsonl [--max-tokens N] [--pooling P] [--tokens]
      recomputes every record's vector from its "text" with a numpy forward
      pass (float64) and compares it with embed's output (1e-4 absolute).
  bert_ref.py batch DIR IDS.json OUT.json
      IDS.json: a list of id lists; OUT.jsonl: one {"v": [...]} line per
      sequence, its token vectors (flattened) from ONE padded batch (padding
      mask), for the library's batched forward test.
  bert_ref.py late DIR DOCS.jsonl OUT.jsonl --max-tokens N --overlap O
      late chunking reference: per chunk record of embed --late's output, the
      mean of the document's token vectors (windows of N tokens incl.
      [CLS]/[SEP], overlapping by O) whose spans intersect the chunk's
      [byte_start, byte_end); compared with the record's "embedding".
Only numpy and the standard library are used.
"""
import json
import math
import os
import struct
import sys

import numpy as np

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?", "the", "a", "cat", "dog", "sat", "on",
         "mat", "and", "ran", "fast", "slow", "red", "blue", "big", "small", "house", "tree", "play", "##ing", "##s",
         "##ed", "jump", "walk", "is", "was", "it", "in", "of", "to", "hello", "world", "late", "chunk", "token",
         "model", "embed", "##er", "un", "##k"]


def arg(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


# ---- the model -----------------------------------------------------------

def make(d):
    layers, hidden, heads, inter, maxpos = map(int, arg("--shape", "2,32,4,64,64").split(","))
    vocab = int(arg("--vocab", str(len(VOCAB))))
    dtype = arg("--dtype", "F32")
    rng = np.random.default_rng(int(arg("--seed", "7")))
    t = {}
    random_encoder(t, rng, "", vocab, maxpos, 2, layers, hidden, inter)
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    write_safetensors(os.path.join(d, "model.safetensors"), t, dtype)
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": hidden,
              "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": inter,
              "max_position_embeddings": maxpos, "type_vocab_size": 2, "vocab_size": vocab,
              "hidden_act": "gelu", "layer_norm_eps": 1e-12, "position_embedding_type": "absolute"}
    json.dump(config, open(os.path.join(d, "config.json"), "w"), indent=2)
    pooling = arg("--pooling", "mean")
    json.dump({"word_embedding_dimension": hidden, "pooling_mode_cls_token": pooling == "cls",
               "pooling_mode_mean_tokens": pooling == "mean", "pooling_mode_max_tokens": False},
              open(os.path.join(d, "1_Pooling", "config.json"), "w"))
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if "--normalize" in sys.argv:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    json.dump(modules, open(os.path.join(d, "modules.json"), "w"))
    vocab_map = {w: i for i, w in enumerate(VOCAB)}
    for i in range(len(VOCAB), vocab):
        vocab_map["[unused%d]" % i] = i
    tok = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [{"id": i, "content": w, "single_word": False, "lstrip": False, "rstrip": False,
                             "normalized": False, "special": True} for i, w in enumerate(VOCAB[:5])],
           "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                          "strip_accents": None, "lowercase": True},
           "pre_tokenizer": {"type": "BertPreTokenizer"},
           "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
           "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
           "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                     "max_input_chars_per_word": 100, "vocab": vocab_map}}
    json.dump(tok, open(os.path.join(d, "tokenizer.json"), "w"))


def random_encoder(t, rng, prefix, vocab, maxpos, types, layers, hidden, inter):
    """Adds a random BERT encoder's tensors (names after prefix) to t; returns
    mat(name, *shape, scale) that adds more of the same kind."""
    def mat(name, *shape, scale=0.2):
        t[name] = (rng.standard_normal(shape) * scale).astype(np.float32)

    def ln(name):
        t[name + ".weight"] = (1 + 0.1 * rng.standard_normal(hidden)).astype(np.float32)
        t[name + ".bias"] = (0.1 * rng.standard_normal(hidden)).astype(np.float32)

    mat(prefix + "embeddings.word_embeddings.weight", vocab, hidden, scale=0.5)
    mat(prefix + "embeddings.position_embeddings.weight", maxpos, hidden, scale=0.5)
    mat(prefix + "embeddings.token_type_embeddings.weight", types, hidden, scale=0.5)
    ln(prefix + "embeddings.LayerNorm")
    for l in range(layers):
        p = prefix + "encoder.layer.%d." % l
        for part in ("query", "key", "value"):
            mat(p + "attention.self.%s.weight" % part, hidden, hidden)
            mat(p + "attention.self.%s.bias" % part, hidden, scale=0.1)
        mat(p + "attention.output.dense.weight", hidden, hidden)
        mat(p + "attention.output.dense.bias", hidden, scale=0.1)
        ln(p + "attention.output.LayerNorm")
        mat(p + "intermediate.dense.weight", inter, hidden)
        mat(p + "intermediate.dense.bias", inter, scale=0.1)
        mat(p + "output.dense.weight", hidden, inter)
        mat(p + "output.dense.bias", hidden, scale=0.1)
        ln(p + "output.LayerNorm")
    return mat


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {}, [], 0
    for name, a in tensors.items():
        a = a.astype("<f2" if dtype == "F16" else "<f4")
        b = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, m in header.items():
        if name == "__metadata__":
            continue
        b, e = m["data_offsets"]
        dt = {"F32": "<f4", "F16": "<f2"}[m["dtype"]]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dt).astype(np.float64).reshape(m["shape"])
    return out


def load(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    return cfg, read_safetensors(os.path.join(d, "model.safetensors"))


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


erf = np.vectorize(math.erf)


def forward(cfg, w, batch):
    """Token vectors for a padded batch: (B, T, H) and the mask (B, T)."""
    B, T = len(batch), max(len(s) for s in batch)
    H, NH = cfg["hidden_size"], cfg["num_attention_heads"]
    D, eps = H // NH, cfg["layer_norm_eps"]
    ids = np.zeros((B, T), dtype=np.int64)
    mask = np.zeros((B, T))
    for i, s in enumerate(batch):
        ids[i, :len(s)] = s
        mask[i, :len(s)] = 1
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:T][None] \
        + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    neg = (1 - mask)[:, None, None, :] * -1e30
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l

        def lin(name, v):
            return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        def heads(v):
            return v.reshape(B, T, NH, D).transpose(0, 2, 1, 3)

        q, k, v = (heads(lin("attention.self." + n, x)) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(D) + neg
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
        x = layer_norm(x + lin("attention.output.dense", ctx), w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h = lin("intermediate.dense", x)
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        x = layer_norm(x + lin("output.dense", h), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
                       eps)
    return x, mask


# ---- the tokenizer (BertNormalizer lowercase, BertPreTokenizer, WordPiece) -

def is_punct(ch):
    o = ord(ch)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    import unicodedata
    return unicodedata.category(ch).startswith("P")


def tokenize(text):
    """[(id, byte_begin, byte_end)] for ASCII-ish text."""
    vocab = {w: i for i, w in enumerate(VOCAB)}
    words, cur, start = [], "", 0
    for i, ch in enumerate(text):
        if ch.isspace() or is_punct(ch):
            if cur:
                words.append((cur, start))
            cur = ""
            if is_punct(ch):
                words.append((ch, i))
        else:
            if not cur:
                start = i
            cur += ch
    if cur:
        words.append((cur, start))
    out = []
    for word, s in words:
        low = word.lower()
        pieces, b = [], 0
        while b < len(low):
            e = len(low)
            while e > b:
                piece = low[b:e] if b == 0 else "##" + low[b:e]
                if piece in vocab:
                    break
                e -= 1
            if e == b:
                pieces = None
                break
            pieces.append((vocab[piece], s + b, s + e))
            b = e
        out.extend(pieces if pieces is not None else [(1, s, s + len(word))])
    enc = text.encode("utf-8")
    assert len(enc) == len(text), "tests use ASCII text"
    return out


# ---- commands ------------------------------------------------------------

def pooled(cfg, w, text, max_tokens, pooling, normalize):
    toks = tokenize(text)[:max_tokens - 2]
    ids = [2] + [t[0] for t in toks] + [3]
    x, _ = forward(cfg, w, [ids])
    v = x[0, 0] if pooling == "cls" else x[0].mean(0)
    if normalize:
        v = v / np.linalg.norm(v)
    return v, x[0]


def check(d, out):
    cfg, w = load(d)
    max_tokens = int(arg("--max-tokens", str(cfg["max_position_embeddings"])))
    pool_cfg = json.load(open(os.path.join(d, "1_Pooling", "config.json")))
    pooling = arg("--pooling", "cls" if pool_cfg["pooling_mode_cls_token"] else "mean")
    normalize = "Normalize" in open(os.path.join(d, "modules.json")).read()
    n, worst = 0, 0.0
    for line in open(out, encoding="utf-8"):
        r = json.loads(line)
        v, tokens = pooled(cfg, w, r["text"], max_tokens, pooling, normalize)
        if "--tokens" in sys.argv:
            got = np.array(r["token_embeddings"])
            want = tokens
        else:
            got = np.array(r["embedding"])
            want = v
        if got.shape != want.shape:
            sys.exit("bert_ref: %r: shape %s, expected %s" % (r["text"], got.shape, want.shape))
        err = float(np.abs(got - want).max())
        worst = max(worst, err)
        if err > 1e-4:
            sys.exit("bert_ref: %r differs by %g" % (r["text"], err))
        n += 1
    print("bert_ref: %d records match within 1e-4" % n)


def batch(d, ids_path, out_path):
    cfg, w = load(d)
    seqs = json.load(open(ids_path))
    x, _ = forward(cfg, w, seqs)
    with open(out_path, "w") as f:
        for i, s in enumerate(seqs):
            f.write(json.dumps({"v": x[i, :len(s)].reshape(-1).tolist()}) + "\n")


def late(d, docs_path, out_path):
    cfg, w = load(d)
    L, O = int(arg("--max-tokens")), int(arg("--overlap", "0"))
    room = L - 2
    docs = {}
    for line in open(docs_path, encoding="utf-8"):
        r = json.loads(line)
        docs[str(r["id"])] = r["text"]
    cache, n = {}, 0
    if True:
        for line in open(out_path, encoding="utf-8"):
            c = json.loads(line)
            doc = str(c["doc"])
            if doc not in cache:
                toks = tokenize(docs[doc])
                vecs, spans, start = [], [], 0
                while True:
                    end = min(len(toks), start + room)
                    x, _ = forward(cfg, w, [[2] + [t[0] for t in toks[start:end]] + [3]])
                    skip = 0 if start == 0 else O
                    for i in range(start + skip, end):
                        vecs.append(x[0, 1 + i - start])
                        spans.append(toks[i][1:])
                    if end == len(toks):
                        break
                    start = end - O
                cache = {doc: (vecs, spans)}
            vecs, spans = cache[doc]
            sel = [v for v, (b, e) in zip(vecs, spans) if b < c["byte_end"] and e > c["byte_start"]]
            v = np.mean(sel, axis=0) if sel else np.zeros(cfg["hidden_size"])
            err = float(np.abs(np.array(c["embedding"]) - v).max())
            if err > 1e-4:
                sys.exit("bert_ref: chunk %s differs by %g" % (c["id"], err))
            n += 1
    print("bert_ref: %d chunks match within 1e-4" % n)


def main():
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3])
    elif cmd == "batch":
        batch(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "late":
        late(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
