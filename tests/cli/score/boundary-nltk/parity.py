"""Parity of score's Pk and WindowDiff with nltk.metrics.segmentation.

make DIR: writes DIR/gold.jsonl (random segmentations, with sentences) and
DIR/chunks.jsonl (random chunkings of the same documents, starts anywhere).
check UNIT OUT: recomputes every document's Pk and WindowDiff with NLTK
(units: code points, or the gold's sentences with chunk starts on the
nearest sentence start, ties to the earlier) and compares with score's
per-document output (score --gold ... -q).
"""
import bisect
import json
import random
import sys

from nltk.metrics.segmentation import pk, windowdiff


def make(d):
    rnd = random.Random(20261122)
    with open(d + "/gold.jsonl", "w") as g, open(d + "/chunks.jsonl", "w") as c:
        for n in range(150):
            # Sentences of 1-30 code points, 3-40 of them.
            starts, pos = [], 0
            for _ in range(rnd.randint(3, 40)):
                starts.append(pos)
                pos += rnd.randint(1, 30)
            length = pos
            sents = [[s, e] for s, e in zip(starts, starts[1:] + [length])]
            cuts = sorted(rnd.sample(starts[1:], rnd.randint(0, min(6, len(starts) - 1))))
            bounds = [0] + cuts + [length]
            segs = [[a, b] for a, b in zip(bounds, bounds[1:])]
            g.write(json.dumps({"id": "d%d" % n, "segments": segs, "sentences": sents}) + "\n")
            hyp = sorted(set(rnd.sample(range(1, length), rnd.randint(0, min(8, length - 1)))))
            hb = [0] + hyp + [length]
            for i, (a, b) in enumerate(zip(hb, hb[1:])):
                c.write(json.dumps({"id": "d%d#%d" % (n, i), "doc": "d%d" % n, "start": a, "end": b}) + "\n")


def labels(units, positions):
    out = ["0"] * len(units)
    for p in positions:
        j = bisect.bisect_left(units, p)
        if j == len(units) or (j > 0 and p - units[j - 1] <= units[j] - p):
            j -= 1
        if j > 0:
            out[j - 1] = "1"
    return "".join(out)


def check(unit, d, out):
    gold = {}
    for line in open(d + "/gold.jsonl"):
        r = json.loads(line)
        gold[r["id"]] = r
    starts = {}
    for line in open(d + "/chunks.jsonl"):
        r = json.loads(line)
        starts.setdefault(r["doc"], []).append(r["start"])
    n = 0
    for line in open(out):
        r = json.loads(line)
        if r["doc"] == "all":
            continue
        g = gold[r["doc"]]
        length = g["segments"][-1][1]
        units = list(range(length)) if unit == "char" else [s for s, _ in g["sentences"]]
        ref = labels(units, [s for s, _ in g["segments"][1:]])
        hyp = labels(units, sorted(starts.get(r["doc"], []))[1:])
        k = int(round(len(ref) / (max(ref.count("1"), 1) * 2.0)))
        k = min(max(k, 1), len(ref))
        want_pk, want_wd = pk(ref, hyp, k), windowdiff(ref, hyp, k)
        if abs(want_pk - r["pk"]) > 1e-12 or abs(want_wd - r["windowdiff"]) > 1e-12:
            sys.exit("parity: %s: nltk pk %r windowdiff %r, score %r %r" % (r["doc"], want_pk, want_wd, r["pk"],
                                                                             r["windowdiff"]))
        n += 1
    print("parity: %d documents match nltk's pk and windowdiff" % n)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
