#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ResNet-50 and MobileNet-v2 (224x224, batch 1) end to end on the RTL simulator.

Builds each network with scripts/models/torchvision_qdq.py (torchvision's architecture,
untrained, quantized post-training; written under BUILD/models, not committed), runs one
preprocessed Fashion-MNIST test image through `tessera model run --device sim --check`
(every layer bit for bit against the reference executor), and prints the whole network's
MAC utilization (sum of useful MACs / (sum of engine cycles x rows x cols)), its cycles, the
simulator's wall time, and the utilization of the layer classes the targets name
(docs/performance.md). The golden model's estimate (--device fsim) is shown beside it.

  bench/imagenet_models.py [--tessera build/driver/tool/tessera] [--models resnet50,mobilenet_v2]
                           [--latency 100] [--json FILE]
"""
import argparse
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILDER = ROOT / "scripts" / "models" / "torchvision_qdq.py"


def layer_class(layer):
    """The targets' names for a layer: first layer, depthwise, pointwise (1x1), fc, ..."""
    if layer["op"] == "fully_connected":
        return "fully connected"
    if layer["op"] != "conv2d":
        return layer["op"]
    if layer["input_channels"] <= 4:
        return "first layer " + layer["kernel"]
    if layer["groups"] > 1:
        return f"depthwise {layer['kernel']}" if layer["groups"] == layer["input_channels"] else "grouped"
    return f"conv {layer['kernel']}" + (f" s{layer['stride']}" if layer["stride"] > 1 else "")


def run(tessera, model, image, device, latency):
    out = subprocess.run([tessera, "model", "run", str(model), "--input", str(image), "--device",
                          device, "--latency", str(latency), "--check", "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def classes(report, rows_cols):
    """Utilization per layer class over the engine's layers (cycles, MACs summed)."""
    sums = {}
    for layer in report["layer_table"]:
        if layer["runs_on"] != "engine":
            continue
        c = sums.setdefault(layer_class(layer), [0, 0, 0])
        c[0] += layer["macs_per_image"]
        c[1] += layer["cycles_per_batch"]
        c[2] += 1
    return {k: {"layers": n, "macs": m, "cycles": cy,
                "utilization_percent": round(100.0 * m / (cy * rows_cols), 2) if cy else 0.0}
            for k, (m, cy, n) in sorted(sums.items())}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", default=str(ROOT / "build" / "driver" / "tool" / "tessera"))
    ap.add_argument("--models", default="resnet50,mobilenet_v2")
    ap.add_argument("--latency", type=int, default=100)
    ap.add_argument("--json")
    a = ap.parse_args()
    out_dir = pathlib.Path(a.tessera).resolve().parent.parent.parent / "models"
    results = {}
    for name in a.models.split(","):
        model, image = out_dir / f"{name}_int8.onnx", out_dir / "fashion_224.npy"
        if not model.exists() or not image.exists():
            subprocess.run([str(BUILDER), "--model", name, "--out", str(model), "--sample", str(image)],
                           check=True)
        info = json.loads(subprocess.run([a.tessera, "info", "--device", "sim", "--json"], check=True,
                                         capture_output=True, text=True).stdout)
        rows, cols = info["array"].split("x")
        rows_cols = int(rows) * int(cols)
        rtl = run(a.tessera, model, image, "sim", a.latency)
        est = run(a.tessera, model, image, "fsim", a.latency)
        results[name] = {
            "engine_cycles": rtl["engine_cycles_per_batch"],
            "utilization_percent": rtl["utilization_percent"],
            "fsim_estimate_utilization_percent": est["utilization_percent"],
            "engine_macs_share_percent": rtl["engine_macs_share_percent"],
            "simulator_wall_seconds": rtl["device_wall_seconds"],
            "images_per_second_at_clock": rtl["images_per_second_at_clock"],
            "layers_differing": rtl["layers_differing"],
            "layers": rtl["layers"],
            "classes": classes(rtl, rows_cols),
        }
    for name, r in results.items():
        print(f"{name}: {r['utilization_percent']:.2f} % MAC utilization on the RTL "
              f"({r['engine_cycles']:,} cycles; fsim estimate {r['fsim_estimate_utilization_percent']:.2f} %), "
              f"{r['engine_macs_share_percent']:.2f} % of MACs on the engine, layers engine/host {r['layers']}, "
              f"simulated in {r['simulator_wall_seconds']:.1f} s, {r['layers_differing']} layers differing")
        for cls, c in r["classes"].items():
            print(f"  {cls:<22} {c['layers']:3d} layers {c['cycles']:>11,} cycles  {c['utilization_percent']:6.2f} %")
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["layers_differing"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
