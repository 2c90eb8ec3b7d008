#!/usr/bin/env python3
"""Summarizes Yosys `stat -json` reports of tessera_core as a Markdown table.

Exits non-zero when the checks that keep the design honest fail: on UltraScale+ the array
must take exactly one DSP48E2 per MAC (the PEs hold the design's only multipliers) and no
multiplier may be left unmapped.
"""
import argparse
import json
import sys

XILINX_GROUPS = {
    "LUT": lambda t: t.startswith("LUT"),
    "FF": lambda t: t in ("FDRE", "FDSE", "FDCE", "FDPE"),
    "CARRY": lambda t: t.startswith("CARRY"),
    "DSP48E2": lambda t: t == "DSP48E2",
    "LUTRAM": lambda t: t.startswith("RAM") and not t.startswith("RAMB"),
    "SRL": lambda t: t.startswith("SRL"),
    "RAMB36/18": lambda t: t.startswith("RAMB"),
}
GENERIC_GROUPS = {
    "generic FF": lambda t: "DFF" in t,
    "generic gates": lambda t: t.startswith("$_") and "DFF" not in t,
}


def grouped(cells, groups):
    return {name: sum(n for t, n in cells.items() if match(t)) for name, match in groups.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--cols", type=int, required=True)
    parser.add_argument("generic_json")
    parser.add_argument("xilinx_json")
    args = parser.parse_args()

    generic = json.load(open(args.generic_json))
    xilinx = json.load(open(args.xilinx_json))
    g = grouped(generic["design"]["num_cells_by_type"], GENERIC_GROUPS)
    x = grouped(xilinx["design"]["num_cells_by_type"], XILINX_GROUPS)
    macs = args.rows * args.cols

    print(f"\ntessera_core {args.rows}x{args.cols} ({macs} MACs)\n")
    print("| flow | " + " | ".join(list(g) + list(x)) + " |")
    print("|---" * (1 + len(g) + len(x)) + "|")
    print("| generic `synth` | " + " | ".join(str(v) for v in g.values()) +
          " |" + " - |" * len(x))
    print("| `synth_xilinx -family xcup` |" + " - |" * len(g) + " " +
          " | ".join(str(v) for v in x.values()) + " |")
    print(f"\nDSP48E2 per MAC: {x['DSP48E2'] / macs:g} ({x['DSP48E2']} for {macs} MACs)")

    failures = []
    if x["DSP48E2"] != macs:
        failures.append(f"expected one DSP48E2 per MAC ({macs}), got {x['DSP48E2']}")
    soft = [t for t in xilinx["design"]["num_cells_by_type"] if "mul" in t.lower()]
    if soft:
        failures.append(f"multipliers left unmapped: {soft}")
    for failure in failures:
        print(f"synth: FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
