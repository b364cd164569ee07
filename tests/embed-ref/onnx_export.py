#!/usr/bin/python3
"""onnx_export.py DIR OUT.onnx: the BERT in DIR (Hugging Face layout, as
written by bert_ref.py make) as an ONNX graph (opset 17) with inputs
input_ids [B, T] and position_ids [1, T] (int64) and output
last_hidden_state [B, T, H]; no padding mask (the benchmark feeds
equal-length sequences). For scripts/bench/embed only (python3-onnx)."""
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_ref  # noqa: E402


def main():
    d, out = sys.argv[1], sys.argv[2]
    cfg, w = bert_ref.load(d)
    H, NH, L = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"]
    D, eps = H // NH, cfg["layer_norm_eps"]
    inits, nodes = [], []

    def const(name, arr, dtype=np.float32):
        inits.append(numpy_helper.from_array(np.asarray(arr, dtype=dtype), name))
        return name

    n = [0]

    def node(op, inputs, **attrs):
        n[0] += 1
        o = "t%d" % n[0]
        nodes.append(helper.make_node(op, inputs, [o], **attrs))
        return o

    def linear(x, prefix):
        wt = const(prefix + ".wT", w[prefix + ".weight"].T)
        return node("Add", [node("MatMul", [x, wt]), const(prefix + ".b", w[prefix + ".bias"])])

    def ln(x, prefix):
        return node("LayerNormalization", [x, const(prefix + ".g", w[prefix + ".weight"]),
                                           const(prefix + ".beta", w[prefix + ".bias"])], axis=-1, epsilon=eps)

    x = node("Add", [node("Gather", [const("word", w["embeddings.word_embeddings.weight"]), "input_ids"]),
                     node("Gather", [const("pos", w["embeddings.position_embeddings.weight"]), "position_ids"])])
    x = node("Add", [x, const("type0", w["embeddings.token_type_embeddings.weight"][0])])
    x = ln(x, "embeddings.LayerNorm")
    shape4 = const("shape4", [0, 0, NH, D], np.int64)
    shape3 = const("shape3", [0, 0, H], np.int64)
    scale = const("scale", 1 / math.sqrt(D))
    half, one, rs2 = const("half", 0.5), const("one", 1.0), const("rsqrt2", 1 / math.sqrt(2))
    for l in range(L):
        p = "encoder.layer.%d." % l
        q = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.query"), shape4])], perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.key"), shape4])], perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [linear(x, p + "attention.self.value"), shape4])], perm=[0, 2, 1, 3])
        s = node("Softmax", [node("Mul", [node("MatMul", [q, k]), scale])], axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [s, v])], perm=[0, 2, 1, 3]), shape3])
        x = ln(node("Add", [x, linear(ctx, p + "attention.output.dense")]), p + "attention.output.LayerNorm")
        h = linear(x, p + "intermediate.dense")
        g = node("Mul", [node("Mul", [h, half]), node("Add", [node("Erf", [node("Mul", [h, rs2])]), one])])
        x = ln(node("Add", [x, linear(g, p + "output.dense")]), p + "output.LayerNorm")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))
    graph = helper.make_graph(
        nodes, "bert",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["B", "T"]),
         helper.make_tensor_value_info("position_ids", TensorProto.INT64, [1, "T"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["B", "T", H])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


main()
