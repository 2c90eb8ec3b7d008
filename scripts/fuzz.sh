#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs libFuzzer targets of a sanitizer build (scripts/sanitize.sh) for SECONDS each:
#   scripts/fuzz.sh BUILD SECONDS [TARGET...]     (TARGET: npy, asm, recording, onnx; all)
# Each starts from its corpus in fuzz/corpus/TARGET (read only; the onnx target also from
# models/) and keeps what it finds in BUILD/fuzz-corpus/TARGET; a crash, leak, timeout or
# sanitizer report is saved to BUILD/fuzz-artifacts/ (replay: BUILD/fuzz/fuzz_TARGET FILE)
# and fails the run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1 seconds=$2
shift 2
[ $# -gt 0 ] || set -- npy asm recording onnx
status=0
for target in "$@"; do
  found="$build/fuzz-corpus/$target"
  mkdir -p "$found" "$build/fuzz-artifacts"
  seeds="$root/fuzz/corpus/$target"
  [ "$target" = onnx ] && seeds="$seeds $root/models"
  log="$build/fuzz-artifacts/$target.log"
  # shellcheck disable=SC2086  # $seeds: one or two directories
  "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -max_len=262144 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" \
    "$found" $seeds > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
  if [ "$rc" -ne 0 ]; then
    echo "fuzz_$target: FAILED (status $rc) after ${runs:-?} inputs; the report:"
    grep -E "ERROR|SUMMARY|deadly|Test unit written" "$log" | head -20
    status=1
  else
    echo "fuzz_$target: ${runs:-?} inputs in $seconds s, ${new:-0} new coverage, no finding"
  fi
done
exit $status
