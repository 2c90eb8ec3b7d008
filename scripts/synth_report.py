#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarizes Yosys `stat -json` reports (flattened designs) as Markdown tables.

  synth_report.py core --rows R --cols C [--packed] GENERIC.json|- XILINX.json
      tessera_core: fails unless the array takes exactly one DSP48E2 per MAC (the PEs hold
      the design's only multipliers), or one per two MACs with --packed (PackedPairs), with
      no multiplier left unmapped.
  synth_report.py memory "LABEL=REPORT.json=BITS" ...
      buffers: fails unless the storage maps to block RAM (RAMB36/18 or SB_RAM40_4K) and
      the design has far fewer flip-flops than storage bits.
  synth_report.py blocks "MODULE=REPORT.json" ...
      other blocks: their cells, for the record.
  synth_report.py top --rows R --cols C "LABEL=REPORT.stat" ...
      the whole engine, synthesized hierarchically (`stat` text: Yosys 0.23's JSON is broken
      for hierarchies): cells per block - array, feeders, buffers, DMA, command processor,
      units, registers - and the same two checks as above: one DSP48E2 per MAC in the array
      (one per two MACs when the label says PackedPairs), buffers in block RAM.
  synth_report.py pnr [--dsp N] "LABEL=NEXTPNR_REPORT.json"
      a nextpnr --report: utilization, the maximum frequency per clock and where the
      critical register-to-register path starts and ends; fails when a clock misses its
      constraint, and with --dsp when the design does not use exactly N DSP blocks (the
      array's multipliers).
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
    by_type = cells(args.xilinx_json)
    x = grouped(by_type, GROUPS)
    macs = args.rows * args.cols
    name = f"tessera_core {args.rows}x{args.cols}" + (", PackedPairs=1" if args.packed else "")
    print(f"\n{name} ({macs} MACs)\n")
    if args.generic_json == "-":
        table(["flow"] + list(x), [["`synth_xilinx -family xcup`"] + list(x.values())])
    else:
        g = grouped(cells(args.generic_json), GENERIC_GROUPS)
        table(["flow"] + list(g) + list(x),
              [["generic `synth`"] + list(g.values()) + ["-"] * len(x),
               ["`synth_xilinx -family xcup`"] + ["-"] * len(g) + list(x.values())])
    print(f"\nDSP48E2 per MAC: {x['DSP48E2'] / macs:g} ({x['DSP48E2']} for {macs} MACs)")
    failures = []
    expected = macs // 2 if args.packed else macs
    if x["DSP48E2"] != expected:
        failures.append(f"{name}: expected {expected} DSP48E2 "
                        f"({'one per two MACs' if args.packed else 'one per MAC'}), "
                        f"got {x['DSP48E2']}")
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


def parse_stat(path):
    """Per module, its cells by type (instances of other modules appear as cells too)."""
    modules, current = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("=== ") and line.rstrip().endswith(" ==="):
                name = line.strip()[4:-4]
                current = None if name == "design hierarchy" else modules.setdefault(name, {})
            elif current is not None:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit() and not line.lstrip().startswith("Number"):
                    current[parts[0]] = current.get(parts[0], 0) + int(parts[1])
    return modules


def base(module):
    # "$paramod$<hash>\name", "$paramod\name\Param=value..." or a plain "name"
    parts = module.split("\\")
    return parts[1] if module.startswith("$paramod") and len(parts) > 1 else parts[-1]


# tessera_top's modules into the blocks of the table: every cell belongs to the block of its
# nearest enclosing module listed here (so the core inside the compute unit is the array,
# the RAMs inside the scratchpad are the scratchpad, ...); the top's own cells are glue.
ARRAY, FEEDERS, GLUE = ("systolic array (tessera_core)", "compute unit's feeders and collector",
                        "top-level glue")
TOP_BLOCKS = [
    ("buffers: scratchpad", {"tessera_scratchpad"}),
    ("buffers: accumulator", {"tessera_accumulator"}),
    ("buffers: quantization table, port sharing", {"tessera_buffers"}),
    ("DMA (read + write engines, sharing)", {"tessera_dma_port", "tessera_dma", "tessera_dma_share"}),
    ("command processor (fetch, dispatch + checker, queues, tokens, gates)",
     {"tessera_cmd_path", "tessera_cmd_fetch", "tessera_dispatch", "tessera_token_counter",
      "tessera_dep_gate"}),
    ("depthwise unit (in the compute unit)", {"tessera_depthwise"}),
    ("load unit", {"tessera_load_unit"}),
    ("store unit (with post-processing)", {"tessera_store_unit"}),
    ("registers + counters", {"tessera_regs", "tessera_perf_events", "tessera_perf_counters"}),
]
BLOCK_OF = {name: g for g, names in TOP_BLOCKS for name in names}
BLOCK_OF.update({"tessera_core": ARRAY, "tessera_compute_unit": FEEDERS})


def attribute(modules, name, group, count, add):
    """Adds module `name`'s cells, `count` times, to `group` or its submodules' blocks."""
    for cell, n in modules[name].items():
        if cell in modules:
            attribute(modules, cell, BLOCK_OF.get(base(cell), group), count * n, add)
        else:
            add(group, {cell: count * n})


def top_report(args):
    failures = []
    macs = args.rows * args.cols
    for spec in args.reports:
        # The label may hold "=", the width and the path do not.
        if args.row_only:  # one line of the sweep table: "SHAPE=WIDTH=REPORT"
            label, width, path = spec.rsplit("=", 2)
        else:
            label, path = spec.rsplit("=", 1)
        modules = parse_stat(path)
        top = next(name for name in modules if base(name) == "tessera_top")
        groups = {name: {} for name, _ in TOP_BLOCKS}
        for g in (ARRAY, FEEDERS, GLUE):
            groups[g] = {}

        def add(group, cells):
            for t, n in cells.items():
                groups[group][t] = groups[group].get(t, 0) + n

        attribute(modules, top, GLUE, 1, add)
        order = (["systolic array (tessera_core)", "compute unit's feeders and collector"] +
                 [g for g, _ in TOP_BLOCKS] + ["top-level glue"])
        rows, total = [], {}
        for g in order:
            x = grouped(groups[g], GROUPS)
            for k, v in x.items():
                total[k] = total.get(k, 0) + v
            rows.append([g, x["LUT"], x["FF"], x["CARRY"], x["DSP48E2"], x["LUTRAM"], x["RAMB36"],
                         x["RAMB18"]])
        array = grouped(groups["systolic array (tessera_core)"], GROUPS)
        if args.row_only:
            print(f"| {label} | {width} | {total['LUT']} | {total['FF']} | {total['CARRY']} | "
                  f"{total['DSP48E2']} | {array['DSP48E2'] / macs:g} | {total['LUTRAM']} | "
                  f"{total['RAMB36']} | {total['RAMB18']} |")
        else:
            rows.append(["**total**"] + [f"**{total[k]}**" for k in
                                         ("LUT", "FF", "CARRY", "DSP48E2", "LUTRAM", "RAMB36",
                                          "RAMB18")])
            print(f"\ntessera_top, {label} (UltraScale+, hierarchical)\n")
            table(["block", "LUT", "FF", "CARRY", "DSP48E2", "LUTRAM", "RAMB36", "RAMB18"], rows)
        expected = macs // 2 if "PackedPairs" in label else macs
        if array["DSP48E2"] != expected:
            failures.append(f"{label}: the array took {array['DSP48E2']} DSP48E2 for {macs} MACs "
                            f"(expected {expected})")
        for g in ("buffers: scratchpad", "buffers: accumulator"):
            x = grouped(groups[g], GROUPS)
            if x["RAMB36"] + x["RAMB18"] == 0:
                failures.append(f"{label}: the {g.split(': ')[1]} did not map to block RAM")
        macs = args.small_rows * args.small_cols if args.small_rows else macs
    return failures


def pnr_report(args):
    failures = []
    for spec in args.reports:
        label, path = spec.rsplit("=", 1)  # the label may hold "=", the path does not
        with open(path) as f:
            r = json.load(f)
        print(f"\n{label} (nextpnr-ice40)\n")
        table(["resource", "used", "available", "%"],
              [[k, v["used"], v["available"], f"{100 * v['used'] / v['available']:.0f}"]
               for k, v in r["utilization"].items() if v["used"]])
        for clock, f in r["fmax"].items():
            print(f"\nMaximum frequency ({clock}): {f['achieved']:.2f} MHz "
                  f"(constraint {f['constraint']} MHz)")
            if f["achieved"] < f["constraint"]:
                failures.append(f"{label}: {clock} reaches {f['achieved']:.2f} MHz, below "
                                f"its {f['constraint']} MHz constraint")
        dsps = r["utilization"].get("ICESTORM_DSP", {}).get("used", 0)
        if args.dsp is not None and dsps != args.dsp:
            failures.append(f"{label}: {dsps} DSP blocks used, expected {args.dsp} (one per "
                            f"MAC: a multiplier left the DSPs)")
        for path in r["critical_paths"]:
            if "async" in path["from"] or "async" in path["to"] or not path["path"]:
                continue
            start, end = path["path"][0]["from"]["cell"], path["path"][-1]["to"]["cell"]
            delay = sum(step.get("delay", 0) for step in path["path"])
            print(f"Critical path: {len(path['path'])} steps, {delay:.1f} ns, from {start} "
                  f"to {end}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="kind", required=True)
    core = sub.add_parser("core")
    core.add_argument("--rows", type=int, required=True)
    core.add_argument("--cols", type=int, required=True)
    core.add_argument("--packed", action="store_true", help="PackedPairs: two MACs per DSP")
    core.add_argument("generic_json")
    core.add_argument("xilinx_json")
    memory = sub.add_parser("memory")
    memory.add_argument("reports", nargs="+")
    blocks = sub.add_parser("blocks")
    blocks.add_argument("reports", nargs="+")
    top = sub.add_parser("top")
    top.add_argument("--rows", type=int, required=True)
    top.add_argument("--cols", type=int, required=True)
    top.add_argument("--small-rows", type=int, default=0, help="array of the second report")
    top.add_argument("--small-cols", type=int, default=0)
    top.add_argument("--row-only", action="store_true", help="one sweep-table row per report")
    pnr = sub.add_parser("pnr")
    pnr.add_argument("--dsp", type=int, default=None, help="DSP blocks the design must use")
    pnr.add_argument("reports", nargs="+")
    top.add_argument("reports", nargs="+")
    args = parser.parse_args()
    report = {"core": core_report, "memory": memory_report, "blocks": blocks_report,
              "top": top_report, "pnr": pnr_report}[args.kind]
    failures = report(args)
    for failure in failures:
        print(f"synth: FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
