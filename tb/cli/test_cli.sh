#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The tessera CLI end to end on the simulator: every subcommand, .npy in and out, record and
# replay, asm/disasm round trip, and bad arguments or files: one clear line, a non-zero
# status, no partial output file. Usage: test_cli.sh path/to/tessera ROWSxCOLS (the default
# engine's array)
set -u
T=$(realpath "$1")
MODEL=$(realpath "$(dirname "$0")/../../models/fashion_cnn_int8.onnx")
ARRAY=$2
# The command set's version, from its one home (rtl/tessera_isa.json).
ISA=$(python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['version'])" \
      "$(dirname "$0")/../../rtl/tessera_isa.json")
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
FAILED=0

# expect STATUS PATTERN -- command...: the exit status and a line of its output must match.
expect() {
  want_status=$1 pattern=$2
  shift 3
  out=$("$@" 2>&1)
  status=$?
  if [ "$status" -ne "$want_status" ] || ! printf '%s\n' "$out" | grep -q -- "$pattern"; then
    echo "FAIL: $* -> status $status (want $want_status), output:"
    printf '%s\n' "$out" | head -20
    echo "(wanted a line matching: $pattern)"
    FAILED=1
  else
    echo "ok: $*"
  fi
}

# An int8 .npy file of the given shape with pseudo-random values (no NumPy needed).
npy() {
  python3 - "$@" <<'PY'
import struct, sys, random
path, shape = sys.argv[1], tuple(int(x) for x in sys.argv[2:])
random.seed(7)
n = 1
for d in shape: n *= d
dims = "(%d,)" % shape[0] if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"
h = "{'descr': '|i1', 'fortran_order': False, 'shape': %s, }" % dims
h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
    f.write(bytes(random.randrange(256) for _ in range(n)))
PY
}

cd "$DIR"
expect 2 "usage: tessera <command>" -- "$T"
expect 0 "^tessera [0-9]*\.[0-9]*\.[0-9]*, ISA [0-9]*; default engine $ARRAY, .*devices: .*fsim" -- "$T" --version
expect 2 "unknown command 'frobnicate'" -- "$T" frobnicate
expect 2 "unrecognised option '--bogus'" -- "$T" info --bogus
expect 0 "ISA version *$ISA" -- "$T" info
expect 0 "\"array\": \"$ARRAY\"" -- "$T" info --json
"$T" info --json | python3 -m json.tool > /dev/null || { echo "FAIL: info --json is not JSON"; FAILED=1; }
expect 2 "device 'pcie' names no backend of this program; it has xdma:/dev/xdma0" -- "$T" info --device pcie
expect 1 "cannot open /nonexistent/xdma0_user: No such file or directory" -- "$T" info --device xdma:/nonexistent/xdma0
expect 2 "uio device option 'colour=blue' is not one of buf, irq, sysfs" -- "$T" info --device uio:/dev/uio9,colour=blue
expect 2 "needs --device sim" -- "$T" info --device xdma:/dev/xdma0 --trace t.fst
# Waveforms: a cycle window writes a fraction of the full trace; VCD and bad windows refused.
if "$T" info --json | grep -q '"device": "sim'; then
  expect 0 "cycles" -- "$T" gemm --m 32 --k 32 --n 32 --trace full.fst
  expect 0 "cycles" -- "$T" gemm --m 32 --k 32 --n 32 --trace window.fst --trace-window 600:700
  full=$(wc -c < full.fst) window=$(wc -c < window.fst)
  [ "$window" -gt 0 ] && [ $((window * 4)) -lt "$full" ] ||
    { echo "FAIL: the windowed trace ($window bytes) is not a fraction of the full one ($full)"; FAILED=1; }
  expect 2 "the waveform model writes FST, not VCD; name it .fst" -- "$T" gemm --m 4 --k 4 --n 4 --trace t.vcd
  expect 2 "\-\-trace-window = '5' is not START:END" -- "$T" gemm --m 4 --k 4 --n 4 --trace t.fst --trace-window 5
  expect 2 "\-\-trace-window END = '3' is not an integer in \[6, " -- "$T" gemm --m 4 --k 4 --n 4 --trace t.fst --trace-window 5:3
