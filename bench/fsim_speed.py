#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The golden model (fsim) against the RTL simulator (sim), side by side in one run.

For each workload - the 512^3 GEMM, a 56x56x64 3x3 convolution, the source documents' CNN
on 300 Fashion-MNIST images - runs `tessera ... --json` on both devices, interleaved
(sim, fsim, sim, fsim, ...), and prints the wall time of each (the median of --rounds), the
speed ratio, and the golden model's cycle estimate against the RTL's count. Both use the
same memory latency (--latency, the tool's default 100 cycles). Only ratios measured in
this run are meaningful: the machines are shared.

  bench/fsim_speed.py [--tessera build/driver/tool/tessera] [--rounds 3] [--json FILE]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")

WORKLOADS = {
    "gemm 512x512x512": ["gemm", "--m", "512", "--k", "512", "--n", "512", "--check"],
    "conv 56x56x64 -> 64, 3x3": ["conv2d", "--h", "56", "--w", "56", "--c", "64", "--oc", "64",
                                 "--kernel", "3", "--pad", "1", "--check"],
    "CNN, 300 images": ["model", "run", str(ROOT / "models" / "fashion_cnn_int8.onnx"),
                        "--input", str(FASHION / "t10k-images-idx3-ubyte.gz"),
                        "--count", "300"],
}


def run(tessera, args, device):
    out = subprocess.run([tessera, *args, "--device", device, "--json"], check=True,
                         capture_output=True, text=True).stdout
    report = json.loads(out)
    # A model run reports its cycles per batch and the time spent in the device.
    cycles = report.get("cycles") or report["engine_cycles_per_batch"] * report["batches"]
    wall = report.get("device_wall_seconds", report["wall_seconds"])
    return wall, cycles


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tessera", default=str(ROOT / "build" / "driver" / "tool" / "tessera"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    a = ap.parse_args()
    rows = []
    print(f"{'workload':28} {'sim s':>8} {'fsim s':>8} {'speed-up':>9} {'RTL cycles':>11} "
          f"{'fsim estimate':>14} {'error':>7}")
    for name, args in WORKLOADS.items():
        walls = {"sim": [], "fsim": []}
        cycles = {}
        for _ in range(a.rounds):
            for device in ("sim", "fsim"):
                wall, c = run(a.tessera, args, device)
                walls[device].append(wall)
                cycles[device] = c
        sim_s, fsim_s = statistics.median(walls["sim"]), statistics.median(walls["fsim"])
        ratio = sim_s / max(fsim_s, 1e-6)
        error = (cycles["fsim"] - cycles["sim"]) / cycles["sim"]
        rows.append({"workload": name, "sim_seconds": sim_s, "fsim_seconds": fsim_s,
                     "speedup": round(ratio, 1), "rtl_cycles": cycles["sim"],
                     "fsim_cycles": cycles["fsim"], "estimate_error": round(error, 4)})
        print(f"{name:28} {sim_s:8.3f} {fsim_s:8.4f} {ratio:8.0f}x {cycles['sim']:11d} "
              f"{cycles['fsim']:14d} {100 * error:+6.1f}%")
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
