#!/bin/sh
# Builds the allocator into build/fw.elf: five C files and libgcc, no C library, for sramlab.
#   ./build.sh              for the Cortex-M0 and M0+ (thumbv6m)
#   ./build.sh cortex-m3    for the Cortex-M3 (thumbv7m; -mcpu=cortex-m4 for ARMv7E-M)
# The compiler runs in this folder with the folder mapped to '.', so debug info names
# alloc.c, not where the checkout happens to be.
set -eu
cd "$(dirname "$0")"
CC=${CC:-arm-none-eabi-gcc}
CPU=${1:-cortex-m0}
SOURCES="alloc.c bins.c blocks.c realloc.c mem.c"
CFLAGS="-mcpu=$CPU -mthumb -O2 -g -std=c11 -Wall -Wextra -Werror -ffreestanding -fno-tree-loop-distribute-patterns -ffunction-sections -Iinclude -ffile-prefix-map=$PWD=."
LDFLAGS="-nostdlib -Wl,--build-id=none -Wl,--gc-sections -T link.ld"
mkdir -p build
$CC $CFLAGS $LDFLAGS -o build/fw.elf $SOURCES -lgcc
