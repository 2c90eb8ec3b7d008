#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Writes Yosys's generic gate-level netlist of one Tessera module, for post-synthesis
# simulation (tb/core runs its tests on the netlist of the 4x4 core).
#
#   scripts/netlist.sh <top> "<hierarchy -chparam options>" <output.v>
set -euo pipefail
cd "$(dirname "$0")/.."
top=$1 params=$2 output=$3
YOSYS=${YOSYS:-yosys}
mapfile -t files < <(python3 scripts/rtl_files.py)
log="${output%.v}.log"
if ! "$YOSYS" -q -l "$log" -p "read_verilog -sv -Irtl ${files[*]}; \
    hierarchy -check -top $top $params; synth -flatten -top $top; \
    write_verilog -noattr $output.partial" > /dev/null 2>&1; then
  echo "netlist: Yosys failed for $top; end of $log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
mv "$output.partial" "$output"
