#!/usr/bin/python3
"""Test model and independent reference for embed's model2vec backend.

  model2vec_ref.py make DIR [--quantized] [--no-normalize]
      a static model over bert_ref.py's WordPiece vocabulary: embeddings
      [V, 8] F32, or for --quantized embeddings [16, 8] plus mapping [V] I32
      and weights [V] F64 (vocabulary quantization).
  model2vec_ref.py check DIR OUT.jsonl
      recomputes each record's vector (reference algorithm: tokenize without
      specials, drop [UNK], keep 512 ids, mean of rows through mapping times
      weights, zero vector for none, normalize per config) and compares
      within 1e-6.
"""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_ref  # noqa: E402


def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name, (dtype, a) in tensors.items():
        b = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def make(d):
    bert_ref.make(d)  # for its tokenizer.json
    for f in ("model.safetensors", "config.json", "modules.json"):
        os.remove(os.path.join(d, f))
    V = len(bert_ref.VOCAB)
    rng = np.random.default_rng(11)
    if "--quantized" in sys.argv:
        t = {"embeddings": ("F32", rng.standard_normal((16, 8)).astype("<f4")),
             "mapping": ("I32", rng.integers(0, 16, V).astype("<i4")),
             "weights": ("F64", rng.uniform(0.1, 2.0, V).astype("<f8"))}
    else:
        t = {"embeddings": ("F32", rng.standard_normal((V, 8)).astype("<f4"))}
    write(os.path.join(d, "model.safetensors"), t)
    json.dump({"model_type": "model2vec", "architectures": ["StaticModel"], "hidden_dim": 8,
               "normalize": "--no-normalize" not in sys.argv}, open(os.path.join(d, "config.json"), "w"))


def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    out = {}
    for name, m in json.loads(raw[8:8 + n]).items():
        b, e = m["data_offsets"]
        dt = {"F32": "<f4", "F64": "<f8", "I32": "<i4"}[m["dtype"]]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dt).reshape(m["shape"])
    return out


def check(d, out_path):
    t = read(os.path.join(d, "model.safetensors"))
    normalize = json.load(open(os.path.join(d, "config.json")))["normalize"]
    emb = t["embeddings"].astype(np.float64)
    n = 0
    for line in open(out_path, encoding="utf-8"):
        r = json.loads(line)
        ids = [i for i, _, _ in bert_ref.tokenize(r["text"]) if i != 1][:512]
        v = np.zeros(emb.shape[1])
        for i in ids:
            row = t["mapping"][i] if "mapping" in t else i
            v += emb[row] * (t["weights"][i] if "weights" in t else 1.0)
        v /= max(len(ids), 1)
        if normalize:
            v /= max(np.linalg.norm(v), 1e-12)
        err = float(np.abs(np.array(r["embedding"]) - v).max())
        if err > 1e-6:
            sys.exit("model2vec_ref: %r differs by %g:\n got  %s\n want %s" % (r["text"], err, r["embedding"], v))
        n += 1
    print("model2vec_ref: %d records match within 1e-6" % n)


if __name__ == "__main__":
    {"make": lambda: make(sys.argv[2]), "check": lambda: check(sys.argv[2], sys.argv[3])}[sys.argv[1]]()