fi
# Output paths are checked before the work: no 2-second simulation for a path that fails.
expect 1 "cannot write /nonexistent/c.npy: No such file or directory" -- "$T" gemm --m 512 --k 512 --n 512 --out /nonexistent/c.npy
expect 1 "cannot write /nonexistent/y.npy" -- "$T" conv2d --h 56 --w 56 --c 64 --oc 64 --kernel 3 --out /nonexistent/y.npy
expect 2 "\-\-trace-window needs --trace FILE.fst" -- "$T" gemm --m 4 --k 4 --n 4 --trace-window 1:2

# GEMM: random and from files; int8 and int32; record, replay, disassemble.
expect 0 "outputs differing from the reference *0" -- "$T" gemm --m 20 --k 30 --n 10 --check --out c.npy --record gemm.tsr
head -c 6 c.npy | grep -q NUMPY || { echo "FAIL: c.npy is not a .npy file"; FAILED=1; }
expect 0 "output bytes differing from the recording *0" -- "$T" run gemm.tsr
# A replay takes the recorded run's cycles, and writes what it read back as .npy.
c1=$("$T" gemm --m 20 --k 30 --n 10 --record cyc.tsr --json | python3 -c "import json, sys; print(json.load(sys.stdin)['cycles'])")
c2=$("$T" run cyc.tsr --json --out replayed.npy | python3 -c "import json, sys; print(json.load(sys.stdin)['cycles'])")
[ -n "$c1" ] && [ "$c1" = "$c2" ] || { echo "FAIL: the replay took $c2 cycles, the recorded run $c1"; FAILED=1; }
python3 -c "
import struct; b = open('replayed.npy', 'rb').read(); h = b[10:10 + struct.unpack('<H', b[8:10])[0]].decode()
assert \"'|i1'\" in h and '(200,)' in h, h" || { echo "FAIL: replayed.npy"; FAILED=1; }
npy a.npy 7 33
npy b.npy 33 5
expect 0 '"mismatches": 0' -- "$T" gemm --a a.npy --b b.npy --int32 --check --json --out c32.npy
expect 0 "outputs differing from the reference *0" -- "$T" gemm --a a.npy --b b.npy --relu --zero-point -20 --check
expect 2 "b.npy: B must be 2-D with K = 5 rows" -- "$T" gemm --a b.npy --b b.npy
expect 2 "cannot read missing.npy" -- "$T" gemm --a missing.npy --n 3
expect 2 "give --a A.npy, or --m and --k" -- "$T" gemm --m 0 --k 3 --n 3
expect 2 "shift\[0\] = 40 is out of range \[-31, 30\]" -- "$T" gemm --m 5 --k 5 --n 5 --multiplier 5 --shift 40 --out bad.npy
[ -e bad.npy ] && { echo "FAIL: a failed gemm left bad.npy"; FAILED=1; }
expect 2 "the argument ('x') for option '--m' is invalid" -- "$T" gemm --m x --k 1 --n 1

