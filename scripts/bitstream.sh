#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make bitstream BOARD=<name>: the board's vendor flow, where its tools are installed.
#
#   scripts/bitstream.sh <board>     boards: zcu104 (Zynq UltraScale+), kcu105 (PCIe + XDMA),
#                                    icebreaker (iCE40UP5K: the core over a serial link)
# Output under $BUILD/boards/<board>/. The iCEBreaker's flow is open (Yosys, nextpnr-ice40,
# icepack) and runs here; the Vivado boards need Vivado, and without it the script stops
# with status 2 and says what is needed; nothing is half-built.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VIVADO=${VIVADO:-vivado}
YOSYS=${YOSYS:-yosys}
NEXTPNR_ICE40=${NEXTPNR_ICE40:-nextpnr-ice40}
ICEPACK=${ICEPACK:-icepack}
board=${1:-}
boards="zcu104, kcu105, icebreaker"

# The iCEBreaker: synth_ice40 with the UP5K's DSPs, place and route on the SG48 package with
# the board's pins, a timing check at the 12 MHz oscillator, icepack. The report fails when
# timing fails or a MAC's multiplier is not in an SB_MAC16.
build_icebreaker() {
  local out="$BUILD/boards/icebreaker" rows=4 cols=2
  local base="$out/tessera_icebreaker"
  mkdir -p "$out"
  mapfile -t files < <(python3 scripts/rtl_files.py)
  echo "bitstream: icebreaker: synth_ice40 (log: $base.yosys.log)"
  "$YOSYS" -q -l "$base.yosys.log" -p "read_verilog -sv -Irtl ${files[*]} \
    constraints/icebreaker/tessera_icebreaker.sv; \
    chparam -set NumRows $rows -set NumCols $cols tessera_icebreaker; \
    synth_ice40 -dsp -top tessera_icebreaker -json $base.json" > /dev/null 2>&1 ||
    { echo "bitstream: icebreaker: Yosys FAILED; end of $base.yosys.log:" >&2
      tail -20 "$base.yosys.log" >&2; exit 1; }
  echo "bitstream: icebreaker: nextpnr-ice40 (log: $base.pnr.log)"
  "$NEXTPNR_ICE40" --up5k --package sg48 --json "$base.json" \
    --pcf constraints/icebreaker/icebreaker.pcf --freq 12 --seed 1 \
    --asc "$base.asc.tmp" --report "$base.report.json" > "$base.pnr.log" 2>&1 ||
    { echo "bitstream: icebreaker: nextpnr-ice40 FAILED; end of $base.pnr.log:" >&2
      tail -20 "$base.pnr.log" >&2; rm -f "$base.asc.tmp"; exit 1; }
  python3 scripts/synth_report.py pnr --dsp $((rows * cols)) \
    "tessera_icebreaker ($rows x $cols core, 1 Mbaud link) on iCE40UP5K-SG48=$base.report.json" ||
    { rm -f "$base.asc.tmp"; exit 1; }
  mv "$base.asc.tmp" "$base.asc"
  "$ICEPACK" "$base.asc" "$base.bin.tmp" && mv "$base.bin.tmp" "$base.bin"
  echo "bitstream: icebreaker: $base.bin ($(wc -c < "$base.bin") bytes); load it with" \
    "\`iceprog $base.bin\`, then run \`tessera coretest --serial /dev/ttyUSB1\`"
}

case "$board" in
  zcu104 | kcu105)
    if ! command -v "$VIVADO" > /dev/null 2>&1; then
      echo "bitstream: BOARD=$board needs AMD Vivado (with the $board board files) on PATH," \
        "or VIVADO=/path/to/vivado; it is not installed here. The flow is" \
        "constraints/$board/build.tcl; docs/boards.md says how to build and load it." >&2
      exit 2
    fi
    mkdir -p "$BUILD/boards"
    "$VIVADO" -mode batch -nojournal -log "$BUILD/boards/$board.vivado.log" \
      -source "constraints/$board/build.tcl" -tclargs "$BUILD/boards/$board"
    ;;
  icebreaker)
    build_icebreaker
    ;;
  "")
    echo "bitstream: say which board: make bitstream BOARD=<$boards>" >&2
    exit 2
    ;;
  *)
    echo "bitstream: BOARD=$board is not one of: $boards" >&2
    exit 2
    ;;
esac
