#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The RTL's files, from their one list (rtl/tessera.f), for the tools that read them.

  scripts/rtl_files.py            the source files, one per line, from the repository root
                                  (what lint, synthesis and the bitstream flows read)
  scripts/rtl_files.py --write    regenerates rtl/tessera_read.ys: Yosys reads the design with
                                  `script rtl/tessera_read.ys` (Yosys 0.23 has no file lists)
  scripts/rtl_files.py --check    fails if rtl/tessera_read.ys is stale (make lint)

rtl/tessera.f itself is a Verilator file list: `verilator -F rtl/tessera.f` from anywhere
(its paths, and the +incdir+ of the assertion header, are relative to the list's directory).
Option lines (+incdir+, -...) are not files.
"""
import argparse
import pathlib
import sys

from generated import emit

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIST = ROOT / "rtl" / "tessera.f"
YOSYS = ROOT / "rtl" / "tessera_read.ys"


def files():
    """rtl/ paths of the list's files, in its order."""
    out = []
    for line in LIST.read_text().splitlines():
        line = line.split("//", 1)[0].strip()
        if line and line[0] not in "+-":
            out.append(f"rtl/{line}")
    return out


def yosys_script():
    lines = ["# SPDX-License-Identifier: Apache-2.0",
             "# Generated from rtl/tessera.f by scripts/rtl_files.py --write: do not edit.",
             "# Reads the whole design into Yosys; run from the repository root:",
             "#   yosys -p 'script rtl/tessera_read.ys; synth -top tessera_top'"]
    lines += [f"read_verilog -sv -Irtl {f}" for f in files()]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true")
    group.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.write or args.check:
        return emit(ROOT, {YOSYS: yosys_script()}, args.check, "rtl/tessera.f")
    print("\n".join(files()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
