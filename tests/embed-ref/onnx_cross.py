#!/usr/bin/python3
"""onnx_cross.py DIR OUT.onnx: the BERT cross-encoder in DIR (as written by
cross_ref.py make --arch bert) as an ONNX graph (opset 17), the way
cross-encoders are exported for ONNX Runtime: inputs input_ids,
token_type_ids (int64 [B, T]), attention_mask (float [B, T], 1 for tokens,
0 for padding) and position_ids (int64 [1, T]); output logits [B, 1] (the
classifier on the pooled [CLS] vector). For scripts/bench/rerank only
(python3-onnx)."""
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cross_ref  # noqa: E402


def main():
    d, out = sys.argv[1], sys.argv[2]
    cfg, w = cross_ref.load(d)
    H, NH, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    D, eps = H // NH, cfg["layer_norm_eps"]
    inits, nodes, names = [], [], set()
    count = [0]

    def const(name, arr, dtype=np.float32):  # once per name (shapes and scalars are shared)
        if name not in names:
            names.add(name)
            inits.append(numpy_helper.from_array(np.asarray(arr, dtype=dtype), name))
        return name

    def op(kind, inputs, **attrs):
        count[0] += 1
        o = "n%d" % count[0]
        nodes.append(helper.make_node(kind, inputs, [o], **attrs))
        return o

    def dense(x, name):
        return op("Add", [op("MatMul", [x, const(name + "/wT", w[name + ".weight"].T)]), const(name + "/b", w[name + ".bias"])])

    def norm(x, name):
        return op("LayerNormalization", [x, const(name + "/g", w[name + ".weight"]), const(name + "/beta", w[name + ".bias"])],
                  axis=-1, epsilon=eps)

    def split_heads(x, perm):
        return op("Transpose", [op("Reshape", [x, const("heads_shape", [0, 0, NH, D], np.int64)])], perm=perm)

    b = "bert."
    emb = op("Add", [op("Gather", [const("word", w[b + "embeddings.word_embeddings.weight"]), "input_ids"]),
                     op("Gather", [const("pos", w[b + "embeddings.position_embeddings.weight"]), "position_ids"])])
    emb = op("Add", [emb, op("Gather", [const("type", w[b + "embeddings.token_type_embeddings.weight"]), "token_type_ids"])])
    x = norm(emb, b + "embeddings.LayerNorm")
    # Padding: -10000 added to the scores of padded keys, [B, 1, 1, T].
    bias = op("Mul", [op("Sub", [const("one_f", 1.0), "attention_mask"]), const("neg", -10000.0)])
    bias = op("Unsqueeze", [bias, const("axes12", [1, 2], np.int64)])
    scale = const("scale", 1 / math.sqrt(D))
    for l in range(L):
        p = b + "encoder.layer.%d." % l
        q = split_heads(dense(x, p + "attention.self.query"), [0, 2, 1, 3])
        k = split_heads(dense(x, p + "attention.self.key"), [0, 2, 3, 1])
        v = split_heads(dense(x, p + "attention.self.value"), [0, 2, 1, 3])
        s = op("Softmax", [op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])], axis=-1)
        ctx = op("Reshape", [op("Transpose", [op("MatMul", [s, v])], perm=[0, 2, 1, 3]),
                             const("merge_shape", [0, 0, H], np.int64)])
        x = norm(op("Add", [x, dense(ctx, p + "attention.output.dense")]), p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        g = op("Mul", [op("Mul", [h, const("half", 0.5)]),
                       op("Add", [op("Erf", [op("Mul", [h, const("rsqrt2", 1 / math.sqrt(2))])]), const("one", 1.0)])])
        x = norm(op("Add", [x, dense(g, p + "output.dense")]), p + "output.LayerNorm")
    cls = op("Gather", [x, const("zero", 0, np.int64)], axis=1)
    pooled = op("Tanh", [dense(cls, b + "pooler.dense")])
    nodes.append(helper.make_node("Identity", [dense(pooled, "classifier")], ["logits"]))
    graph = helper.make_graph(
        nodes, "cross_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT, ["B", "T"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "T"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["B", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


main()
