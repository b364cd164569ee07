#!/usr/bin/python3
"""onnx_encoders.py DIR OUT.onnx: the model in DIR (a family of
encoders_ref.py, in its Hugging Face layout) as an ONNX graph (opset 17)
with inputs input_ids [B, T] and position_ids [1, T] (int64) and output
last_hidden_state [B, T, H]; no padding mask (the benchmark feeds
equal-length sequences). Rotary tables are gathered by position_ids, masks
and ALiBi biases computed from them, so T is free. Grouped-query K/V
projections are repeated per query head (the same values; the K/V
projections cost NH/KV times more, under 1% of Qwen3-0.6B's work). For
scripts/bench/embed only (python3-onnx)."""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_ref  # noqa: E402
import encoders_ref  # noqa: E402


def main():
    d, out = sys.argv[1], sys.argv[2]
    cfg = json.load(open(os.path.join(d, "config.json")))
    w = bert_ref.read_safetensors(os.path.join(d, "model.safetensors"))
    mt = cfg["model_type"]
    inits, nodes = [], []
    n = [0]

    def const(arr, dtype=np.float32):
        n[0] += 1
        name = "c%d" % n[0]
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype=dtype), name))
        return name

    def node(op, inputs, **attrs):
        n[0] += 1
        o = "t%d" % n[0]
        nodes.append(helper.make_node(op, inputs, [o], **attrs))
        return o

    def lin(x, wt, b=None):
        y = node("MatMul", [x, const(wt.T)])
        return y if b is None else node("Add", [y, const(b)])

    def ln(x, g, b, eps):
        return node("LayerNormalization", [x, const(g), const(np.zeros_like(g) if b is None else b)], axis=-1,
                    epsilon=eps)

    def rms(x, g, eps):
        ms = node("ReduceMean", [node("Mul", [x, x])], axes=[-1], keepdims=1)
        return node("Mul", [node("Div", [x, node("Sqrt", [node("Add", [ms, const(eps)])])]), const(g)])

    def gelu(x):
        return node("Mul", [node("Mul", [x, const(0.5)]),
                            node("Add", [node("Erf", [node("Mul", [x, const(1 / math.sqrt(2))])]), const(1.0)])])

    def silu(x):
        return node("Mul", [x, node("Sigmoid", [x])])

    def heads(x, nh, dh):  # [B, T, nh*dh] -> [B, nh, T, dh]
        return node("Transpose", [node("Reshape", [x, const([0, 0, nh, dh], np.int64)])], perm=[0, 2, 1, 3])

    def merge(x, width):  # [B, nh, T, dh] -> [B, T, width]
        return node("Reshape", [node("Transpose", [x], perm=[0, 2, 1, 3]), const([0, 0, width], np.int64)])

    pos = "position_ids"  # [1, T]
    posf = node("Cast", [node("Squeeze", [pos, const([0], np.int64)])], to=TensorProto.FLOAT)  # [T]
    rel = node("Sub", [node("Unsqueeze", [posf, const([0], np.int64)]),
                       node("Unsqueeze", [posf, const([1], np.int64)])])  # [T, T]: key - query

    def rope_tables(theta, dh):
        P = 40000
        inv = theta ** (-np.arange(0, dh, 2, dtype=np.float64) / dh)
        ang = np.arange(P)[:, None] * inv[None, :]
        c = node("Unsqueeze", [node("Gather", [const(np.cos(ang)), pos]), const([1], np.int64)])  # [1,1,T,dh/2]
        s = node("Unsqueeze", [node("Gather", [const(np.sin(ang)), pos]), const([1], np.int64)])
        return c, s

    def rope(x, cs, dh):
        c, s = cs
        a = node("Slice", [x, const([0], np.int64), const([dh // 2], np.int64), const([3], np.int64)])
        b = node("Slice", [x, const([dh // 2], np.int64), const([dh], np.int64), const([3], np.int64)])
        return node("Concat", [node("Sub", [node("Mul", [a, c]), node("Mul", [b, s])]),
                               node("Add", [node("Mul", [b, c]), node("Mul", [a, s])])], axis=3)

    def attn(q, k, v, dh, bias=None):
        s = node("Mul", [node("MatMul", [q, node("Transpose", [k], perm=[0, 1, 3, 2])]), const(1 / math.sqrt(dh))])
        if bias is not None:
            s = node("Add", [s, bias])
        return node("MatMul", [node("Softmax", [s], axis=-1), v])

    def half(x, I, first):
        return node("Slice", [x, const([0 if first else I], np.int64), const([I if first else 2 * I], np.int64),
                              const([2], np.int64)])

    ids = "input_ids"
    if mt == "nomic_bert":
        H, NH, eps, L = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"], cfg["n_layer"]
        D = H // NH
        x = node("Add", [node("Gather", [const(w["embeddings.word_embeddings.weight"]), ids]),
                         const(w["embeddings.token_type_embeddings.weight"][0])])
        x = ln(x, w["emb_ln.weight"], w["emb_ln.bias"], eps)
        cs = rope_tables(cfg["rotary_emb_base"], D)
        for l in range(L):
            p = "encoder.layers.%d." % l
            Wqkv = w[p + "attn.Wqkv.weight"]
            q, k, v = (heads(lin(x, Wqkv[i * H:(i + 1) * H]), NH, D) for i in range(3))
            ctx = merge(attn(rope(q, cs, D), rope(k, cs, D), v, D), H)
            x = ln(node("Add", [x, lin(ctx, w[p + "attn.out_proj.weight"])]), w[p + "norm1.weight"],
                   w[p + "norm1.bias"], eps)
            h = node("Mul", [lin(x, w[p + "mlp.fc11.weight"]), silu(lin(x, w[p + "mlp.fc12.weight"]))])
            x = ln(node("Add", [x, lin(h, w[p + "mlp.fc2.weight"])]), w[p + "norm2.weight"], w[p + "norm2.bias"], eps)
    elif mt == "modernbert":
        H, NH, eps, L, I = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["norm_eps"],
                            cfg["num_hidden_layers"], cfg["intermediate_size"])
        D = H // NH
        pre = "model." if "model.embeddings.tok_embeddings.weight" in w else ""
        x = ln(node("Gather", [const(w[pre + "embeddings.tok_embeddings.weight"]), ids]),
               w[pre + "embeddings.norm.weight"], None, eps)
        g_cs, l_cs = rope_tables(cfg["global_rope_theta"], D), rope_tables(cfg["local_rope_theta"], D)
        far = node("Greater", [node("Abs", [rel]), const(float(cfg["local_attention"] // 2))])
        window = node("Where", [far, const(-1e30), const(0.0)])
        for l in range(L):
            p = pre + "layers.%d." % l
            glob = l % cfg["global_attn_every_n_layers"] == 0
            h = x if l == 0 else ln(x, w[p + "attn_norm.weight"], None, eps)
            Wqkv = w[p + "attn.Wqkv.weight"]
            q, k, v = (heads(lin(h, Wqkv[i * H:(i + 1) * H]), NH, D) for i in range(3))
            cs = g_cs if glob else l_cs
            ctx = merge(attn(rope(q, cs, D), rope(k, cs, D), v, D, None if glob else window), H)
            x = node("Add", [x, lin(ctx, w[p + "attn.Wo.weight"])])
            u = lin(ln(x, w[p + "mlp_norm.weight"], None, eps), w[p + "mlp.Wi.weight"])
            x = node("Add", [x, lin(node("Mul", [gelu(half(u, I, True)), half(u, I, False)]), w[p + "mlp.Wo.weight"])])
        x = ln(x, w[pre + "final_norm.weight"], None, eps)
    elif mt in ("bert", "xlm-roberta"):
        H, NH, eps, L, I = (cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"],
                            cfg["num_hidden_layers"], cfg["intermediate_size"])
        D = H // NH
        x = node("Add", [node("Gather", [const(w["embeddings.word_embeddings.weight"]), ids]),
                         const(w["embeddings.token_type_embeddings.weight"][0])])
        bias = None
        if mt == "xlm-roberta":
            shifted = node("Add", [pos, const(cfg["pad_token_id"] + 1, np.int64)])
            x = node("Add", [x, node("Gather", [const(w["embeddings.position_embeddings.weight"]), shifted])])
        else:
            slopes = np.array(encoders_ref.alibi_slopes(NH), dtype=np.float32)[:, None, None]
            bias = node("Mul", [const(-slopes), node("Unsqueeze", [node("Abs", [rel]), const([0], np.int64)])])
        x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        for l in range(L):
            p = "encoder.layer.%d." % l

            def lw(name, v):
                return lin(v, w[p + name + ".weight"], w[p + name + ".bias"])

            q, k, v = (heads(lw("attention.self." + s, x), NH, D) for s in ("query", "key", "value"))
            ctx = merge(attn(q, k, v, D, bias), H)
            x = ln(node("Add", [x, lw("attention.output.dense", ctx)]), w[p + "attention.output.LayerNorm.weight"],
                   w[p + "attention.output.LayerNorm.bias"], eps)
            if mt == "bert":
                u = lin(x, w[p + "mlp.gated_layers.weight"])
                h = lw("mlp.wo", node("Mul", [gelu(half(u, I, True)), half(u, I, False)]))
                x = ln(node("Add", [x, h]), w[p + "mlp.layernorm.weight"], w[p + "mlp.layernorm.bias"], eps)
            else:
                h = lw("output.dense", gelu(lw("intermediate.dense", x)))
                x = ln(node("Add", [x, h]), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    elif mt == "qwen3":
        H, NH, KV, D = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        eps, L = cfg["rms_norm_eps"], cfg["num_hidden_layers"]
        G = NH // KV
        pre = "model." if "model.embed_tokens.weight" in w else ""
        x = node("Gather", [const(w[pre + "embed_tokens.weight"]), ids])
        cs = rope_tables(cfg["rope_theta"], D)
        causal = node("Where", [node("Greater", [rel, const(0.0)]), const(-1e30), const(0.0)])
        for l in range(L):
            p = pre + "layers.%d." % l
            h = rms(x, w[p + "input_layernorm.weight"], eps)

            def rep(m):  # [KV*D, H] -> [NH*D, H]: each K/V head's rows once per query head of its group
                return np.repeat(m.reshape(KV, D, H), G, axis=0).reshape(NH * D, H)

            q = heads(lin(h, w[p + "self_attn.q_proj.weight"]), NH, D)
            k = heads(lin(h, rep(w[p + "self_attn.k_proj.weight"])), NH, D)
            v = heads(lin(h, rep(w[p + "self_attn.v_proj.weight"])), NH, D)
            q = rope(rms(q, w[p + "self_attn.q_norm.weight"], eps), cs, D)
            k = rope(rms(k, w[p + "self_attn.k_norm.weight"], eps), cs, D)
            x = node("Add", [x, lin(merge(attn(q, k, v, D, causal), NH * D), w[p + "self_attn.o_proj.weight"])])
            h = rms(x, w[p + "post_attention_layernorm.weight"], eps)
            g = node("Mul", [silu(lin(h, w[p + "mlp.gate_proj.weight"])), lin(h, w[p + "mlp.up_proj.weight"])])
            x = node("Add", [x, lin(g, w[p + "mlp.down_proj.weight"])])
        x = rms(x, w[pre + "norm.weight"], eps)
        H = cfg["hidden_size"]
    else:
        sys.exit("onnx_encoders: unknown model_type %r" % mt)
    H = cfg.get("hidden_size", cfg.get("n_embd"))
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    graph = helper.make_graph(
        nodes, mt,
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "T"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["B", "T", H])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    # Over 2 GB the weights must live in a side file.
    onnx.save(model, out, save_as_external_data=True, all_tensors_to_one_file=True,
              location=os.path.basename(out) + ".data", size_threshold=1024)


main()
