#!/bin/sh
# Builds the example allocator for sramlab: the thumbv6m (Cortex-M0) and thumbv7m (Cortex-M3)
# images, and the deliberately broken variants the tests and examples/README.md use.
#   ./build.sh            writes the ELFs next to this script (they are committed)
#   ./build.sh OUTDIR     writes them to OUTDIR instead (the tests build into a temporary one)
# The compiler runs in this folder on relative paths, with the folder mapped to '.', so the
# ELFs are byte-identical wherever the repository is checked out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "${1:-$here}"
out=$(cd "${1:-$here}" && pwd) # OUTDIR is relative to where the script was run from
cd "$here"
CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mthumb -O2 -g -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin -fno-tree-loop-distribute-patterns -ffunction-sections"
# Reproducible: the debug info says "bump.c" in ".", not the absolute folder.
CFLAGS="$CFLAGS -ffile-prefix-map=$PWD=."
LDFLAGS="-Wl,--build-id=none -Wl,--gc-sections -T link.ld"

build() { # build OUTPUT CPU [DEFINE...]
  elf=$1 cpu=$2
  shift 2
  $CC -mcpu="$cpu" $CFLAGS $LDFLAGS "$@" -o "$out/$elf" bump.c -lgcc
}

build bump-cortex-m0.elf cortex-m0
build bump-cortex-m3.elf cortex-m3
build bump-broken-overlap-cortex-m0.elf cortex-m0 -DBROKEN_OVERLAP
build bump-broken-bounds-cortex-m0.elf cortex-m0 -DBROKEN_BOUNDS
