# SPDX-License-Identifier: Apache-2.0
"""Static post-training quantization into ONNX QDQ, the way standard quantizers write it
(docs/models.md), shared by the model scripts beside this file:
  - activations int8, asymmetric, per tensor, covering the calibration range and 0;
  - weights int8, symmetric, per output channel (axis 0);
  - biases int32 at input scale x weight scale, zero point 0.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper


def activation_params(lo, hi):
    """int8 asymmetric per-tensor (scale, zero point) covering [lo, hi] (and 0)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(np.round(-128 - lo / scale), -128, 127))
    return np.float32(scale), np.int8(zero_point)


def weight_params(w):
    """int8 symmetric per-output-channel quantization (axis 0): (int8 weights, scales)."""
    flat = w.reshape(w.shape[0], -1)
    scale = np.maximum(np.abs(flat).max(axis=1), 1e-12) / 127.0
    q = np.clip(np.round(w / scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


class QdqGraph:
    """Nodes and initializers of a QDQ graph under construction."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def node(self, op, inputs, outputs, **attrs):
        self.nodes.append(helper.make_node(op, inputs, outputs, **attrs))

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def q_dq(self, x, name, params):
        """QuantizeLinear then DequantizeLinear of x with (scale, zero point); the DQ's output."""
        s, z = params
        self.const(f"{name}_scale", np.array(s, np.float32))
        self.const(f"{name}_zp", np.array(z, np.int8))
        self.node("QuantizeLinear", [x, f"{name}_scale", f"{name}_zp"], [f"{name}_q"])
        self.node("DequantizeLinear", [f"{name}_q", f"{name}_scale", f"{name}_zp"], [f"{name}_dq"])
        return f"{name}_dq"

    def weights_dq(self, layer, w, b, in_scale):
        """A layer's weights and bias, quantized and dequantized; the two DQ outputs."""
        qw, sw = weight_params(w)
        self.const(f"{layer}_w", qw)
        self.const(f"{layer}_w_scale", sw)
        self.const(f"{layer}_w_zp", np.zeros(len(sw), np.int8))
        self.node("DequantizeLinear", [f"{layer}_w", f"{layer}_w_scale", f"{layer}_w_zp"],
                  [f"{layer}_w_dq"], axis=0)
        sb = (sw.astype(np.float64) * float(in_scale)).astype(np.float32)
        qb = np.round(b / sb.astype(np.float64)).astype(np.int32)
        self.const(f"{layer}_b", qb)
        self.const(f"{layer}_b_scale", sb)
        self.const(f"{layer}_b_zp", np.zeros(len(sb), np.int32))
        self.node("DequantizeLinear", [f"{layer}_b", f"{layer}_b_scale", f"{layer}_b_zp"],
                  [f"{layer}_b_dq"], axis=0)
        return f"{layer}_w_dq", f"{layer}_b_dq"

    def save(self, name, inputs, outputs, path, meta):
        """The model (opset 13, checked) with `meta` as metadata, written to `path`."""
        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                                  producer_name="tessera")
        model.ir_version = 8
        for key, value in meta.items():
            model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=str(value)))
        onnx.checker.check_model(model)
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, str(path))
