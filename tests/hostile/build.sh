#!/bin/sh
# Builds the hostile-firmware corpus for every profile (tests/hostile.test.ts runs it):
#   <program>-<mcu>.elf         a program run from reset with `sramlab exec`
#   alloc-<misdeed>-<mcu>.elf   an allocator with the sramlab ABI run with `sramlab check`
#   ./build.sh            build everything into this folder (the ELFs are committed)
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
# Fixed flags and source paths mapped to "." make a rebuild byte-identical.
set -eu
cd "$(dirname "$0")"

PROGRAMS="sh-writec sh-write0 sh-write0-runoff sh-write sh-exit-extended vtor-unmapped vtor-irq-partial
  stacking-unmapped handler-stack-overflow fault-in-hardfault fault-in-nmi endless-loop exception-storm
  sleep-forever bad-exc-return scs-scribble"
MISDEEDS="semihost vtor nmi reset recurse loop scs systick"
MCUS="cortex-m0 cortex-m0plus cortex-m3 cortex-m4"
CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mthumb -Os -g -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-builtin \
  -fno-tree-loop-distribute-patterns -ffile-prefix-map=$(pwd)=."
LDFLAGS="-Wl,--build-id=none -Wl,--no-warn-rwx-segments"

# The end of each profile's SRAM (emulator/profiles.ts): sh-write0-runoff and vtor-irq-partial use it.
sram_end() {
  case $1 in
    cortex-m0 | cortex-m0plus) echo 0x20008000 ;;
    cortex-m3) echo 0x20010000 ;;
    cortex-m4) echo 0x20020000 ;;
  esac
}

out=.
if [ "${1:-}" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

for mcu in $MCUS; do
  for p in $PROGRAMS; do
    # shellcheck disable=SC2086
    $CC -mcpu=$mcu $CFLAGS -DSRAM_END="$(sram_end $mcu)u" -T link.ld $LDFLAGS startup.c "$p.c" -o "$out/$p-$mcu.elf"
  done
  for m in $MISDEEDS; do
    define=HOSTILE_$(echo "$m" | tr a-z A-Z)
    # shellcheck disable=SC2086
    $CC -mcpu=$mcu $CFLAGS -D"$define" -T alloc.ld $LDFLAGS alloc.c -o "$out/alloc-$m-$mcu.elf"
  done
done

if [ "$out" != . ]; then
  . ../support/verify-elfs.sh
  verify_elfs "$out" tests/hostile
fi
