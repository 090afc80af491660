#!/bin/sh
# Builds the pool allocators of tests/explore.test.ts for every profile:
#   pool-<lock>-<mcu>.elf   pool.c with POOL_NOLOCK, POOL_MASK or POOL_SPIN (see pool.c)
#   ./build.sh            build them into this folder (the ELFs are committed)
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
# Fixed flags and source paths mapped to "." make a rebuild byte-identical.
set -eu
cd "$(dirname "$0")"

LOCKS="nolock mask spin"
MCUS="cortex-m0 cortex-m0plus cortex-m3 cortex-m4"
CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mthumb -Os -g -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin -ffile-prefix-map=$(pwd)=."
LDFLAGS="-Wl,--build-id=none -Wl,--no-warn-rwx-segments"

out=.
if [ "${1:-}" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

for mcu in $MCUS; do
  for l in $LOCKS; do
    define=POOL_$(echo "$l" | tr a-z A-Z)
    # shellcheck disable=SC2086
    $CC -mcpu=$mcu $CFLAGS -D"$define" -T link.ld $LDFLAGS pool.c -o "$out/pool-$l-$mcu.elf"
  done
done

if [ "$out" != . ]; then
  . ../support/verify-elfs.sh
  verify_elfs "$out" tests/explore-allocators
fi
