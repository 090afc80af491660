#!/bin/sh
# Builds the benchmark firmware for both benchmark cores:
#   freelist-m0.elf (-mcpu=cortex-m0, runs on QEMU's microbit)
#   freelist-m3.elf (-mcpu=cortex-m3, runs on QEMU's mps2-an385)
#   segfit-m3.elf   (-mcpu=cortex-m3: a segregated-fit allocator whose -O2 code has IT blocks)
#   tlsf-m3.elf     (-mcpu=cortex-m3: a TLSF allocator written to if-convert, IT-heavy at -O2)
#   ./build.sh            build
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
# Startup, semihosting and the linker script are the test firmware's (tests/firmware/):
# same memory map, same reset path. Fixed flags and mapped paths make rebuilds identical.
set -eu
cd "$(dirname "$0")"

CC=${CC:-arm-none-eabi-gcc}
RT=../../tests/firmware
CFLAGS="-mthumb -masm-syntax-unified -O2 -g -std=c11 -Wall -Wextra -Werror \
  -ffreestanding -nostdlib -fno-tree-loop-distribute-patterns -fno-jump-tables \
  -ffile-prefix-map=$(cd ../.. && pwd)=. -I$RT"
LDFLAGS="-T $RT/link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments"

out=.
if [ "${1:-}" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

for core in m0 m3; do
  # shellcheck disable=SC2086
  $CC -mcpu=cortex-$core $CFLAGS $RT/startup.c $RT/semihost.c freelist.c $LDFLAGS \
    -o "$out/freelist-$core.elf"
done
# shellcheck disable=SC2086
$CC -mcpu=cortex-m3 $CFLAGS $RT/startup.c $RT/semihost.c segfit.c $LDFLAGS -o "$out/segfit-m3.elf"
# shellcheck disable=SC2086
$CC -mcpu=cortex-m3 $CFLAGS $RT/startup.c $RT/semihost.c tlsf.c $LDFLAGS -o "$out/tlsf-m3.elf"

if [ "${1:-}" = --verify ]; then
  status=0
  for elf in freelist-m0 freelist-m3 segfit-m3 tlsf-m3; do
    if ! cmp -s "$out/$elf.elf" "$elf.elf"; then
      echo "bench/firmware/$elf.elf differs from a rebuild of its sources" >&2
      status=1
    fi
  done
  exit $status
fi
