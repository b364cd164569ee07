#!/usr/bin/python3
"""compare.py GOLDEN.json EMBEDDED.jsonl [RTOL]: the vectors of embed's
output (one record per golden row, "embedding" or "embedding_b64") match
the golden rows within RTOL relative (default 1e-5; absolute for values
below 1e-3, scaled by the row's largest magnitude)."""
import base64
import json
import sys

import numpy as np


def vectors(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if "embedding" in r:
                out.append(np.array(r["embedding"], dtype=np.float64))
            else:
                dt = "<f2" if r.get("dtype") == "f16" else "<f4"
                out.append(np.frombuffer(base64.b64decode(r["embedding_b64"]), dt).astype(np.float64))
    return out


def main():
    golden = json.load(open(sys.argv[1]))
    got = vectors(sys.argv[2])
    rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
    if len(golden) != len(got):
        sys.exit("compare: %d golden rows, %d records" % (len(golden), len(got)))
    worst = 0.0
    for i, (g, v) in enumerate(zip(golden, got)):
        g = np.array(g, dtype=np.float64)
        if g.shape != v.shape:
            sys.exit("compare: row %d has %d values, expected %d" % (i, v.size, g.size))
        scale = np.maximum(np.abs(g), 1e-3 * np.abs(g).max())
        err = float(np.max(np.abs(v - g) / scale))
        worst = max(worst, err)
        if err > rtol:
            sys.exit("compare: row %d differs by %.3g relative (limit %g)\n got  %s\n want %s" % (i, err, rtol, v, g))
    print("compare: %d rows match within %g" % (len(got), rtol))


main()
