#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A second engine shape end to end: `tessera` and `tessera_sim` on the build's extra engine
# (CMake's TESSERA_EXTRA_ENGINES), every output checked against the reference model, and
# every report's shape and utilization read from the engine itself: utilization_percent
# must equal 100 x MACs / (cycles x rows x cols) of that engine, never the default's.
# Usage: test_second_engine.sh path/to/tessera path/to/tessera_sim ROWSxCOLSxBUS
set -u
T=$1 SIM=$2 ENGINE=$3
ROWS=${ENGINE%%x*} REST=${ENGINE#*x}
COLS=${REST%%x*} BUS=${REST#*x}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
FAILED=0

check() {  # check NAME FILE PYTHON-EXPRESSION-OVER-j
  if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$2"; then
    echo "ok: $1"
  else
    echo "FAIL: $1: $(cat "$2")"
    FAILED=1
  fi
}

"$T" info --device "sim:engine=$ENGINE" --json > "$DIR/info.json" || FAILED=1
check "info reads the shape" "$DIR/info.json" "j['array'] == '${ROWS}x${COLS}' and j['bus_bits'] == $BUS"

"$T" gemm --device "sim:engine=$ENGINE" --m 40 --k 50 --n 24 --check --json > "$DIR/gemm.json" || FAILED=1
check "tessera gemm is bit-exact and reports ${ROWS}x${COLS}" "$DIR/gemm.json" \
  "j['array'] == '${ROWS}x${COLS}' and j['mismatches'] == 0 and
   j['engine_macs'] == j['macs'] and
   abs(j['utilization_percent'] - 100.0 * j['engine_macs'] / (j['cycles'] * $ROWS * $COLS)) < 0.01"

"$SIM" --engine "$ENGINE" --m 40 --k 50 --n 24 --h 9 --w 11 --c 12 --oc 10 --pool 1 --json "$DIR/sim.json" > /dev/null || FAILED=1
check "tessera_sim is bit-exact and reports ${ROWS}x${COLS}" "$DIR/sim.json" \
  "j['array'] == '${ROWS}x${COLS}' and j['bus_bits'] == $BUS and len(j['workloads']) == 2 and
   all(w['mismatches'] == 0 and
       w['useful_macs'] <= w['engine_macs'] and
       abs(w['utilization_percent'] - 100.0 * w['engine_macs'] / (w['cycles'] * $ROWS * $COLS)) < 1e-3
       for w in j['workloads'])"
exit $FAILED
