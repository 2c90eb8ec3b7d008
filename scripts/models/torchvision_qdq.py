#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Builds an ImageNet-shaped network from Debian's python3-torchvision architectures
(untrained: no weights are downloaded), quantizes it post-training and writes an ONNX QDQ
model for `tessera model run`.

  scripts/models/torchvision_qdq.py --model resnet50|mobilenet_v2 [--out FILE]
                                    [--calibration 8] [--seed 1] [--sample IMAGES.npy]

The weights are torchvision's own initialisation from the seed. Batch-norm statistics are
then taken from the calibration images (a pass in training mode with cumulative averages),
so that activations have realistic ranges, and folded into the convolutions. The calibration
images are Fashion-MNIST training images (Debian's dataset-fashion-mnist), resized to
224x224, repeated over 3 channels and normalised with ImageNet's mean and deviation.
Quantization as scripts/models/train_fashion_cnn.py does it (docs/models.md):
  - activations int8, asymmetric, per tensor, from the min/max over the calibration images;
  - weights int8, symmetric, per output channel; biases int32 at input x weight scale;
  - QuantizeLinear/DequantizeLinear after every operation (after its ReLU or ReLU6 where
    one follows), max-pool and flatten keeping their input's parameters.
The graph is walked from torch.fx's trace, so every torchvision model built of Conv2d,
BatchNorm, ReLU/ReLU6, MaxPool, (adaptive) average pooling, residual adds, flatten,
dropout and Linear exports the same way.
"""
import argparse
import gzip
import operator
import pathlib

import numpy as np
import torch
import torch.fx
import torch.fx.experimental.optimization as fx_opt
import torchvision
from onnx import TensorProto, helper

from qdq import QdqGraph, activation_params

DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
MODELS = {"resnet50": torchvision.models.resnet50, "mobilenet_v2": torchvision.models.mobilenet_v2}


def fashion_images(split, count, seed):
    """`count` Fashion-MNIST images of `split` as the networks take them: 224x224, 3 channels,
    normalised with ImageNet's mean and deviation (float32 NCHW)."""
    raw = gzip.open(DATA / f"{split}-images-idx3-ubyte.gz", "rb").read()
    images = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)
    pick = np.random.default_rng(seed).choice(len(images), count, replace=False)
    x = torch.from_numpy(images[pick].astype(np.float32) / 255.0)[:, None]
    x = torch.nn.functional.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False)
    x = x.repeat(1, 3, 1, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (x - mean) / std


def calibration_images(count, seed):
    return fashion_images("train", count, seed)


class RangeRecorder(torch.fx.Interpreter):
    """Runs the traced module and keeps every node's output range."""

    def __init__(self, module):
        super().__init__(module)
        self.ranges = {}

    def run_node(self, n):
        out = super().run_node(n)
        if isinstance(out, torch.Tensor):
            self.ranges[n.name] = (float(out.min()), float(out.max()))
        return out


def kind(gm, n):
    """What an fx node is, as the exporter sees it."""
    if n.op == "call_module":
        m = gm.get_submodule(n.target)
        for cls, name in ((torch.nn.Conv2d, "conv"), (torch.nn.Linear, "linear"),
                          (torch.nn.ReLU, "relu"), (torch.nn.ReLU6, "relu6"),
                          (torch.nn.MaxPool2d, "maxpool"), (torch.nn.AdaptiveAvgPool2d, "gap"),
                          (torch.nn.AvgPool2d, "avgpool"), (torch.nn.Dropout, "identity"),
                          (torch.nn.Identity, "identity")):
            if isinstance(m, cls):
                return name, m
    if n.op == "call_function":
        if n.target in (operator.add, torch.add):
            return "add", None
        if n.target is torch.flatten:
            return "flatten", None
        if n.target is torch.nn.functional.adaptive_avg_pool2d:
            return "gap", None
    if n.op in ("placeholder", "output"):
        return n.op, None
    raise SystemExit(f"torchvision_qdq: node {n.name} ({n.op} {n.target}) has no ONNX mapping here")


def export(gm, ranges, path, meta):
    g = QdqGraph()
    names = {}   # fx node -> ONNX value holding its (dequantized) output
    params = {}  # fx node -> its int8 parameters
    const, q_dq, weights_dq = g.const, g.q_dq, g.weights_dq
    nodes = g.nodes

    def single_relu_user(n):
        users = list(n.users)
        return len(users) == 1 and kind(gm, users[0])[0] in ("relu", "relu6")

    def finish(n, value):
        """Quantizes a node's float output unless its only user is the ReLU that will."""
        if single_relu_user(n):
            names[n] = value
            return
        params[n] = activation_params(*ranges[n.name])
        names[n] = q_dq(value, n.name, params[n])

    for n in gm.graph.nodes:
        k, m = kind(gm, n)
        src = n.args[0] if n.args else None
        if k == "placeholder":
            params[n] = activation_params(*ranges[n.name])
            names[n] = q_dq("input", "input", params[n])
        elif k == "conv":
            assert m.padding_mode == "zeros" and m.bias is not None, n.name
            w, b = weights_dq(n.name, m.weight.detach().numpy(), m.bias.detach().numpy(),
                              params[src][0])
            nodes.append(helper.make_node(
                "Conv", [names[src], w, b], [n.name], kernel_shape=list(m.kernel_size),
                strides=list(m.stride), pads=list(m.padding) * 2, dilations=list(m.dilation),
                group=m.groups))
            finish(n, n.name)
        elif k == "linear":
            w, b = weights_dq(n.name, m.weight.detach().numpy(), m.bias.detach().numpy(),
                              params[src][0])
            nodes.append(helper.make_node("Gemm", [names[src], w, b], [n.name], transB=1))
            finish(n, n.name)
        elif k in ("relu", "relu6"):
            if k == "relu":
                nodes.append(helper.make_node("Relu", [names[src]], [n.name]))
            else:
                lo, hi = const(f"{n.name}_min", np.array(0, np.float32)), const(
                    f"{n.name}_max", np.array(6, np.float32))
                nodes.append(helper.make_node("Clip", [names[src], lo, hi], [n.name]))
            params[n] = activation_params(*ranges[n.name])
            names[n] = q_dq(n.name, n.name, params[n])
        elif k == "maxpool":  # int8 max-pool is exact with its input's parameters
            ks, st, pad = (m.kernel_size, m.stride, m.padding)
            ks, st, pad = [(v, v) if isinstance(v, int) else tuple(v) for v in (ks, st, pad)]
            nodes.append(helper.make_node("MaxPool", [names[src]], [n.name], kernel_shape=list(ks),
                                          strides=list(st), pads=list(pad) * 2))
            params[n] = params[src]
            names[n] = q_dq(n.name, n.name, params[n])
        elif k == "gap":
            nodes.append(helper.make_node("GlobalAveragePool", [names[src]], [n.name]))
            finish(n, n.name)
        elif k == "add":
            a, b = n.args
            nodes.append(helper.make_node("Add", [names[a], names[b]], [n.name]))
            finish(n, n.name)
        elif k == "flatten":
            nodes.append(helper.make_node("Flatten", [names[src]], [n.name], axis=1))
            params[n], names[n] = params[src], n.name
        elif k == "identity":
            params[n], names[n] = params[src], names[src]
        elif k == "output":
            nodes.append(helper.make_node("Identity", [names[src]], ["logits"]))
    g.save(meta["model"],
           [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
           [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])], path, meta)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=sorted(MODELS), required=True)
    ap.add_argument("--out", type=pathlib.Path, help="default build/models/MODEL_int8.onnx")
    ap.add_argument("--calibration", type=int, default=8, help="calibration images (1..10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=pathlib.Path,
                    help="also write --sample-count test images, preprocessed, as a float32 .npy")
    ap.add_argument("--sample-count", type=int, default=1)
    args = ap.parse_args()
    if not 1 <= args.calibration <= 10000:
        ap.error(f"--calibration {args.calibration} is out of range [1, 10000]")
    out = args.out or ROOT / "build" / "models" / f"{args.model}_int8.onnx"
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    model = MODELS[args.model](weights=None)
    calib = calibration_images(args.calibration, args.seed)
    for mod in model.modules():  # batch-norm statistics from the calibration images
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None
    model.train()
    with torch.no_grad():
        model(calib)
    model.eval()
    gm = fx_opt.fuse(torch.fx.symbolic_trace(model))  # batch norm folded into the convolutions
    recorder = RangeRecorder(gm)
    with torch.no_grad():
        recorder.run(calib)
    export(gm, recorder.ranges, out, {"model": args.model, "seed": args.seed,
                                       "calibration_images": args.calibration})
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if args.sample:
        if not 1 <= args.sample_count <= 10000:
            ap.error(f"--sample-count {args.sample_count} is out of range [1, 10000]")
        np.save(args.sample, fashion_images("t10k", args.sample_count, args.seed).numpy())
        print(f"wrote {args.sample} ({args.sample_count} test images)")


if __name__ == "__main__":
    main()
