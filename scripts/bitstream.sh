#!/usr/bin/env bash
# make bitstream BOARD=<name>: the board's vendor flow, where its tools are installed.
#
#   scripts/bitstream.sh <board>     boards: zcu104 (Zynq UltraScale+), kcu105 (PCIe + XDMA)
# Output under $BUILD/boards/<board>/. Without the vendor tool, stops with status 2 and says
# what is needed; nothing is half-built.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
VIVADO=${VIVADO:-vivado}
board=${1:-}
boards="zcu104, kcu105"

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
  "")
    echo "bitstream: say which board: make bitstream BOARD=<$boards>" >&2
    exit 2
    ;;
  *)
    echo "bitstream: BOARD=$board is not one of: $boards (an iCE40 board needs a lighter" \
      "engine first; docs/synthesis.md)" >&2
    exit 2
    ;;
esac
