#!/usr/bin/python3
"""Random-weight models and an independent numpy reference for embed's
encoder families beyond BERT, in their Hugging Face layouts (config keys and
tensor names as the families' modeling code reads them):

  nomic     NomicBERT (model_type nomic_bert; nomic-embed-text v1/v1.5):
            rotary (GPT-NeoX halves), SwiGLU fc11 * silu(fc12), post-norm.
  modernbert ModernBERT (gte-modernbert, modernbert-embed): rotary with a
            global and a local theta, GeGLU (Wi = [input | gate]), no biases,
            pre-norm, every 3rd layer global, the others a sliding window.
  jina      Jina v2 (JinaBERT: model_type bert, position_embedding_type
            alibi, feed_forward_type geglu): ALiBi, GLU MLP, post-norm.
  xlmr      XLM-RoBERTa (multilingual-e5, bge-m3): BERT with positions
            offset by padding_idx + 1, a Unigram tokenizer.
  qwen3     Qwen3 (Qwen3-Embedding): RMSNorm, GQA, per-head q/k RMSNorm,
            rotary, SwiGLU, causal attention, last-token pooling.

  encoders_ref.py make DIR --family F [--shape L,H,NH,I,P] [--kv N] [--head-dim D]
        [--dtype F32|F16] [--pooling mean|cls|last] [--normalize] [--vocab V] [--seed S]
        [--window W] [--prompts]
  encoders_ref.py batch DIR IDS.json OUT.jsonl
        token vectors of each id sequence (one {"v": [...]} line each), float64.
  encoders_ref.py check DIR OUT.jsonl [--max-tokens N] [--prefix TEXT] [--dimensions N]
        [--tol T] [--pooling P]
        recomputes every record's "embedding" from its "text" (the family's
        tokenizer as this script builds it) and compares (1e-4 absolute).
  encoders_ref.py late DIR DOCS.jsonl OUT.jsonl --max-tokens N --overlap O
        late chunking reference (as bert_ref.py late), for the family's
        special tokens.
Only numpy and the standard library are used.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_ref  # noqa: E402  (write_safetensors, read_safetensors, WordPiece tokenizer)

WORDS = ["the", "a", "cat", "dog", "sat", "on", "mat", "and", "ran", "fast", "slow", "red", "blue", "big", "small",
         "house", "tree", "is", "was", "it", "in", "of", "to", "hello", "world", "late", "chunk", "token", "model",
         "embed", ".", ",", "!"]


def arg(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


# ---- tokenizers ------------------------------------------------------------
# nomic and jina: BERT's WordPiece (bert_ref's). xlmr: Unigram with
# Metaspace; every test word is a piece "\u2581word" of higher score than any
# split of it, plus single characters. modernbert and qwen3: byte-level BPE
# whose merges build every test word (with its leading space, "\u0120word").

SP = "\u2581"


def unigram_vocab():
    pieces = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    for w in WORDS:
        pieces.append([SP + w, -2.0 - 0.01 * len(pieces)])
    chars = sorted(set("".join(WORDS)) | set("xyz"))
    for ch in chars:
        pieces.append([ch, -8.0])
    pieces.append([SP, -5.0])
    return pieces


def byte_chars():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + \
        list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def bpe_vocab():
    """(vocab {piece: id}, merges [(a, b)]): the 256 bytes, then merges
    building "\u0120word" and "word" left to right."""
    bc = byte_chars()
    vocab = {}
    for b in range(256):
        vocab[bc[b]] = len(vocab)
    merges = []
    for w in WORDS:
        for form in ("\u0120" + w, w):
            cur = form[0]
            for ch in form[1:]:
                if cur + ch not in vocab:
                    merges.append((cur, ch))
                    vocab[cur + ch] = len(vocab)
                cur += ch
    return vocab, merges


def specials(family):
    """(prefix ids, suffix ids, special tokens list [(text, id)])."""
    if family in ("nomic", "jina"):
        return [2], [3], None
    if family == "xlmr":
        return [0], [2], None
    vocab, _ = bpe_vocab()
    n = len(vocab)
    if family == "modernbert":  # [CLS] ... [SEP]
        return [n], [n + 1], [("[CLS]", n), ("[SEP]", n + 1), ("[PAD]", n + 2)]
    return [], [n], [("<|endoftext|>", n), ("<|im_start|>", n + 1)]  # qwen3: the post-processor appends EOS


def tokenize(family, text):
    """[(id, byte_begin, byte_end)] for ASCII test text."""
    assert len(text.encode()) == len(text), "tests use ASCII text"
    if family in ("nomic", "jina"):
        return bert_ref.tokenize(text)
    if family == "xlmr":
        pieces = unigram_vocab()
        ids = {p: i for i, (p, _) in enumerate(pieces)}
        score = {p: s for p, s in pieces}
        out, pos = [], 0
        for word in text.split(" "):
            if word:
                # Viterbi over "\u2581" + word (best total score); a character
                # no piece starts with gets <unk> (score: the lowest - 10),
                # and consecutive <unk>s fuse (as tokenizers' Unigram does).
                s = SP + word
                unk_score = min(score.values()) - 10
                best = [None] * (len(s) + 1)
                best[0] = (0.0, 0, None)
                for b in range(len(s)):
                    if best[b] is None:
                        continue
                    cands = [(s[b:e], e) for e in range(b + 1, len(s) + 1) if s[b:e] in score]
                    if not any(e == b + 1 for _, e in cands):
                        cands.append(("<unk>", b + 1))
                    for p, e in cands:
                        v = best[b][0] + (unk_score if p == "<unk>" else score[p])
                        if best[e] is None or v > best[e][0]:
                            best[e] = (v, b, p)
                toks, e = [], len(s)
                while e > 0:
                    _, b, p = best[e]
                    if toks and p == "<unk>" and toks[-1][0] == 3:
                        toks[-1] = (3, b, toks[-1][2])
                    else:
                        toks.append((ids[p], b, e))
                    e = b
                for i, b, e in reversed(toks):
                    # "\u2581" stands for the space before the word (none for the first)
                    bb = pos + b - 1 if b > 0 else (pos - 1 if pos > 0 else 0)
                    out.append((i, bb, pos + e - 1))
            pos += len(word) + 1
        return out
    vocab, merges = bpe_vocab()
    rank = {m: i for i, m in enumerate(merges)}
    bc = byte_chars()
    out = []
    # Pre-tokenization for the test texts: words with their leading space, punctuation alone.
    i = 0
    while i < len(text):
        j = i + (1 if text[i] == " " else 0)
        if j < len(text) and text[j].isalpha():
            while j < len(text) and text[j].isalpha():
                j += 1
        elif j < len(text) and text[j] != " ":
            j += 1
        elif j == i + 1 and (j == len(text) or text[j] == " "):
            pass
        piece = text[i:j]
        syms = [[bc[ord(ch)], i + k, i + k + 1] for k, ch in enumerate(piece)]
        while len(syms) > 1:
            best = min(range(len(syms) - 1), key=lambda k: (rank.get((syms[k][0], syms[k + 1][0]), 1e18), k))
            if (syms[best][0], syms[best + 1][0]) not in rank:
                break
            syms[best:best + 2] = [[syms[best][0] + syms[best + 1][0], syms[best][1], syms[best + 1][2]]]
        out.extend((vocab[s], b, e) for s, b, e in syms)
        i = j
    return out


def write_tokenizer(family, d, max_length=None):
    trunc = None if max_length is None else {"direction": "Right", "max_length": max_length, "strategy": "LongestFirst",
                                             "stride": 0}
    if family in ("nomic", "jina"):
        return  # bert_ref's WordPiece tokenizer.json, written by make()
    if family == "xlmr":
        tok = {"version": "1.0", "truncation": trunc, "padding": None,
               "added_tokens": [{"id": i, "content": c, "special": True} for i, c in
                                enumerate(["<s>", "<pad>", "</s>", "<unk>"])],
               "normalizer": None,
               "pre_tokenizer": {"type": "Metaspace", "replacement": SP, "prepend_scheme": "always", "split": True},
               "post_processor": {"type": "TemplateProcessing",
                                  "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                             {"Sequence": {"id": "A", "type_id": 0}},
                                             {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                                  "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                                                     "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
               "decoder": {"type": "Metaspace", "replacement": SP, "prepend_scheme": "always", "split": True},
               "model": {"type": "Unigram", "unk_id": 3, "vocab": unigram_vocab(), "byte_fallback": False}}
    else:
        vocab, merges = bpe_vocab()
        pre, suf, sp = specials(family)
        single = [{"SpecialToken": {"id": t, "type_id": 0}} for t, i in sp if i in pre] + \
            [{"Sequence": {"id": "A", "type_id": 0}}] + \
            [{"SpecialToken": {"id": t, "type_id": 0}} for t, i in sp if i in suf]
        st = {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in sp if i in pre + suf}
        if family == "modernbert":
            pre_tok = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
            norm = None
        else:
            pre_tok = {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN_PATTERN}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
            norm = {"type": "NFC"}
        tok = {"version": "1.0", "truncation": trunc, "padding": None,
               "added_tokens": [{"id": i, "content": t, "special": True, "single_word": False, "lstrip": False,
                                 "rstrip": False, "normalized": False} for t, i in sp],
               "normalizer": norm, "pre_tokenizer": pre_tok,
               "post_processor": {"type": "TemplateProcessing", "single": single, "pair": single,
                                  "special_tokens": st},
               "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
               "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                         "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                         "ignore_merges": False, "vocab": vocab, "merges": [a + " " + b for a, b in merges]}}
    json.dump(tok, open(os.path.join(d, "tokenizer.json"), "w"))


QWEN_PATTERN = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")


def vocab_size(family):
    if family in ("nomic", "jina"):
        return len(bert_ref.VOCAB)
    if family == "xlmr":
        return len(unigram_vocab())
    vocab, _ = bpe_vocab()
    return len(vocab) + 3


# ---- make ------------------------------------------------------------------

def make(d):
    family = arg("--family")
    layers, H, NH, I, P = map(int, arg("--shape", "3,32,4,48,64").split(","))
    vocab = int(arg("--vocab", str(vocab_size(family))))
    rng = np.random.default_rng(int(arg("--seed", "11")))
    t = {}
    os.makedirs(d, exist_ok=True)

    def mat(name, *shape, scale=0.2):
        t[name] = (rng.standard_normal(shape) * scale).astype(np.float32)

    def gain(name, n):
        t[name] = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    def ln(prefix, n=H, bias=True):
        gain(prefix + ".weight", n)
        if bias:
            t[prefix + ".bias"] = (0.1 * rng.standard_normal(n)).astype(np.float32)

    pooling = arg("--pooling", {"qwen3": "last", "modernbert": "cls"}.get(family, "mean"))
    if family == "nomic":
        config = {"architectures": ["NomicBertModel"], "model_type": "nomic_bert", "vocab_size": vocab,
                  "n_embd": H, "n_layer": layers, "n_head": NH, "n_inner": I, "n_positions": P,
                  "layer_norm_epsilon": 1e-12, "rotary_emb_fraction": 1.0, "rotary_emb_base": 1000,
                  "rotary_emb_interleaved": False, "rotary_scaling_factor": None, "qkv_proj_bias": False,
                  "mlp_fc1_bias": False, "mlp_fc2_bias": False, "activation_function": "swiglu", "prenorm": False,
                  "type_vocab_size": 2, "max_trained_positions": P, "use_rms_norm": False}
        mat("embeddings.word_embeddings.weight", vocab, H, scale=0.5)
        mat("embeddings.token_type_embeddings.weight", 2, H, scale=0.5)
        ln("emb_ln")
        for l in range(layers):
            p = "encoder.layers.%d." % l
            mat(p + "attn.Wqkv.weight", 3 * H, H)
            mat(p + "attn.out_proj.weight", H, H)
            mat(p + "mlp.fc11.weight", I, H)
            mat(p + "mlp.fc12.weight", I, H)
            mat(p + "mlp.fc2.weight", H, I)
            ln(p + "norm1")
            ln(p + "norm2")
    elif family == "modernbert":
        window = int(arg("--window", "8"))
        config = {"architectures": ["ModernBertModel"], "model_type": "modernbert", "vocab_size": vocab,
                  "hidden_size": H, "num_hidden_layers": layers, "num_attention_heads": NH, "intermediate_size": I,
                  "max_position_embeddings": P, "norm_eps": 1e-5, "norm_bias": False, "attention_bias": False,
                  "mlp_bias": False, "global_rope_theta": 160000.0, "local_rope_theta": 10000.0,
                  "local_attention": window, "global_attn_every_n_layers": 3, "hidden_activation": "gelu",
                  "pad_token_id": vocab - 1, "cls_token_id": vocab - 3, "sep_token_id": vocab - 2}
        mat("model.embeddings.tok_embeddings.weight", vocab, H, scale=0.5)
        ln("model.embeddings.norm", bias=False)
        for l in range(layers):
            p = "model.layers.%d." % l
            if l > 0:
                ln(p + "attn_norm", bias=False)
            mat(p + "attn.Wqkv.weight", 3 * H, H)
            mat(p + "attn.Wo.weight", H, H)
            ln(p + "mlp_norm", bias=False)
            mat(p + "mlp.Wi.weight", 2 * I, H)
            mat(p + "mlp.Wo.weight", H, I)
        ln("model.final_norm", bias=False)
    elif family in ("jina", "xlmr"):
        if family == "jina":
            config = {"architectures": ["JinaBertForMaskedLM"], "model_type": "bert", "vocab_size": vocab,
                      "hidden_size": H, "num_hidden_layers": layers, "num_attention_heads": NH,
                      "intermediate_size": I, "max_position_embeddings": P, "type_vocab_size": 2,
                      "layer_norm_eps": 1e-12, "hidden_act": "gelu", "position_embedding_type": "alibi",
                      "feed_forward_type": "geglu", "emb_pooler": "mean"}
        else:
            config = {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "vocab_size": vocab,
                      "hidden_size": H, "num_hidden_layers": layers, "num_attention_heads": NH,
                      "intermediate_size": I, "max_position_embeddings": P + 2, "type_vocab_size": 1,
                      "layer_norm_eps": 1e-5, "hidden_act": "gelu", "position_embedding_type": "absolute",
                      "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2}
            mat("embeddings.position_embeddings.weight", P + 2, H, scale=0.5)
        mat("embeddings.word_embeddings.weight", vocab, H, scale=0.5)
        mat("embeddings.token_type_embeddings.weight", config["type_vocab_size"], H, scale=0.5)
        ln("embeddings.LayerNorm")
        for l in range(layers):
            p = "encoder.layer.%d." % l
            for part in ("query", "key", "value"):
                mat(p + "attention.self.%s.weight" % part, H, H)
                mat(p + "attention.self.%s.bias" % part, H, scale=0.1)
            mat(p + "attention.output.dense.weight", H, H)
            mat(p + "attention.output.dense.bias", H, scale=0.1)
            ln(p + "attention.output.LayerNorm")
            if family == "jina":
                mat(p + "mlp.gated_layers.weight", 2 * I, H)
                mat(p + "mlp.wo.weight", H, I)
                mat(p + "mlp.wo.bias", H, scale=0.1)
                ln(p + "mlp.layernorm")
            else:
                mat(p + "intermediate.dense.weight", I, H)
                mat(p + "intermediate.dense.bias", I, scale=0.1)
                mat(p + "output.dense.weight", H, I)
                mat(p + "output.dense.bias", H, scale=0.1)
                ln(p + "output.LayerNorm")
    elif family == "qwen3":
        KV = int(arg("--kv", str(max(1, NH // 2))))
        D = int(arg("--head-dim", str(2 * H // NH)))
        config = {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": vocab,
                  "hidden_size": H, "num_hidden_layers": layers, "num_attention_heads": NH,
                  "num_key_value_heads": KV, "head_dim": D, "intermediate_size": I, "max_position_embeddings": P,
                  "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "rope_scaling": None, "hidden_act": "silu",
                  "attention_bias": False, "tie_word_embeddings": True, "use_sliding_window": False,
                  "sliding_window": None}
        mat("embed_tokens.weight", vocab, H, scale=0.5)
        for l in range(layers):
            p = "layers.%d." % l
            gain(p + "input_layernorm.weight", H)
            mat(p + "self_attn.q_proj.weight", NH * D, H)
            mat(p + "self_attn.k_proj.weight", KV * D, H)
            mat(p + "self_attn.v_proj.weight", KV * D, H)
            mat(p + "self_attn.o_proj.weight", H, NH * D)
            gain(p + "self_attn.q_norm.weight", D)
            gain(p + "self_attn.k_norm.weight", D)
            gain(p + "post_attention_layernorm.weight", H)
            mat(p + "mlp.gate_proj.weight", I, H)
            mat(p + "mlp.up_proj.weight", I, H)
            mat(p + "mlp.down_proj.weight", H, I)
        gain("norm.weight", H)
    else:
        sys.exit("encoders_ref: unknown --family %r" % family)
    bert_ref.write_safetensors(os.path.join(d, "model.safetensors"), t, arg("--dtype", "F32"))
    json.dump(config, open(os.path.join(d, "config.json"), "w"), indent=2)
    if family in ("nomic", "jina"):
        tmp = os.path.join(d, "wp")
        saved = sys.argv
        sys.argv = ["bert_ref.py", "make", tmp, "--shape", "1,8,1,8,8"]
        bert_ref.make(tmp)
        sys.argv = saved
        os.replace(os.path.join(tmp, "tokenizer.json"), os.path.join(d, "tokenizer.json"))
        import shutil
        shutil.rmtree(tmp)
    else:
        write_tokenizer(family, d)
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    json.dump({"word_embedding_dimension": H, "pooling_mode_cls_token": pooling == "cls",
               "pooling_mode_mean_tokens": pooling == "mean", "pooling_mode_max_tokens": False,
               "pooling_mode_lasttoken": pooling == "last"},
              open(os.path.join(d, "1_Pooling", "config.json"), "w"))
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if "--normalize" in sys.argv:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
    json.dump(modules, open(os.path.join(d, "modules.json"), "w"))
    if "--prompts" in sys.argv:
        json.dump({"prompts": {"query": "search_query: ", "document": "search_document: "},
                   "default_prompt_name": None, "similarity_fn_name": "cosine"},
                  open(os.path.join(d, "config_sentence_transformers.json"), "w"))
    json.dump({"family": family}, open(os.path.join(d, "ref_family.json"), "w"))


# ---- forward ---------------------------------------------------------------

erf = np.vectorize(math.erf)


def gelu(x):
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def silu(x):
    return x / (1 + np.exp(-x))


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * g
    return y if b is None else y + b


def rms_norm(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g


def rope(x, theta, rot):
    """x: (heads, T, D); rotates the first rot dims (GPT-NeoX: halves)."""
    T = x.shape[1]
    inv = theta ** (-np.arange(0, rot, 2, dtype=np.float64) / rot)
    ang = np.arange(T)[:, None] * inv[None, :]
    cos, sin = np.cos(ang), np.sin(ang)
    h = rot // 2
    a, b = x[..., :h], x[..., h:rot]
    out = x.copy()
    out[..., :h] = a * cos - b * sin
    out[..., h:rot] = b * cos + a * sin
    return out


def alibi_slopes(n):
    def pow2(k):
        start = 2 ** (-2 ** -(math.log2(k) - 3))
        return [start ** (i + 1) for i in range(k)]
    if math.log2(n).is_integer():
        return pow2(n)
    p = 2 ** math.floor(math.log2(n))
    return pow2(p) + pow2(2 * p)[0::2][:n - p]


def attend(q, k, v, bias):
    """q: (NH, T, D), k/v: (NH, T, D), bias: (NH or 1, T, T) additive (-inf masks)."""
    s = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1]) + bias
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    return s @ v


def forward(d, ids):
    """Token vectors (T, H) of one sequence, float64."""
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))
    return forward_with(cfg, w, ids)


def forward_with(cfg, w, ids):
    mt = cfg["model_type"]
    T = len(ids)
    ids = np.array(ids, dtype=np.int64)
    if T == 0:
        return np.zeros((0, cfg.get("hidden_size", cfg.get("n_embd"))))
    zero = np.zeros((1, T, T))
    if mt == "nomic_bert":
        H, NH, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
        D = H // NH
        rot = int(cfg["rotary_emb_fraction"] * D)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
        x = layer_norm(x, w["emb_ln.weight"], w["emb_ln.bias"], eps)
        for l in range(cfg["n_layer"]):
            p = "encoder.layers.%d." % l
            qkv = x @ w[p + "attn.Wqkv.weight"].T
            q, k, v = (qkv[:, i * H:(i + 1) * H].reshape(T, NH, D).transpose(1, 0, 2) for i in range(3))
            q, k = rope(q, cfg["rotary_emb_base"], rot), rope(k, cfg["rotary_emb_base"], rot)
            ctx = attend(q, k, v, zero).transpose(1, 0, 2).reshape(T, H)
            x = layer_norm(x + ctx @ w[p + "attn.out_proj.weight"].T, w[p + "norm1.weight"], w[p + "norm1.bias"], eps)
            y = x @ w[p + "mlp.fc11.weight"].T
            gate = x @ w[p + "mlp.fc12.weight"].T
            h = (y * silu(gate)) @ w[p + "mlp.fc2.weight"].T
            x = layer_norm(x + h, w[p + "norm2.weight"], w[p + "norm2.bias"], eps)
        return x
    if mt == "modernbert":
        H, NH, eps, I = cfg["hidden_size"], cfg["num_attention_heads"], cfg["norm_eps"], cfg["intermediate_size"]
        D = H // NH
        pre = "model." if "model.embeddings.tok_embeddings.weight" in w else ""
        x = w[pre + "embeddings.tok_embeddings.weight"][ids]
        x = layer_norm(x, w[pre + "embeddings.norm.weight"], None, eps)
        pos = np.arange(T)
        window = np.where(np.abs(pos[:, None] - pos[None, :]) <= cfg["local_attention"] // 2, 0.0, -np.inf)[None]
        for l in range(cfg["num_hidden_layers"]):
            p = pre + "layers.%d." % l
            is_global = l % cfg["global_attn_every_n_layers"] == 0
            theta = cfg["global_rope_theta"] if is_global else cfg["local_rope_theta"]
            h = x if l == 0 else layer_norm(x, w[p + "attn_norm.weight"], None, eps)
            qkv = h @ w[p + "attn.Wqkv.weight"].T
            q, k, v = (qkv[:, i * H:(i + 1) * H].reshape(T, NH, D).transpose(1, 0, 2) for i in range(3))
            q, k = rope(q, theta, D), rope(k, theta, D)
            ctx = attend(q, k, v, zero if is_global else window).transpose(1, 0, 2).reshape(T, H)
            x = x + ctx @ w[p + "attn.Wo.weight"].T
            h = layer_norm(x, w[p + "mlp_norm.weight"], None, eps) @ w[p + "mlp.Wi.weight"].T
            inp, gate = h[:, :I], h[:, I:]
            x = x + (gelu(inp) * gate) @ w[p + "mlp.Wo.weight"].T
        return layer_norm(x, w[pre + "final_norm.weight"], None, eps)
    if mt in ("bert", "xlm-roberta"):
        H, NH, eps, I = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"], cfg["intermediate_size"]
        D = H // NH
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
        bias = zero
        if mt == "xlm-roberta":
            # create_position_ids_from_input_ids: padding_idx + 1 + t for non-padding tokens
            x = x + w["embeddings.position_embeddings.weight"][cfg["pad_token_id"] + 1 + np.arange(T)]
        else:
            slopes = np.array(alibi_slopes(NH))
            rel = np.abs(np.arange(T)[None, :] - np.arange(T)[:, None])
            bias = -slopes[:, None, None] * rel[None]
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        for l in range(cfg["num_hidden_layers"]):
            p = "encoder.layer.%d." % l

            def lin(name, v):
                return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            q, k, v = (lin("attention.self." + n, x).reshape(T, NH, D).transpose(1, 0, 2)
                       for n in ("query", "key", "value"))
            ctx = attend(q, k, v, bias).transpose(1, 0, 2).reshape(T, H)
            x = layer_norm(x + lin("attention.output.dense", ctx), w[p + "attention.output.LayerNorm.weight"],
                           w[p + "attention.output.LayerNorm.bias"], eps)
            if mt == "bert":
                h = x @ w[p + "mlp.gated_layers.weight"].T
                h = lin("mlp.wo", gelu(h[:, :I]) * h[:, I:])
                x = layer_norm(x + h, w[p + "mlp.layernorm.weight"], w[p + "mlp.layernorm.bias"], eps)
            else:
                h = lin("output.dense", gelu(lin("intermediate.dense", x)))
                x = layer_norm(x + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        return x
    if mt == "qwen3":
        H, NH, KV, D = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
        pre = "model." if "model.embed_tokens.weight" in w else ""
        x = w[pre + "embed_tokens.weight"][ids]
        causal = np.where(np.arange(T)[None, :] <= np.arange(T)[:, None], 0.0, -np.inf)[None]
        for l in range(cfg["num_hidden_layers"]):
            p = pre + "layers.%d." % l
            h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
            q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(T, NH, D).transpose(1, 0, 2)
            k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(T, KV, D).transpose(1, 0, 2)
            v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(T, KV, D).transpose(1, 0, 2)
            q = rope(rms_norm(q, w[p + "self_attn.q_norm.weight"], eps), theta, D)
            k = rope(rms_norm(k, w[p + "self_attn.k_norm.weight"], eps), theta, D)
            k, v = np.repeat(k, NH // KV, axis=0), np.repeat(v, NH // KV, axis=0)  # repeat_kv
            ctx = attend(q, k, v, causal).transpose(1, 0, 2).reshape(T, NH * D)
            x = x + ctx @ w[p + "self_attn.o_proj.weight"].T
            h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
            x = x + (silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)) \
                @ w[p + "mlp.down_proj.weight"].T
        return rms_norm(x, w[pre + "norm.weight"], eps)
    sys.exit("encoders_ref: unknown model_type %r" % mt)


# ---- commands --------------------------------------------------------------

def family_of(d):
    return json.load(open(os.path.join(d, "ref_family.json")))["family"]


def max_positions(cfg):
    if cfg["model_type"] == "nomic_bert":
        return cfg["n_positions"]
    if cfg["model_type"] == "xlm-roberta":
        return cfg["max_position_embeddings"] - cfg["pad_token_id"] - 1
    return cfg["max_position_embeddings"]


def pooled(d, cfg, w, family, text, max_tokens, pooling, normalize, dims):
    pre, suf, _ = specials(family)
    toks = tokenize(family, text)[:max_tokens - len(pre) - len(suf)]
    ids = pre + [t[0] for t in toks] + suf
    x = forward_with(cfg, w, ids)
    if len(ids) == 0:
        v = np.zeros(x.shape[1])
    elif pooling == "cls":
        v = x[0]
    elif pooling == "last":
        v = x[-1]
    else:
        v = x.mean(0)
    if dims:
        v = v[:dims]
    if normalize and np.linalg.norm(v) > 0:
        v = v / np.linalg.norm(v)
    return v


def check(d, out):
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))
    family = family_of(d)
    max_tokens = int(arg("--max-tokens", str(max_positions(cfg))))
    pc = json.load(open(os.path.join(d, "1_Pooling", "config.json")))
    pooling = arg("--pooling", "cls" if pc["pooling_mode_cls_token"] else "last" if pc.get("pooling_mode_lasttoken")
                  else "mean")
    normalize = "Normalize" in open(os.path.join(d, "modules.json")).read() or "--normalize" in sys.argv
    prefix = arg("--prefix", "")
    dims = int(arg("--dimensions", "0"))
    tol = float(arg("--tol", "1e-4"))
    n, worst = 0, 0.0
    for line in open(out, encoding="utf-8"):
        r = json.loads(line)
        want = pooled(d, cfg, w, family, prefix + r["text"], max_tokens, pooling, normalize, dims)
        got = np.array(r["embedding"])
        if got.shape != want.shape:
            sys.exit("encoders_ref: %r: shape %s, expected %s" % (r["text"], got.shape, want.shape))
        err = float(np.abs(got - want).max()) if len(want) else 0.0
        worst = max(worst, err)
        if err > tol:
            sys.exit("encoders_ref: %r differs by %g" % (r["text"], err))
        n += 1
    print("encoders_ref: %d records match within %g" % (n, tol))
    if "--worst" in sys.argv:
        print("encoders_ref: worst difference %.2e" % worst)


def batch(d, ids_path, out_path):
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))
    with open(out_path, "w") as f:
        for s in json.load(open(ids_path)):
            f.write(json.dumps({"v": forward_with(cfg, w, s).reshape(-1).tolist()}) + "\n")


def late(d, docs_path, out_path):
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))
    family = family_of(d)
    pre, suf, _ = specials(family)
    L, O = int(arg("--max-tokens")), int(arg("--overlap", "0"))
    room = L - len(pre) - len(suf)
    docs = {str(json.loads(l)["id"]): json.loads(l)["text"] for l in open(docs_path, encoding="utf-8")}
    cache, n = {}, 0
    for line in open(out_path, encoding="utf-8"):
        c = json.loads(line)
        doc = str(c["doc"])
        if doc not in cache:
            toks = tokenize(family, docs[doc])
            vecs, spans, start = [], [], 0
            while True:
                end = min(len(toks), start + room)
                x = forward_with(cfg, w, pre + [t[0] for t in toks[start:end]] + suf)
                for i in range(start + (0 if start == 0 else O), end):
                    vecs.append(x[len(pre) + i - start])
                    spans.append(toks[i][1:])
                if end == len(toks):
                    break
                start = end - O
            cache = {doc: (vecs, spans)}
        vecs, spans = cache[doc]
        sel = [v for v, (b, e) in zip(vecs, spans) if b < c["byte_end"] and e > c["byte_start"]]
        v = np.mean(sel, axis=0) if sel else np.zeros(len(c["embedding"]))
        normalize = "Normalize" in open(os.path.join(d, "modules.json")).read()
        if normalize and np.linalg.norm(v) > 0:
            v = v / np.linalg.norm(v)
        err = float(np.abs(np.array(c["embedding"]) - v).max())
        if err > 1e-4:
            sys.exit("encoders_ref: chunk %s differs by %g" % (c["id"], err))
        n += 1
    print("encoders_ref: %d chunks match within 1e-4" % n)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "batch":
        batch(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "check":
        check(sys.argv[2], sys.argv[3])
    elif cmd == "late":
        late(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
