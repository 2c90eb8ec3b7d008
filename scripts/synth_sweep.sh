#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole engine (tessera_top) under Yosys synth_xilinx (UltraScale+) across array shapes
# and AXI bus widths, default buffers (256 KiB + 64 KiB): a Markdown table of LUT, FF,
# DSP48E2 and block RAM per configuration, for docs/synthesis.md.
#
#   scripts/synth_sweep.sh [SHAPES] [WIDTHS]    e.g. "4 8 16" "64 128 256"
set -euo pipefail
cd "$(dirname "$0")/.."
YOSYS=${YOSYS:-yosys}
BUILD=${BUILD:-build}
shapes=(${1:-4 8 16})
widths=(${2:-64 128 256})
out="$BUILD/synth/sweep"
mkdir -p "$out"
mapfile -t files < <(python3 scripts/rtl_files.py)
echo "| array | bus | LUT | FF | CARRY | DSP48E2 | DSP/MAC in the array | LUTRAM | RAMB36 | RAMB18 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${shapes[@]}"; do
  for w in "${widths[@]}"; do
    base="$out/top_${n}x${n}_b$w"
    "$YOSYS" -q -l "$base.log" -p "read_verilog -sv -Irtl ${files[*]}; \
      chparam -set NumRows $n -set NumCols $n -set BusWidth $w tessera_top; \
      synth_xilinx -family xcup -top tessera_top; tee -q -o $base.stat stat" > /dev/null 2>&1 ||
      { echo "sweep: ${n}x$n / $w FAILED (see $base.log)" >&2; exit 1; }
    python3 scripts/synth_report.py top --rows "$n" --cols "$n" --row-only \
      "${n}x${n}=$w=$base.stat"
  done
done
