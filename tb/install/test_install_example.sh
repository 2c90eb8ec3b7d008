#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A documented library example, built exactly as printed in a doc (docs/driver.md,
# docs/models.md) against the installed package: `cmake --install` into a temporary prefix,
# the example's CMakeLists.txt and example.cpp taken from the fenced blocks after the doc's
# "<!-- example: FILE -->" markers, configured with find_package(Tessera), built and run with
# ARGS (it checks itself against the reference model).
# Usage: test_install_example.sh BUILD_DIR DOC [ARGS...]
set -eu
BUILD=$(realpath "$1") DOC=$(realpath "$2")
shift 2
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
cmake --install "$BUILD" --prefix "$DIR/prefix" > "$DIR/install.log"
mkdir "$DIR/example"
python3 - "$DOC" "$DIR/example" <<'PY'
import pathlib, re, sys
doc, out = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
blocks = re.findall(r"<!-- example: (\S+) -->\n```[a-z]*\n(.*?)```", doc, re.S)
if {name for name, _ in blocks} != {"CMakeLists.txt", "example.cpp"}:
    sys.exit(f"{sys.argv[1]}: expected the example's CMakeLists.txt and example.cpp, found {[n for n, _ in blocks]}")
for name, text in blocks:
    (out / name).write_text(text)
PY
cmake -S "$DIR/example" -B "$DIR/example/build" -DCMAKE_PREFIX_PATH="$DIR/prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$DIR/configure.log" || { cat "$DIR/configure.log"; exit 1; }
cmake --build "$DIR/example/build" > "$DIR/build.log" 2>&1 || { cat "$DIR/build.log"; exit 1; }
"$DIR/example/build/example" "$@"
# The SystemC-free half through pkg-config: a program that opens boards only.
cat > "$DIR/boards.cpp" <<'CPP'
#include <cstdio>
#include "tessera/open_device.hpp"
int main() {
  for (const auto& b : tessera::driver::backends()) std::printf("%s\n", b.kind.c_str());
  return 0;
}
CPP
PKG_CONFIG_PATH="$DIR/prefix/lib/pkgconfig" c++ "$DIR/boards.cpp" -o "$DIR/boards" \
  $(PKG_CONFIG_PATH="$DIR/prefix/lib/pkgconfig" pkg-config --cflags --libs tessera)
"$DIR/boards" | tr '\n' ' ' | grep -qx "xdma uio " || { echo "pkg-config build lists: $("$DIR/boards")"; exit 1; }
echo "pkg-config tessera: a board-only program links without SystemC"
