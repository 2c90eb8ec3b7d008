#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Trains the source documents' CNN on Fashion-MNIST, quantizes it post-training and writes
an ONNX QDQ model (models/fashion_cnn_int8.onnx) for `tessera model run`.

  scripts/models/train_fashion_cnn.py [--epochs 4] [--seed 1] [--out models/fashion_cnn_int8.onnx]

The network: Conv 32 3x3 ReLU -> MaxPool 2x2 -> Conv 64 3x3 ReLU -> MaxPool 2x2 -> Flatten ->
Dense 64 ReLU -> Dense 10 -> Softmax, input 1x28x28 (pixels / 255). Trained in float32 with
SGD and momentum, seeded and deterministic (one thread). Then static post-training
quantization, the way standard quantizers emit it (docs/models.md):
  - activations int8, asymmetric, per tensor, from the min/max over calibration images taken
    from the training set;
  - weights int8, symmetric, per output channel (axis 0);
  - biases int32 with scale input_scale x weight_scale (zero point 0);
  - QuantizeLinear/DequantizeLinear around every Conv/Gemm/MaxPool/Flatten, Relu kept
    explicit, Softmax on the float logits.
The model's metadata records the float32 test accuracy and the float model's class for
each of the 10,000 test images, the seed, the epochs and the calibration images. Debian's python3-torch, python3-onnx and dataset-fashion-mnist; nothing
is downloaded. Run time on the 2-core machine: about 3 minutes for 4 epochs (docs/models.md).
"""
import argparse
import gzip
import pathlib
import time

import numpy as np
import torch
from onnx import TensorProto, helper

from qdq import QdqGraph, activation_params, weight_params

DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")
ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def idx(path):
    """An IDX file (the MNIST format): big-endian header, then unsigned bytes."""
    raw = gzip.open(path, "rb").read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    images = idx(DATA / f"{split}-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = idx(DATA / f"{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return images[:, None, :, :], labels


class Cnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3)
        self.conv2 = torch.nn.Conv2d(32, 64, 3)
        self.fc1 = torch.nn.Linear(64 * 5 * 5, 64)
        self.fc2 = torch.nn.Linear(64, 10)

    def forward(self, x, taps=None):
        def tap(name, t):
            if taps is not None:
                taps[name] = t
            return t
        x = tap("input", x)
        x = tap("relu1", torch.relu(self.conv1(x)))
        x = tap("pool1", torch.nn.functional.max_pool2d(x, 2))
        x = tap("relu2", torch.relu(self.conv2(x)))
        x = tap("pool2", torch.nn.functional.max_pool2d(x, 2))
        x = torch.flatten(x, 1)
        x = tap("relu3", torch.relu(self.fc1(x)))
        return tap("logits", self.fc2(x))


def predictions(model, images):
    with torch.no_grad():
        logits = torch.cat([model(torch.from_numpy(images[i:i + 1000])) for i in range(0, len(images), 1000)])
    return logits.argmax(1).numpy()


def train(args, images, labels):
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    model = Cnn()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    order = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        perm = order.permutation(len(images))
        total = 0.0
        for b in range(0, len(perm), args.batch):
            idx_b = perm[b:b + args.batch]
            x, y = torch.from_numpy(images[idx_b]), torch.from_numpy(labels[idx_b])
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            total += float(loss) * len(idx_b)
        print(f"epoch {epoch + 1}/{args.epochs}: training loss {total / len(images):.4f}", flush=True)
    return model


def fake_quant(x, scale, zp):
    return (np.clip(np.round(x / scale) + zp, -128, 127) - zp) * scale


def export(model, calib, path, meta):
    taps = {}
    with torch.no_grad():
        model(torch.from_numpy(calib), taps)
    act = {name: activation_params(t.min(), t.max()) for name, t in taps.items()}
    # The input: pixels / 255 in [0, 1]; int8 with scale 1/255 and zero point -128 is exact.
    act["input"] = (np.float32(1.0 / 255.0), np.int8(-128))
    # Max-pool keeps its input's parameters (int8 max-pool is exact then).
    act["pool1"], act["pool2"] = act["relu1"], act["relu2"]

    g = QdqGraph()
    nodes, q_dq, weights_dq = g.nodes, g.q_dq, g.weights_dq

    p = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    x = q_dq("input", "input", act["input"])
    w, b = weights_dq("conv1", p["conv1.weight"], p["conv1.bias"], act["input"][0])
    nodes.append(helper.make_node("Conv", [x, w, b], ["conv1"], kernel_shape=[3, 3]))
    nodes.append(helper.make_node("Relu", ["conv1"], ["relu1"]))
    x = q_dq("relu1", "relu1", act["relu1"])
    nodes.append(helper.make_node("MaxPool", [x], ["pool1"], kernel_shape=[2, 2], strides=[2, 2]))
    x = q_dq("pool1", "pool1", act["pool1"])
    w, b = weights_dq("conv2", p["conv2.weight"], p["conv2.bias"], act["pool1"][0])
    nodes.append(helper.make_node("Conv", [x, w, b], ["conv2"], kernel_shape=[3, 3]))
    nodes.append(helper.make_node("Relu", ["conv2"], ["relu2"]))
    x = q_dq("relu2", "relu2", act["relu2"])
    nodes.append(helper.make_node("MaxPool", [x], ["pool2"], kernel_shape=[2, 2], strides=[2, 2]))
    x = q_dq("pool2", "pool2", act["pool2"])
    nodes.append(helper.make_node("Flatten", [x], ["flat"], axis=1))
    w, b = weights_dq("fc1", p["fc1.weight"], p["fc1.bias"], act["pool2"][0])
    nodes.append(helper.make_node("Gemm", ["flat", w, b], ["fc1"], transB=1))
    nodes.append(helper.make_node("Relu", ["fc1"], ["relu3"]))
    x = q_dq("relu3", "relu3", act["relu3"])
    w, b = weights_dq("fc2", p["fc2.weight"], p["fc2.bias"], act["relu3"][0])
    nodes.append(helper.make_node("Gemm", [x, w, b], ["fc2"], transB=1))
    x = q_dq("fc2", "logits", act["logits"])
    nodes.append(helper.make_node("Softmax", [x], ["probabilities"], axis=1))

    g.save("fashion_mnist_cnn",
           [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 28, 28])],
           [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])], path, meta)
    return act


def quantized_accuracy(model, act, images, labels):
    """The quantized network in float (fake quantization): a sanity check of the export."""
    p = {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()}

    def deq(w):
        q, s = weight_params(w.astype(np.float32))
        return (q * s.reshape((-1,) + (1,) * (w.ndim - 1))).astype(np.float64)

    correct = 0
    for i in range(0, len(images), 1000):
        x = torch.from_numpy(fake_quant(images[i:i + 1000].astype(np.float64), *act["input"]))
        def conv(x, layer, tap):
            y = torch.nn.functional.conv2d(x, torch.from_numpy(deq(p[f"{layer}.weight"])),
                                           torch.from_numpy(p[f"{layer}.bias"]))
            return torch.from_numpy(fake_quant(torch.relu(y).numpy(), *act[tap]))
        x = torch.nn.functional.max_pool2d(conv(x, "conv1", "relu1"), 2)
        x = torch.nn.functional.max_pool2d(conv(x, "conv2", "relu2"), 2)
        x = torch.flatten(x, 1)
        x = torch.from_numpy(fake_quant(torch.relu(x @ torch.from_numpy(deq(p["fc1.weight"])).T +
                                                   torch.from_numpy(p["fc1.bias"])).numpy(), *act["relu3"]))
        y = x @ torch.from_numpy(deq(p["fc2.weight"])).T + torch.from_numpy(p["fc2.bias"])
        correct += int((y.argmax(1).numpy() == labels[i:i + 1000]).sum())
    return correct / len(images)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calibration", type=int, default=2000, help="training images for calibration")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "models" / "fashion_cnn_int8.onnx")
    args = parser.parse_args()
    start = time.time()
    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    model = train(args, train_x, train_y)
    model.eval()
    float_pred = predictions(model, test_x)
    float_acc = float((float_pred == test_y).mean())
    calib = train_x[np.random.default_rng(args.seed + 1).choice(len(train_x), args.calibration, replace=False)]
    meta = {"float32_test_accuracy": f"{float_acc:.4f}", "seed": args.seed, "epochs": args.epochs,
            "calibration_images": args.calibration,
            # the float model's top-1 class of every test image, one digit each, in file order:
            # accuracy next to the float model's on any subset (make sim, the benchmark)
            "float32_test_predictions": "".join(str(int(p)) for p in float_pred),
            "training": "SGD momentum 0.9, lr %g, batch %d, Fashion-MNIST train set" % (args.lr, args.batch)}
    act = export(model, calib, args.out, meta)
    q_acc = quantized_accuracy(model, act, test_x, test_y)
    print(f"float32 test accuracy {float_acc:.4f}, quantized (fake-quant check) {q_acc:.4f}")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
