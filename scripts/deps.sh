#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages Tessera needs, or says exactly how to.
#
# Quick and silent when everything is present (one dpkg-query); as root it installs what is
# missing with apt-get; otherwise it prints the apt-get command and fails. `make deps` runs
# it, and so do `make sim`, `make test` and the other targets that need the tools.
# `deps.sh models` adds the Python packages of the offline work - building models (PyTorch,
# ONNX) and plots (matplotlib): `make test`, the model benchmarks and `make plots` need
# them, `make sim` does not.
set -euo pipefail

PACKAGES=(
  build-essential cmake ccache make python3 pkg-config
  clang-format                 # C++ formatting, checked by make lint
  clang                        # the sanitizer build and libFuzzer (scripts/sanitize.sh)
  verilator                    # RTL simulation and lint (5.006 in Debian 12)
  yosys                        # synthesis and the second lint front end (0.23)
  nextpnr-ice40 fpga-icestorm  # open iCE40 place and route
  tcl                          # tclsh: checks the boards' Vivado scripts
  libsystemc-dev               # SystemC testbench (2.3.4)
  libboost-program-options-dev # the tessera CLI
  libgtest-dev libgmock-dev    # tests
  libgemmlowp-dev              # independent fixed-point reference
  libonnx-dev libprotobuf-dev protobuf-compiler  # ONNX model import (ONNX's own protobuf classes)
  zlib1g-dev                   # reading the data set's .gz files
  dataset-fashion-mnist        # the CNN's test images (make sim, make test, the benchmark)
)
if [[ ${1:-} == models ]]; then
  PACKAGES+=(python3-numpy python3-onnx python3-torch python3-torchvision  # scripts/models
             python3-matplotlib)                                           # scripts/plots.py
fi

if ! command -v dpkg-query > /dev/null 2>&1; then
  echo "deps: this is not a Debian system; install the equivalents of: ${PACKAGES[*]}" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ $pkg == \#* ]] && continue
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2> /dev/null || true)
  [[ $status == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

command=(apt-get install -y --no-install-recommends "${missing[@]}")
if [[ $(id -u) -ne 0 ]]; then
  echo "deps: missing Debian packages: ${missing[*]}" >&2
  echo "deps: run as root:  apt-get update && ${command[*]}" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${command[@]}"