# conv2d: random and from files, pooling.
expect 0 "outputs differing from the reference *0" -- "$T" conv2d --h 12 --w 10 --c 20 --oc 24 --kernel 3 --pad 1 --relu --pool --check --out y.npy
npy x.npy 2 9 9 3
npy w.npy 5 5 3 8
expect 0 "1x9x9x3\|2x9x9x3 -> 2x5x5x8" -- "$T" conv2d --input x.npy --weights w.npy --stride 2 --pads 2,2,2,2 --input-zero-point 5 --check
expect 2 "the dilated kernel spans 7 pixels, above the padded input's 4" -- "$T" conv2d --h 4 --w 4 --c 3 --oc 2 --kernel 7
# Depthwise and grouped convolutions; groups that do not divide the channels.
expect 0 "outputs differing from the reference *0" -- "$T" conv2d --h 9 --w 8 --c 24 --oc 24 --groups 24 --kernel 3 --stride 2 --pad 1 --check
expect 0 "outputs differing from the reference *0" -- "$T" conv2d --h 5 --w 5 --c 32 --oc 16 --groups 2 --kernel 3 --pad 1 --check
expect 2 "--groups 3 must divide C = 8 and --oc 8" -- "$T" conv2d --h 4 --w 4 --c 8 --oc 8 --groups 3
npy nchw.npy 1 8 16 16
npy w8.npy 3 3 8 4
expect 2 "nchw.npy: shape \[1, 8, 16, 16\] looks like NCHW (C = 8 at axis 1, as the weights have it); the input must be NHWC" -- "$T" conv2d --input nchw.npy --weights w8.npy
expect 2 "--pads = '1,2' is not TOP,BOTTOM,LEFT,RIGHT" -- "$T" conv2d --h 4 --w 4 --c 3 --oc 2 --pads 1,2
expect 2 "--pads top = '-1' is not an integer in \[0, 65535\]" -- "$T" conv2d --h 4 --w 4 --c 3 --oc 2 --pads -1,0,0,0
expect 2 "--out and --record name the same file 'same.bin'" -- "$T" gemm --m 4 --k 4 --n 4 --out same.bin --record ./same.bin
[ ! -e same.bin ] || { echo "FAIL: a refused run left same.bin behind"; FAILED=1; }

# asm / disasm round trip, and a line the assembler cannot read.
expect 0 "" -- "$T" disasm gemm.tsr stream.txt
expect 0 "" -- "$T" asm stream.txt stream.bin
"$T" disasm stream.bin | diff - stream.txt > /dev/null || { echo "FAIL: asm(disasm(s)) != s"; FAILED=1; }
printf 'FENCE value=1\nJUMP value=2\n' > bad.txt
expect 2 "bad.txt:2: cannot assemble 'JUMP value=2': unknown opcode 'JUMP'" -- "$T" asm bad.txt bad.bin
[ -e bad.bin ] && { echo "FAIL: a failed asm left bad.bin"; FAILED=1; }
printf 'abc' > odd.bin
expect 2 "odd.bin holds 3 bytes, not a whole number of 64-byte commands" -- "$T" disasm odd.bin

expect 0 "selftest: 4 of 4 operations match the reference model" -- "$T" selftest --count 4
expect 0 "gemm 64^3" -- "$T" bench --quick

# coretest (the iCEBreaker's serial link): its errors. tb/boards runs it against the board.
expect 2 "the option '--serial' is required but missing" -- "$T" coretest
expect 1 "not a serial port: /dev/null" -- "$T" coretest --serial /dev/null
expect 1 "cannot open /nonexistent/ttyUSB1: No such file or directory" -- "$T" coretest --serial /nonexistent/ttyUSB1
expect 2 "--baud: baud rate 7 is not one of 9600, " -- "$T" coretest --serial /dev/null --baud 7
expect 2 "--count = 0 is out of range \[1, 100000\]" -- "$T" coretest --serial /dev/null --count 0

