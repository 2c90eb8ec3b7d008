#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Plots from the tools' JSON reports (Debian's python3-matplotlib), as SVG and PNG.

  scripts/plots.py model RUN.json [RUN.json ...] --out DIR
      per model run (`tessera model run ... --layers --json`): its layers' cycles and MAC
      utilization (NAME_layers.svg/.png), and the roofline of its engine layers - MACs per
      DMA byte against MACs per cycle, under the array's and the bus's ceilings
      (NAME_roofline.svg/.png)
  scripts/plots.py dma BENCH.json [BENCH.json ...] --out DIR
      the DMA sweeps of `make bench` (tessera_bench_dma_wN --json): read and write bytes per
      cycle against memory latency, one line per bus width (dma_latency.svg/.png)

`make plots` runs the tools and then this (docs/performance.md).
"""
import argparse
import json
import pathlib
import re
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def save(fig, out, name):
    written = []
    for ext in ("svg", "png"):
        path = out / f"{name}.{ext}"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        written.append(path)
    plt.close(fig)
    for path in written:
        print(f"wrote {path}")


def engine_shape(report):
    """(rows, cols, bus bytes per cycle) from the report's device, e.g. 'sim 16x16x128 (...)'."""
    m = re.search(r"(\d+)x(\d+)x(\d+)", report.get("device", ""))
    if not m:
        raise SystemExit(f"the report's device '{report.get('device')}' names no engine shape ROWSxCOLSxBUS")
    return int(m.group(1)), int(m.group(2)), int(m.group(3)) // 8


def model_plots(path, out):
    report = json.loads(path.read_text())
    layers = [l for l in report.get("layer_table", []) if l.get("runs_on") == "engine" and l.get("cycles_per_batch")]
    if not layers:
        raise SystemExit(f"{path}: no engine layers with cycles (run `tessera model run ... --layers --json`)")
    name = path.stem
    rows, cols, bus = engine_shape(report)
    labels = [l["name"] for l in layers]
    cycles = [l["cycles_per_batch"] for l in layers]
    util = [l["utilization_percent"] for l in layers]

    fig, (ax_c, ax_u) = plt.subplots(2, 1, figsize=(max(6, 0.35 * len(layers) + 3), 6), sharex=True)
    x = range(len(layers))
    ax_c.bar(x, cycles, color="#4c72b0")
    ax_c.set_ylabel("cycles per batch")
    ax_c.set_title(f"{report.get('model', name)}: {report.get('device', '')}, batch {report.get('batch')}")
    ax_u.bar(x, util, color="#dd8452")
    ax_u.set_ylabel("MAC utilization (%)")
    ax_u.set_ylim(0, 100)
    ax_u.set_xticks(list(x))
    ax_u.set_xticklabels(labels, rotation=90, fontsize=7)
    save(fig, out, f"{name}_layers")

    # The roofline: attainable MACs/cycle = min(array, bus bytes/cycle x MACs/byte).
    fig, ax = plt.subplots(figsize=(6, 4.5))
    intensity = [l["engine_macs_per_batch"] / max(1, l["dma_read_bytes_per_batch"] + l["dma_write_bytes_per_batch"])
                 for l in layers]
    achieved = [l["engine_macs_per_batch"] / l["cycles_per_batch"] for l in layers]
    lo, hi = min(intensity) / 2, max(intensity) * 2
    ridge = rows * cols / bus
    xs = [lo, ridge, hi]
    ax.plot(xs, [min(rows * cols, bus * v) for v in xs], color="black", label=f"ceilings: {rows}x{cols} array, {bus} B/cycle bus")
    ax.scatter(intensity, achieved, color="#c44e52", zorder=3, label="layers")
    for i, l in enumerate(layers):
        ax.annotate(l["name"], (intensity[i], achieved[i]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("MACs per DMA byte")
    ax.set_ylabel("MACs per cycle")
    ax.set_title(f"roofline: {report.get('model', name)}")
    ax.legend(fontsize=7)
    save(fig, out, f"{name}_roofline")


def dma_plot(paths, out):
    fig, ax = plt.subplots(figsize=(6, 4))
    for report in sorted((json.loads(p.read_text()) for p in paths), key=lambda r: r["bus_bits"]):
        lat = [p["latency"] for p in report["points"]]
        bits = report["bus_bits"]
        ax.plot(lat, [p["read_bytes_per_cycle"] for p in report["points"]], marker="o", label=f"{bits}-bit read")
        ax.plot(lat, [p["write_bytes_per_cycle"] for p in report["points"]], marker="x", linestyle="--",
                label=f"{bits}-bit write")
    ax.set_xlabel("memory latency (cycles)")
    ax.set_ylabel("bytes per cycle")
    ax.set_yscale("log", base=2)
    ax.set_title("DMA throughput, 1 MiB transfers (make bench)")
    ax.legend(fontsize=7, ncol=2)
    save(fig, out, "dma_latency")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["model", "dma"])
    parser.add_argument("reports", nargs="+", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, required=True, help="directory for the figures")
    args = parser.parse_args()
    for p in args.reports:
        if not p.is_file():
            parser.error(f"{p}: no such file")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.kind == "model":
        for p in args.reports:
            model_plots(p, args.out)
    else:
        dma_plot(args.reports, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
