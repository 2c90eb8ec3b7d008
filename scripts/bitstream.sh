#!/usr/bin/env bash
# make bitstream BOARD=<name>: the board's vendor flow, where its tools are installed.
#
#   scripts/bitstream.sh <board>     boards: zcu104
# Output under $BUILD/boards/<board>/. Without the vendor tool, stops with status 2 and says
# what is needed; nothing is half-built.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
board=${1:-}
case "$board" in
  zcu104)
    if ! command -v "${VIVADO:-vivado}" > /dev/null 2>&1; then
      echo "bitstream: BOARD=zcu104 needs AMD Vivado (with the ZCU104 board files) on PATH, or" \
        "VIVADO=/path/to/vivado; it is not installed here. The flow is" \
        "constraints/zcu104/build.tcl; docs/boards.md says how to build and load it." >&2
      exit 2
    fi
    mkdir -p "$BUILD/boards"
    "${VIVADO:-vivado}" -mode batch -nojournal -log "$BUILD/boards/zcu104.vivado.log" \
      -source constraints/zcu104/build.tcl -tclargs "$BUILD/boards/zcu104"
    ;;
  "")
    echo "bitstream: say which board: make bitstream BOARD=zcu104" >&2
    exit 2
    ;;
  *)
    echo "bitstream: BOARD=$board is not one of: zcu104 (the XDMA card and iCEBreaker flows" \
      "are not in the tree yet; docs/boards.md)" >&2
    exit 2
    ;;
esac