# The requantization options: an input zero point, per-channel scales or multipliers from
# .npy files, int32 convolutions; utilization from the engine's MACs (a pooled odd size).
vecnpy() {  # vecnpy f|i PATH V1 V2 ...: a float32 or int32 vector
  python3 - "$@" <<'PY'
import struct, sys
kind, path, vals = sys.argv[1], sys.argv[2], sys.argv[3:]
vals = [float(v) for v in vals] if kind == "f" else [int(v) for v in vals]
h = "{'descr': '<%s4', 'fortran_order': False, 'shape': (%d,), }" % (kind, len(vals))
h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + struct.pack("<%d%s" % (len(vals), kind), *vals))
PY
}
expect 0 "outputs differing from the reference *0" -- "$T" gemm --m 9 --k 30 --n 4 --a-zero-point -37 --check
expect 2 "GEMM a_zero_point = 200 is out of range \[-128, 127\]" -- "$T" gemm --m 9 --k 30 --n 4 --a-zero-point 200
vecnpy f scales.npy 0.01 0.02 0.004 0.03
expect 0 "outputs differing from the reference *0" -- "$T" gemm --m 9 --k 30 --n 4 --scales scales.npy --check
expect 2 "scales.npy: 4 values; expected one per output channel (5)" -- "$T" gemm --m 9 --k 30 --n 5 --scales scales.npy
vecnpy i mults.npy 1073741824 1500000000 1900000000 1200000000
vecnpy i shifts.npy -5 -6 -7 -4
expect 0 "outputs differing from the reference *0" -- "$T" conv2d --h 6 --w 5 --c 3 --oc 4 --multipliers mults.npy --shifts shifts.npy --check
expect 2 "--multipliers and --shifts go together" -- "$T" conv2d --h 6 --w 5 --c 3 --oc 4 --multipliers mults.npy
expect 2 "give one of --scale" -- "$T" conv2d --h 6 --w 5 --c 3 --oc 4 --scales scales.npy --scale 0.1
expect 0 "outputs differing from the reference *0" -- "$T" conv2d --h 7 --w 6 --c 5 --oc 3 --pad 1 --input-zero-point 9 --int32 --check --out y32.npy
expect 2 "max_pool needs requantized int8 outputs" -- "$T" conv2d --h 7 --w 6 --c 5 --oc 3 --int32 --pool
expect 0 "(default 1/(64" -- "$T" conv2d --help
"$T" conv2d --h 13 --w 13 --c 32 --oc 16 --kernel 3 --relu --pool --json > pooled.json
python3 -c "import json; j = json.load(open('pooled.json')); assert 0 < j['utilization_percent'] <= 100 and j['engine_macs'] >= j['macs'], j" ||
  { echo "FAIL: a pooled odd-sized convolution's utilization"; FAILED=1; }

