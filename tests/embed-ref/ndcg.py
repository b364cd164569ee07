#!/usr/bin/python3
"""ndcg.py DOCS.jsonl QUERIES.jsonl QRELS.tsv: nDCG@10 of exact (flat)
cosine retrieval over embed's output (ids in "_id" or "id", vectors in
"embedding" or "embedding_b64"); qrels as BEIR test.tsv. For
scripts/bench/embed."""
import base64
import json
import math
import sys

import numpy as np


def load(path):
    ids, vecs = [], []
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        ids.append(str(r.get("_id", r.get("id"))))
        if "embedding" in r:
            vecs.append(np.array(r["embedding"], dtype=np.float32))
        else:
            vecs.append(np.frombuffer(base64.b64decode(r["embedding_b64"]), "<f4"))
    m = np.stack(vecs)
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    return ids, m


def main():
    dids, d = load(sys.argv[1])
    qids, q = load(sys.argv[2])
    qrels = {}
    with open(sys.argv[3]) as f:
        next(f)
        for line in f:
            qi, di, s = line.split("\t")
            if int(s) > 0:
                qrels.setdefault(qi, {})[di] = int(s)
    scores = q @ d.T
    total, n = 0.0, 0
    for i, qi in enumerate(qids):
        if qi not in qrels:
            continue
        top = np.argsort(-scores[i], kind="stable")[:10]
        dcg = sum(qrels[qi].get(dids[j], 0) / math.log2(r + 2) for r, j in enumerate(top))
        ideal = sorted(qrels[qi].values(), reverse=True)[:10]
        idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
        total += dcg / idcg
        n += 1
    print("nDCG@10 %.4f over %d queries" % (total / n, n))


main()
