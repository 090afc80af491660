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
  status=0
  for f in "$out"/*.elf; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$name"; then
      echo "tests/explore-allocators/$name differs from a rebuild of its sources" >&2
      status=1
    fi
  done
  [ "$(ls ./*.elf | wc -l)" -eq "$(ls "$out"/*.elf | wc -l)" ] || { echo "tests/explore-allocators: the committed ELFs are not the set build.sh makes" >&2; status=1; }
  exit $status
fi