# Whole models: info, compile, run (from the .onnx and from the program), the check, the
# outputs, and bad models and inputs (one line, status 2, no output file).
DATA=/usr/share/datasets/fashion-mnist
IMAGES=$DATA/t10k-images-idx3-ubyte.gz LABELS=$DATA/t10k-labels-idx1-ubyte.gz
expect 0 "conv1+relu1+pool1 *conv2d+pool *engine" -- "$T" model info "$MODEL" --batch 10
expect 0 '"runs_on": "host", "reason": "float arithmetic' -- "$T" model info "$MODEL" --json
expect 0 "program written *cnn.tsp" -- "$T" model compile "$MODEL" -o cnn.tsp --batch 10
expect 0 "accuracy (top-1)" -- "$T" model run cnn.tsp --input "$IMAGES" --labels "$LABELS" --count 30
expect 0 "layer tensors differing from the reference *0" -- "$T" model run "$MODEL" --input "$IMAGES" --count 12 --batch 6 --check --layers --out probs.npy
python3 -c "
import struct; b = open('probs.npy', 'rb').read(); h = b[10:10 + struct.unpack('<H', b[8:10])[0]].decode()
assert \"'<f4'\" in h and '(12, 10)' in h, h; p = struct.unpack('<120f', b[-480:])
assert all(abs(sum(p[i*10:i*10+10]) - 1) < 1e-4 for i in range(12))" || { echo "FAIL: probs.npy"; FAILED=1; }
expect 2 "was compiled for batch 10; --batch 5 needs the .onnx model" -- "$T" model run cnn.tsp --input "$IMAGES" --batch 5
expect 2 "nomodel.onnx: no such file" -- "$T" model info nomodel.onnx
echo "not a model" > text.onnx
expect 2 "text.onnx: not an ONNX model" -- "$T" model run text.onnx --input "$IMAGES" --out out1.npy
npy wrong.npy 3 5
expect 2 "wrong.npy: shape \[3, 5\] does not match input 'input' \[N, 1, 28, 28\]" -- "$T" model run "$MODEL" --input wrong.npy --out out2.npy
vecnpy i ints.npy 1 2 3
expect 2 "ints.npy: dtype int32 is not an input type" -- "$T" model run "$MODEL" --input ints.npy --out out3.npy
expect 2 "unknown action 'train'" -- "$T" model train "$MODEL"
# Training (docs/training.md): a few steps on the golden model, from the seed and from the
# CNN's model file; the trained model through model run --check; bad options and data.
expect 0 "of which on the engine (%) *99\." -- "$T" train --device fsim --count 96 --batch 32 --test-count 100 --out trained.onnx
expect 0 "layer tensors differing from the reference *0" -- "$T" model run trained.onnx --device fsim --input "$IMAGES" --count 20 --check
expect 0 '"steps": 1,' -- "$T" train --device fsim --init "$MODEL" --steps 1 --count 64 --batch 16 --test-count 16 --json
expect 2 "\-\-batch = 0; it must be >= 1" -- "$T" train --batch 0 --out out4.onnx
expect 2 "\-\-lr = 0; it must be > 0" -- "$T" train --lr 0
expect 2 "\-\-lr = -1; it must be > 0" -- "$T" train --lr -1
expect 2 "\-\-momentum = 1 is out of range \[0, 1)" -- "$T" train --momentum 1
expect 2 "nodata/train-images-idx3-ubyte.gz does not exist" -- "$T" train --data nodata --out out5.onnx
expect 2 "t10k-images-idx3-ubyte.gz: not an ONNX model" -- "$T" train --init "$IMAGES"
# Robustness (issue 13's defects): signs on unsigned options, sizes checked before anything
# is allocated, shapes that cannot be, crafted files.
expect 2 "--m = '-1' is not a whole number" -- "$T" gemm --m -1 --k 2 --n 2
expect 2 "--m x --k (A) = 8589934590 random bytes; at most 1073741824" -- "$T" gemm --m 4294967295 --k 2 --n 2
expect 2 "--kernel = 0 is out of range \[1, 65535\]" -- "$T" conv2d --h 4 --w 4 --c 2 --oc 2 --kernel 0
expect 2 "--timeout = nan is out of range" -- "$T" gemm --m 2 --k 2 --n 2 --timeout nan
npy contra_a.npy 4 5
expect 2 "--a gives A and its shape; --m is for a random one" -- "$T" gemm --a contra_a.npy --m 3 --n 2
npy contra_w.npy 3 3 2 4
expect 2 "--weights gives the weights and their shape; --kernel is for a random one" -- "$T" conv2d --h 5 --w 5 --c 2 --weights contra_w.npy --kernel 5
expect 2 "--clock-mhz = nan is out of range" -- "$T" gemm --m 2 --k 2 --n 2 --clock-mhz nan
vecnpy i empty_bias.npy
expect 2 "--bias empty_bias.npy holds 0 values; expected 3" -- "$T" gemm --m 2 --k 2 --n 3 --bias empty_bias.npy
ISA=$ISA python3 - <<'PY'
import os, struct
def npy(path, dict_text, data=b""):
    h = dict_text.encode(); h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data)
npy("frac.npy", "{'descr': '|i1', 'fortran_order': False, 'shape': (2.5, 3), }", b"x" * 6)
npy("huge.npy", "{'descr': '<i4', 'fortran_order': False, 'shape': (30000, 25000), }")
# Recordings: a region claiming 4 GiB in a 60-byte file; a region whose end passes 2^64.
head = b"TSRA" + struct.pack("<QQ", 1, int(os.environ["ISA"]))
open("claims.tsr", "wb").write(head + struct.pack("<QQQ", 1, 0x80000000, 1 << 32) + b"\0" * 8)
open("wraps.tsr", "wb").write(head + struct.pack("<QQQ", 1, 2**64 - 16, 64) + b"\0" * 64 + struct.pack("<QQ", 0, 0))
PY
expect 2 "frac.npy: .npy header: shape entry '2.5' is not a dimension" -- "$T" gemm --a frac.npy --b frac.npy
expect 2 "huge.npy: holds fewer than the 750000000 elements" -- "$T" gemm --a huge.npy --b huge.npy
expect 2 "claims.tsr: truncated recording (a region of 4294967296 bytes; 8 bytes left" -- "$T" run claims.tsr
expect 2 "wraps.tsr: a recorded region does not fit this device" -- "$T" run wraps.tsr

for f in out1.npy out2.npy out3.npy out4.onnx out5.onnx; do
  [ ! -e "$f" ] || { echo "FAIL: a failed run left $f behind"; FAILED=1; }
done
exit $FAILED
