#!/usr/bin/python3
"""SentencePiece's precompiled_charsmap, built here for tests.

precompiled_ref.py tokenizer OUT.json [newer]: writes a tokenizer.json whose
normalizer is Sequence[Precompiled, Replace " {2,}" -> " "] (as Hugging Face
converts XLM-R's SentencePiece model; with "newer", Sequence[Precompiled,
Strip(right), Replace " {2,}" -> U+2581] as newer conversions of bge-m3 and
multilingual-e5 have it), a Metaspace pre-tokenizer and a
Unigram model over PIECES. The charsmap is a darts-clone double array (the
unit layout spm_precompiled and SentencePiece read: label in bits 0-7 and 31,
has-leaf bit 8, offset in bits 10-31 with the extension bit 9; a node's
value sits in its child of label 0) over the UTF-8 keys of RULES, followed by
the NUL-terminated replacements.
"""
import base64
import json
import struct
import sys

# Keys as SentencePiece's nmt_nfkc map has them (NFKC compatibility cases).
RULES = {
    "\uff21": "A",            # FULLWIDTH LATIN CAPITAL LETTER A
    "\uff42": "b",            # FULLWIDTH LATIN SMALL LETTER B
    "\ufb01": "fi",           # LATIN SMALL LIGATURE FI
    "e\u0301": "\u00e9",      # e + COMBINING ACUTE: composed (a grapheme key)
    "\u2460": "1",            # CIRCLED DIGIT ONE
    "\u3000": " ",            # IDEOGRAPHIC SPACE
    "\u2026": "...",          # HORIZONTAL ELLIPSIS
    "\u00ad": "",             # SOFT HYPHEN: removed
    "\t": " ",
    "\u337f": "\u682a\u5f0f\u4f1a\u793e",  # SQUARE CORPORATION
    "\uff76": "\u30ab",       # HALFWIDTH KATAKANA KA
}


def build(values):
    """A darts-clone-compatible double array over {bytes key: value}."""
    trie = {}
    for k, v in values.items():
        node = trie
        for b in k:
            node = node.setdefault(b, {})
        node[0] = v  # label 0: the value
    units = [0] * 256
    bases = set()  # each parent's block base q is its own
    taken = {0}

    def place(node, pos):
        labels = sorted(node)
        q = 256
        while True:
            while len(units) < q + 256:
                units.extend([0] * 256)
            if q not in bases and all((q ^ c) not in taken for c in labels):
                break
            q += 1
        bases.add(q)
        off = pos ^ q
        assert off < (1 << 21)
        units[pos] |= off << 10
        for c in labels:
            taken.add(q ^ c)
            if c == 0:
                units[q] = node[0] | (1 << 31)
                units[pos] |= 1 << 8  # has a leaf
            else:
                units[q ^ c] |= c
        for c in labels:
            if c != 0:
                place(node[c], q ^ c)

    place(trie, 0)
    return units


def charsmap(rules):
    blob = b""
    values = {}
    for k, v in rules.items():
        values[k.encode()] = len(blob)
        blob += v.encode() + b"\0"
    units = build(values)
    return struct.pack("<I", 4 * len(units)) + struct.pack("<%dI" % len(units), *units) + blob


PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581", "\u2581A", "b", "fi", "\u2581\u00e9t\u00e9", "\u2581caf\u00e9",
          "1", "...", "\u2581x", "x", "\u682a\u5f0f\u4f1a\u793e", "\u2581\u30ab", "\u2581fi", "\u2581the", "t", "e",
          "\u00e9", "c", "a", "f", "h"]


def tokenizer(newer=False):
    # Whole words score above the sum of their pieces.
    vocab = [[p, 0.0 if i < 4 else (-1.0 if len(p) > 2 else -2.0 - 0.1 * i)] for i, p in enumerate(PIECES)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": p, "special": True} for i, p in enumerate(PIECES[:4])],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap(RULES)).decode()},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
        if not newer else {"type": "Sequence", "normalizers": [
            {"type": "Precompiled", "precompiled_charsmap": base64.b64encode(charsmap(RULES)).decode()},
            {"type": "Strip", "strip_left": False, "strip_right": True},
            {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": "\u2581"}]},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}},
                                      {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                           "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                              "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
        "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] != "tokenizer" or sys.argv[3:] not in ([], ["newer"]):
        sys.exit(__doc__)
    with open(sys.argv[2], "w") as f:
        json.dump(tokenizer(newer=len(sys.argv) == 4), f, ensure_ascii=False)
