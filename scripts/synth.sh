#!/usr/bin/env bash
# Synthesizes tessera_core with Yosys and prints a cell summary.
#
#   scripts/synth.sh            16x16 core (ROWS=.. COLS=.. to change the shape)
#
# Two flows: Yosys's generic `synth` (technology-independent gates and flops) and
# `synth_xilinx -family xcup` (UltraScale+: LUTs, FFs, DSP48E2, LUTRAM/SRL, block RAM).
# Logs and JSON statistics go to $BUILD/synth/; scripts/synth_report.py prints the table
# and fails if the array's multipliers stop mapping one MAC to at most one DSP48E2.
set -euo pipefail
cd "$(dirname "$0")/.."

YOSYS=${YOSYS:-yosys}
BUILD=${BUILD:-build}
ROWS=${ROWS:-16}
COLS=${COLS:-16}
out="$BUILD/synth"
mkdir -p "$out"
mapfile -t files < <(sed -e 's#//.*##' -e '/^[[:space:]]*$/d' -e 's#^#rtl/#' rtl/tessera.f)
shape="${ROWS}x${COLS}"
read_design="read_verilog -sv -Irtl ${files[*]}; hierarchy -check -top tessera_core -chparam NumRows $ROWS -chparam NumCols $COLS"

run_flow() {
  local name=$1 command=$2
  local base="$out/${name}_core_${shape}"
  echo "synth: $name flow for tessera_core $shape (log: $base.log)"
  # Statistics are taken flattened: Yosys 0.23's `stat -json` writes invalid JSON for a
  # hierarchical design (it splices in the text hierarchy listing).
  "$YOSYS" -q -l "$base.log" -p "$read_design; $command; flatten; tee -q -o $base.json stat -json" > /dev/null
}

run_flow generic "synth -top tessera_core"
run_flow xcup "synth_xilinx -family xcup -top tessera_core"
python3 scripts/synth_report.py --rows "$ROWS" --cols "$COLS" \
  "$out/generic_core_${shape}.json" "$out/xcup_core_${shape}.json"
