#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Lints every RTL file with both front ends, with zero warnings allowed:
#   - verilator --lint-only -Wall, with the commented waivers in rtl/lint.vlt, once per
#     module as top and for tessera_core in several shapes (non-square, degenerate);
#   - Yosys: read every file, then for each top `hierarchy; proc; check -assert`, and fail
#     on any line Yosys marks as a warning (some silent mis-sizings only show up there);
#   - the generated files of the register map, the command set and the default engine
#     (--check);
#   - the C++ sources against the checked-in .clang-format (the generated headers are left
#     as their generators write them; the generators' --check keeps those current);
#   - the license identifier in every source, script and build file.
set -euo pipefail
cd "$(dirname "$0")/.."

VERILATOR=${VERILATOR:-verilator}
YOSYS=${YOSYS:-yosys}
BUILD=${BUILD:-build}
mapfile -t files < <(python3 scripts/rtl_files.py)

# Every module defined in the file list is linted as a top with its default parameters.
mapfile -t modules < <(grep -h -o '^module [a-z_0-9]*' "${files[@]}" | cut -d' ' -f2)
core_shapes=("16 16" "4 4" "8 4" "1 1" "1 7" "7 1" "5 3")
dma_widths=(64 256 512)  # 128 is the default, linted above

status=0
# The register map's, the command set's and the default engine's generated files must match
# their sources.
if ! python3 scripts/regmap.py --check; then status=1; fi
if ! python3 scripts/isagen.py --check; then status=1; fi
if ! python3 scripts/engine_config.py --check; then status=1; fi
if ! python3 scripts/rtl_files.py --check; then status=1; fi

# C++ formatting: every tracked C++ file but the generated ones.
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
echo "lint: C++ formatting (clang-format)"
mkdir -p "$BUILD"
mapfile -t cxx < <(find driver sim tb bench refmodel fsim fuzz -name '*.cpp' -o -name '*.hpp' | sort |
                   grep -v -x -e driver/include/tessera/isa_fields.hpp \
                     -e driver/include/tessera/regs.hpp -e driver/include/tessera/default_engine.hpp)
if ! "$CLANG_FORMAT" --dry-run --Werror "${cxx[@]}" 2> "$BUILD/lint-format.log"; then
  echo "lint: these files differ from .clang-format (run: clang-format -i FILE):" >&2
  grep -o '^[^:]*' "$BUILD/lint-format.log" | sort -u | head -20 >&2
  status=1
fi

# The license: every tracked source, script and build file names it (LICENSE; the generated
# ones get it from their generators).
echo "lint: license identifiers (SPDX)"
unlicensed=$(git ls-files -- '*.sv' '*.svh' '*.v' '*.cpp' '*.hpp' '*.py' '*.sh' '*.tcl' '*.cmake' \
               '*.txt' '*.in' '*.xdc' '*.pcf' '*.vlt' '*.f' '*.dtso' Makefile .ci/run |
             while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f"; done)
if [ -n "$unlicensed" ]; then
  echo "lint: these files lack 'SPDX-License-Identifier: Apache-2.0' in their first lines:" >&2
  echo "$unlicensed" | head -20 >&2
  status=1
fi

lint_verilator() {
  local top=$1
  shift
  # The file list as others use it (docs/conventions.md): -F, paths relative to the list.
  if ! "$VERILATOR" --lint-only -Wall --assert rtl/lint.vlt -F rtl/tessera.f --top-module "$top" "$@"; then
    echo "lint: verilator FAILED for $top $*" >&2
    status=1
  fi
}

echo "lint: Verilator -Wall, ${#modules[@]} modules and the parameter variants"
for top in "${modules[@]}"; do lint_verilator "$top"; done
for shape in "${core_shapes[@]}"; do
  read -r rows cols <<< "$shape"
  lint_verilator tessera_core -GNumRows="$rows" -GNumCols="$cols"
done
for width in "${dma_widths[@]}"; do lint_verilator tessera_dma -GDataWidth="$width"; done
lint_verilator tessera_core -GNumRows=4 -GNumCols=4 -GProductRegister=1
# Two MACs per multiplier (tessera_pe_pair), alone and with the product register.
packed_shapes=("16 16" "4 4" "2 2" "8 4")
for shape in "${packed_shapes[@]}"; do
  read -r rows cols <<< "$shape"
  lint_verilator tessera_core -GNumRows="$rows" -GNumCols="$cols" -GPackedPairs=1
done
lint_verilator tessera_core -GNumRows=4 -GNumCols=4 -GPackedPairs=1 -GProductRegister=1
# The boards' wrapper (plain Verilog, for Vivado's block designer) around tessera_top.
board_wrapper=constraints/common/tessera_axi.v
lint_verilator tessera_axi "$board_wrapper"
lint_verilator tessera_axi "$board_wrapper" -GPACKED_PAIRS=1
# The iCEBreaker's top (the core behind a serial link).
icebreaker_top=constraints/icebreaker/tessera_icebreaker.sv
lint_verilator tessera_icebreaker "$icebreaker_top"

mkdir -p "$BUILD/lint"
script="$BUILD/lint/yosys_check.ys"
{
  echo "script rtl/tessera_read.ys"  # the design as others read it into Yosys
  for top in "${modules[@]}"; do
    echo "design -save loaded"
    echo "hierarchy -check -top $top"
    echo "proc"
    echo "check -assert"
    echo "design -load loaded"
  done
  for shape in "${core_shapes[@]}"; do
    read -r rows cols <<< "$shape"
    echo "hierarchy -check -top tessera_core -chparam NumRows $rows -chparam NumCols $cols"
    echo "proc"
    echo "check -assert"
    echo "design -load loaded"
  done
  for width in "${dma_widths[@]}"; do
    echo "hierarchy -check -top tessera_dma -chparam DataWidth $width"
    echo "proc"
    echo "check -assert"
    echo "design -load loaded"
  done
  echo "hierarchy -check -top tessera_core -chparam NumRows 4 -chparam NumCols 4 -chparam ProductRegister 1"
  echo "proc"
  echo "check -assert"
  echo "design -load loaded"
  for shape in "${packed_shapes[@]}"; do
    read -r rows cols <<< "$shape"
    echo "hierarchy -check -top tessera_core -chparam NumRows $rows -chparam NumCols $cols -chparam PackedPairs 1"
    echo "proc"
    echo "check -assert"
    echo "design -load loaded"
  done
  echo "read_verilog $board_wrapper"
  echo "hierarchy -check -top tessera_axi"
  echo "proc"
  echo "check -assert"
  echo "design -load loaded"
  echo "read_verilog -sv -Irtl $icebreaker_top"
  echo "hierarchy -check -top tessera_icebreaker"
  echo "proc"
  echo "check -assert"
} > "$script"
echo "lint: Yosys check -assert"
log="$BUILD/lint/yosys_check.log"
if ! "$YOSYS" -q -l "$log" -s "$script" > /dev/null 2>&1; then
  echo "lint: yosys check FAILED (see $log)" >&2
  grep -iE "error|warning" "$log" | head -20 >&2 || true
  status=1
elif grep -q -i "warning" "$log"; then
  echo "lint: yosys reported warnings (see $log):" >&2
  grep -i "warning" "$log" | sort -u | head -20 >&2
  status=1
fi

if ((status == 0)); then
  echo "lint: ${#modules[@]} modules, ${#core_shapes[@]} core shapes, ${#dma_widths[@]} more" \
    "DMA widths, ${#packed_shapes[@]} packed-pair cores and the two board tops clean in Verilator and Yosys"
fi
exit $status
