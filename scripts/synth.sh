#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Synthesizes Tessera's blocks with Yosys and prints cell summaries.
#
#   scripts/synth.sh            (ROWS=.. COLS=.. change the core's shape; default 16x16)
#
# Flows, each with a log and flattened JSON statistics in $BUILD/synth/:
#   - tessera_core: Yosys's generic `synth` and `synth_xilinx -family xcup` (UltraScale+),
#     and with two MACs per DSP48E2 (PackedPairs);
#   - tessera_scratchpad and tessera_accumulator at their default sizes with synth_xilinx,
#     and reduced ones with synth_ice40 (iCE40 parts have 15..30 KiB of block RAM);
#   - the engine's other blocks (DMA, post-processing, units, checker, registers) with
#     synth_xilinx, for their cost;
#   - the whole engine, tessera_top, with synth_xilinx kept hierarchical (cells per block):
#     the default 16x16 / 128-bit build and a small 4x4 / 64-bit one;
#   - the 4x4 core through synth_ice40 and nextpnr-ice40 on an iCE40 HX8K (CT256, pins
#     unconstrained), without and with the PEs' product register: utilization, the maximum
#     clock frequency and the critical path.
#   scripts/synth.sh --quick   only the small flows: the 4x4 core, reduced buffers and the
#                              small engine, with the same checks (the CI test runs this).
# scripts/synth_report.py prints the tables and fails when the array stops taking exactly
# one DSP48E2 per MAC or a buffer's storage stops mapping to block RAM.
set -euo pipefail
cd "$(dirname "$0")/.."

YOSYS=${YOSYS:-yosys}
BUILD=${BUILD:-build}
ROWS=${ROWS:-16}
COLS=${COLS:-16}
QUICK=0
if [[ ${1:-} == --quick ]]; then QUICK=1; ROWS=4; COLS=4; fi
out="$BUILD/synth"
mkdir -p "$out"
mapfile -t files < <(python3 scripts/rtl_files.py)

# run_flow <report name> <top> "<chparam options>" "<synthesis command>"
run_flow() {
  local name=$1 top=$2 params=$3 command=$4
  local base="$out/$name"
  echo "synth: $name (log: $base.log)"
  # Statistics are taken flattened: Yosys 0.23's `stat -json` writes invalid JSON for a
  # hierarchical design (it splices in the text hierarchy listing).
  # Technology mapping prints benign warnings (port resizing); they stay in the log.
  if ! "$YOSYS" -q -l "$base.log" -p "read_verilog -sv -Irtl ${files[*]}; \
    hierarchy -check -top $top $params; $command -top $top; flatten; \
    tee -q -o $base.json stat -json" > /dev/null 2>&1; then
    echo "synth: $name FAILED; end of $base.log:" >&2
    tail -20 "$base.log" >&2
    exit 1
  fi
}

# run_top_flow <report name> "<chparam -set options>": tessera_top with synth_xilinx, kept
# hierarchical, statistics as `stat` text. (The parameters go through `chparam` before
# `hierarchy`: Yosys 0.23 trips an internal assertion on `hierarchy -chparam` for this top.)
run_top_flow() {
  local name=$1 params=$2
  local base="$out/$name"
  echo "synth: $name (log: $base.log)"
  if ! "$YOSYS" -q -l "$base.log" -p "read_verilog -sv -Irtl ${files[*]}; \
    ${params:+chparam $params tessera_top;} \
    synth_xilinx -family xcup -top tessera_top; \
    tee -q -o $base.stat stat" > /dev/null 2>&1; then
    echo "synth: $name FAILED; end of $base.log:" >&2
    tail -20 "$base.log" >&2
    exit 1
  fi
}
small_top="-set NumRows 4 -set NumCols 4 -set BusWidth 64 -set ScratchpadBytes 16384 \
  -set AccumulatorBytes 4096 -set QTableEntries 64"

core="core_${ROWS}x${COLS}"
if (( QUICK )); then
  run_flow "xcup_$core" tessera_core "-chparam NumRows $ROWS -chparam NumCols $COLS" \
    "synth_xilinx -family xcup"
  run_flow "generic_$core" tessera_core "-chparam NumRows $ROWS -chparam NumCols $COLS" synth
  run_flow "xcup_${core}_packed" tessera_core \
    "-chparam NumRows $ROWS -chparam NumCols $COLS -chparam PackedPairs 1" "synth_xilinx -family xcup"
  run_flow ice40_scratchpad tessera_scratchpad "-chparam Lines 512 -chparam NumBanks 2" synth_ice40
  run_flow ice40_accumulator tessera_accumulator "-chparam Lanes 4 -chparam Lines 128" synth_ice40
  run_top_flow xcup_top_4x4 "$small_top"
  python3 scripts/synth_report.py core --rows "$ROWS" --cols "$COLS" \
    "$out/generic_$core.json" "$out/xcup_$core.json"
  python3 scripts/synth_report.py core --rows "$ROWS" --cols "$COLS" --packed \
    - "$out/xcup_${core}_packed.json"
  python3 scripts/synth_report.py memory \
    "scratchpad 8 KiB (512 x 16 B, 2 banks)=$out/ice40_scratchpad.json=$((8 * 1024 * 8))" \
    "accumulator 2 KiB (128 x 4 x int32, 2 banks)=$out/ice40_accumulator.json=$((2 * 1024 * 8))"
  python3 scripts/synth_report.py top --rows 4 --cols 4 \
    "small 4x4, 64-bit, 16 KiB + 4 KiB=$out/xcup_top_4x4.stat"
  exit 0
