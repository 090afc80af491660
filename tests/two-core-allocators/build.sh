#!/bin/sh
# Builds the two-core test allocators (tests/two-core*.test.ts), one arena.c per lock:
#   arena-primask-m0plus.elf  lock.h's ARMv6-M lock (PRIMASK): must fail on rp2040
#   arena-sio-m0plus.elf      lock-sio.h, an SIO hardware spinlock: must pass on rp2040
#   arena-ldrex-m3.elf        lock.h's ARMv7-M lock (LDREXB/STREXB): must pass on dual-cortex-m3,
#                             and fail there with the global monitor off
#   arena-nolock-m0plus.elf   no lock: must fail on rp2040
#   arena-abba-m0plus.elf     two SIO spinlocks taken in opposite orders: must deadlock on rp2040
#   arena-wfe-m0plus.elf      the SIO spinlock waited for with WFE: must pass on rp2040
#   ./build.sh            build into this folder (the ELFs are committed)
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
# Fixed flags and source paths mapped to "." make a rebuild byte-identical.
set -eu
cd "$(dirname "$0")"

CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mthumb -Os -g -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin \
  -fno-tree-loop-distribute-patterns -ffile-prefix-map=$(pwd)=. -ffile-prefix-map=$(cd ../.. && pwd)=../.."
LDFLAGS="-Wl,--build-id=none -Wl,--no-warn-rwx-segments"

out=.
if [ "${1:-}" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

build() { # name mcu define
  # shellcheck disable=SC2086
  $CC -mcpu="$2" $CFLAGS $3 -T link.ld $LDFLAGS arena.c -o "$out/$1.elf"
}
build arena-primask-m0plus cortex-m0plus -DLOCK_PRIMASK
build arena-sio-m0plus cortex-m0plus -DLOCK_SIO
build arena-ldrex-m3 cortex-m3 -DLOCK_LDREX
build arena-nolock-m0plus cortex-m0plus ""
build arena-abba-m0plus cortex-m0plus -DLOCK_SIO_ABBA
build arena-wfe-m0plus cortex-m0plus -DLOCK_SIO_WFE

if [ "$out" != . ]; then
  . ../support/verify-elfs.sh
  verify_elfs "$out" tests/two-core-allocators
fi
