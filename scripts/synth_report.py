#!/usr/bin/env python3
"""Summarizes Yosys `stat -json` reports (flattened designs) as Markdown tables.

  synth_report.py core --rows R --cols C GENERIC.json XILINX.json
      tessera_core: fails unless the array takes exactly one DSP48E2 per MAC (the PEs hold
      the design's only multipliers) with no multiplier left unmapped.
  synth_report.py memory "LABEL=REPORT.json=BITS" ...
      buffers: fails unless the storage maps to block RAM (RAMB36/18 or SB_RAM40_4K) and
      the design has far fewer flip-flops than storage bits.
  synth_report.py blocks "MODULE=REPORT.json" ...
      other blocks: their cells, for the record.
"""
import argparse
import json
import sys

GROUPS = {
    "LUT": lambda t: t.startswith("LUT") or t == "SB_LUT4",
    "FF": lambda t: t in ("FDRE", "FDSE", "FDCE", "FDPE") or t.startswith("SB_DFF"),
    "CARRY": lambda t: t.startswith("CARRY") or t == "SB_CARRY",
    "DSP48E2": lambda t: t == "DSP48E2",
    "LUTRAM": lambda t: t.startswith("RAM") and not t.startswith("RAMB"),
    "SRL": lambda t: t.startswith("SRL"),
    "RAMB36": lambda t: t.startswith("RAMB36"),
    "RAMB18": lambda t: t.startswith("RAMB18"),
    "SB_RAM40_4K": lambda t: t == "SB_RAM40_4K",
}
GENERIC_GROUPS = {
    "generic FF": lambda t: "DFF" in t,
    "generic gates": lambda t: t.startswith("$_") and "DFF" not in t,
}


def cells(path):
    with open(path) as f:
        return json.load(f)["design"]["num_cells_by_type"]


def grouped(by_type, groups):
    return {name: sum(n for t, n in by_type.items() if match(t)) for name, match in groups.items()}


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")


def core_report(args):
    g = grouped(cells(args.generic_json), GENERIC_GROUPS)
    by_type = cells(args.xilinx_json)
    x = grouped(by_type, GROUPS)
    macs = args.rows * args.cols
    print(f"\ntessera_core {args.rows}x{args.cols} ({macs} MACs)\n")
    table(["flow"] + list(g) + list(x),
          [["generic `synth`"] + list(g.values()) + ["-"] * len(x),
           ["`synth_xilinx -family xcup`"] + ["-"] * len(g) + list(x.values())])
    print(f"\nDSP48E2 per MAC: {x['DSP48E2'] / macs:g} ({x['DSP48E2']} for {macs} MACs)")
    failures = []
    if x["DSP48E2"] != macs:
        failures.append(f"expected one DSP48E2 per MAC ({macs}), got {x['DSP48E2']}")
    soft = [t for t in by_type if "mul" in t.lower()]
    if soft:
        failures.append(f"multipliers left unmapped: {soft}")
    return failures


def memory_report(args):
    rows, failures = [], []
    for spec in args.reports:
        label, path, bits = spec.rsplit("=", 2)
        family = "UltraScale+" if "xcup" in path else "iCE40"
        g = grouped(cells(path), GROUPS)
        brams = g["RAMB36"] + g["RAMB18"] + g["SB_RAM40_4K"]
        rows.append([label, family, g["RAMB36"], g["RAMB18"], g["SB_RAM40_4K"], g["FF"], g["LUT"]])
        if brams == 0:
            failures.append(f"{label} on {family}: storage did not map to block RAM")
        if g["FF"] * 8 > int(bits):
            failures.append(f"{label} on {family}: {g['FF']} flip-flops for {bits} bits of "
                            "storage: the memory went to fabric")
    print("\nOn-chip buffers\n")
    table(["buffer", "family", "RAMB36", "RAMB18", "SB_RAM40_4K", "FF", "LUT"], rows)
    return failures


def blocks_report(args):
    print("\nEngine blocks (UltraScale+, default parameters)\n")
    rows = []
    for spec in args.reports:
        name, path = spec.split("=", 1)
        g = grouped(cells(path), GROUPS)
        rows.append([f"`{name}`", g["LUT"], g["FF"], g["CARRY"], g["DSP48E2"], g["LUTRAM"],
                     g["RAMB36"] + g["RAMB18"]])
    table(["block", "LUT", "FF", "CARRY", "DSP48E2", "LUTRAM", "RAMB"], rows)
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    core = sub.add_parser("core")
    core.add_argument("--rows", type=int, required=True)
    core.add_argument("--cols", type=int, required=True)
    core.add_argument("generic_json")
    core.add_argument("xilinx_json")
    memory = sub.add_parser("memory")
    memory.add_argument("reports", nargs="+")
    blocks = sub.add_parser("blocks")
    blocks.add_argument("reports", nargs="+")
    args = parser.parse_args()
    report = {"core": core_report, "memory": memory_report, "blocks": blocks_report}[args.kind]
    failures = report(args)
    for failure in failures:
        print(f"synth: FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
