#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The host code - reference model, driver, golden model, CLI, model import - built by clang
# with AddressSanitizer and UndefinedBehaviorSanitizer and without the RTL (TESSERA_RTL=OFF),
# in $BUILD/sanitize, and its tests: the driver's and the models' on the golden model, the
# CLI's, the fuzz targets over their corpora (docs/fuzzing.md). Any report fails the run.
#   scripts/sanitize.sh            build and test (CTest runs this in `make test`)
#   FUZZ_SECONDS=600 scripts/sanitize.sh fuzz   run every fuzz target that long (`make fuzz`)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}/sanitize
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
        -DTESSERA_RTL=OFF -DTESSERA_SANITIZE=ON > /dev/null
fi
cmake --build "$build" -j "$jobs"
if [ "${1:-test}" = fuzz ]; then
  exec "$root/scripts/fuzz.sh" "$build" "${FUZZ_SECONDS:-60}"
fi
ctest --test-dir "$build" --output-on-failure -j "$jobs"