fi
run_flow "generic_$core" tessera_core "-chparam NumRows $ROWS -chparam NumCols $COLS" synth
run_flow "xcup_$core" tessera_core "-chparam NumRows $ROWS -chparam NumCols $COLS" \
  "synth_xilinx -family xcup"
run_flow "xcup_${core}_packed" tessera_core \
  "-chparam NumRows $ROWS -chparam NumCols $COLS -chparam PackedPairs 1" "synth_xilinx -family xcup"
run_flow xcup_scratchpad tessera_scratchpad "" "synth_xilinx -family xcup"
run_flow xcup_accumulator tessera_accumulator "" "synth_xilinx -family xcup"
run_flow ice40_scratchpad tessera_scratchpad "-chparam Lines 512 -chparam NumBanks 2" synth_ice40
run_flow ice40_accumulator tessera_accumulator "-chparam Lanes 4 -chparam Lines 128" synth_ice40

# The engine's other blocks at their default parameters (16 lanes, 128-bit bus).
blocks=(tessera_dma tessera_postproc tessera_depthwise tessera_load_unit tessera_store_unit
        tessera_cmd_check tessera_regs)
for top in "${blocks[@]}"; do
  run_flow "xcup_${top#tessera_}" "$top" "" "synth_xilinx -family xcup"
done

python3 scripts/synth_report.py core --rows "$ROWS" --cols "$COLS" \
  "$out/generic_$core.json" "$out/xcup_$core.json"
python3 scripts/synth_report.py core --rows "$ROWS" --cols "$COLS" --packed \
  - "$out/xcup_${core}_packed.json"
python3 scripts/synth_report.py memory \
  "scratchpad 256 KiB (16384 x 16 B, 4 banks)=$out/xcup_scratchpad.json=$((256 * 1024 * 8))" \
  "accumulator 64 KiB (1024 x 16 x int32, 2 banks)=$out/xcup_accumulator.json=$((64 * 1024 * 8))" \
  "scratchpad 8 KiB (512 x 16 B, 2 banks)=$out/ice40_scratchpad.json=$((8 * 1024 * 8))" \
  "accumulator 2 KiB (128 x 4 x int32, 2 banks)=$out/ice40_accumulator.json=$((2 * 1024 * 8))"
block_reports=()
for top in "${blocks[@]}"; do block_reports+=("$top=$out/xcup_${top#tessera_}.json"); done
python3 scripts/synth_report.py blocks "${block_reports[@]}"

# iCE40 place and route: the 4x4 core on an HX8K (no DSPs there: LUT multipliers), without
# and with the PEs' product register (tessera_pe's ProductRegister).
for product_reg in 0 1; do
  ice="$out/ice40_core_4x4_hx8k_pr$product_reg"
  echo "synth: ice40_core_4x4_hx8k_pr$product_reg (logs: $ice.log, $ice.pnr.log)"
  "$YOSYS" -q -l "$ice.log" -p "read_verilog -sv -Irtl ${files[*]}; \
    chparam -set NumRows 4 -set NumCols 4 -set ProductRegister $product_reg tessera_core; \
    synth_ice40 -top tessera_core -json $ice.json" > /dev/null 2>&1 ||
    { echo "synth: ice40 synthesis FAILED (see $ice.log)" >&2; exit 1; }
  "${NEXTPNR_ICE40:-nextpnr-ice40}" --hx8k --package ct256 --json "$ice.json" \
    --pcf-allow-unconstrained --freq 50 --seed 1 --report "$ice.report.json" > "$ice.pnr.log" 2>&1 ||
    { echo "synth: nextpnr-ice40 FAILED; end of $ice.pnr.log:" >&2; tail -20 "$ice.pnr.log" >&2; exit 1; }
  python3 scripts/synth_report.py pnr \
    "tessera_core 4x4, ProductRegister=$product_reg, on iCE40 HX8K-CT256=$ice.report.json"
done

run_top_flow xcup_top_16x16 ""
run_top_flow xcup_top_4x4 "$small_top"
python3 scripts/synth_report.py top --rows 16 --cols 16 --small-rows 4 --small-cols 4 \
  "default 16x16, 128-bit, 256 KiB + 64 KiB=$out/xcup_top_16x16.stat" \
  "small 4x4, 64-bit, 16 KiB + 4 KiB=$out/xcup_top_4x4.stat"
run_top_flow xcup_top_16x16_packed "-set PackedPairs 1"
python3 scripts/synth_report.py top --rows 16 --cols 16 \
  "default 16x16 with PackedPairs=1 (two MACs per DSP48E2)=$out/xcup_top_16x16_packed.stat"
