#!/usr/bin/python3
"""Independent reimplementation of embed's hash backend (embed(1), HASH
BACKEND), written from the man page. Usage:
  hash_ref.py check DIM EMBEDDED.jsonl   compare embed's output bit for bit
  hash_ref.py show DIM TEXT              print the vector
"""
import json
import math
import struct
import sys
import unicodedata

MASK = (1 << 64) - 1


def fnv1a(data, h=0xCBF29CE484222325):
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & MASK
    return h


def simple_lower(ch):
    low = ch.lower()
    if len(low) == 1:
        return low
    return {"\u0130": "i"}.get(ch, ch)


def words(text):
    out, cur = [], []
    for ch in text:
        if unicodedata.category(ch)[0] in "LMN":
            cur.append(simple_lower(ch))
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def features(text):
    ws = words(text)
    for i, w in enumerate(ws):
        yield "w:" + w
        if i > 0:
            yield "b:" + ws[i - 1] + " " + w
        p = "<" + w + ">"
        for s in range(len(p) - 2):
            for n in (3, 4, 5):
                if s + n <= len(p):
                    yield "c:" + p[s:s + n]


def embed(text, dim):
    counts = {}
    for f in features(text):
        h = fnv1a(f.encode("utf-8")) or 1
        counts[h] = counts.get(h, 0) + 1
    acc = [0.0] * dim
    for h, c in counts.items():
        w = math.sqrt(c)
        acc[(h & 0xFFFFFFFF) % dim] += -w if h >> 63 else w
    norm2 = 0.0
    for v in acc:
        norm2 += v * v
    scale = math.sqrt(norm2) if norm2 > 0 else 1.0
    return [f32(v / scale) for v in acc]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def main():
    mode, dim = sys.argv[1], int(sys.argv[2])
    if mode == "show":
        print(json.dumps(embed(sys.argv[3], dim)))
        return
    n = 0
    with open(sys.argv[3], encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            want = embed(rec["text"], dim)
            got = [f32(v) for v in rec["embedding"]]
            if got != want or rec["dim"] != dim:
                sys.exit("mismatch for %r:\n got  %r\n want %r" % (rec["text"], got, want))
            n += 1
    print("hash_ref: %d records match" % n)


main()
