#!/bin/sh
# Builds the ARMv7-M QEMU/sramlab cross-check firmware in this folder, once per core:
# <name>-m3.elf (-mcpu=cortex-m3) and <name>-m4.elf (-mcpu=cortex-m4 -mfloat-abi=soft).
#   ./build.sh            build every program
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
#   ./build.sh --expected also rewrite <name>-<core>.expected from QEMU's output (QEMU is the
#                         oracle: mps2-an385 for the M3, mps2-an386 for the M4)
# The ELFs are committed so the test suite runs without a cross compiler; the flags are
# fixed and the source paths mapped to "." so that a rebuild is byte-identical.
set -eu
cd "$(dirname "$0")"

PROGRAMS="usagefaults busfaults priorities"
CORES="m3 m4"
CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mthumb -masm-syntax-unified -Os -g -std=c11 -Wall -Wextra -Werror \
  -ffreestanding -nostdlib -fno-tree-loop-distribute-patterns -fno-jump-tables \
  -ffile-prefix-map=$(cd ../firmware && pwd)=../firmware -ffile-prefix-map=$(pwd)=."
LDFLAGS="-T link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments"

cpu_flags() {
  case "$1" in
    m3) echo "-mcpu=cortex-m3" ;;
    # Soft-float: sramlab's Cortex-M4 has no FPU, and QEMU's has one that stays off (CPACR=0).
    m4) echo "-mcpu=cortex-m4 -mfloat-abi=soft" ;;
  esac
}

sources() {
  case "$1" in
    usagefaults | busfaults) echo "faultlib.c $1.c" ;;
    *) echo "$1.c" ;;
  esac
}

out=.
mode=${1:-build}
if [ "$mode" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

for core in $CORES; do
  for p in $PROGRAMS; do
    # shellcheck disable=SC2046,SC2086
    $CC $(cpu_flags "$core") $CFLAGS startup.c ../firmware/semihost.c $(sources "$p") $LDFLAGS \
      -o "$out/$p-$core.elf"
  done
done

case "$mode" in
  --verify)
    status=0
    for core in $CORES; do
      for p in $PROGRAMS; do
        if ! cmp -s "$out/$p-$core.elf" "$p-$core.elf"; then
          echo "tests/firmware-v7m/$p-$core.elf differs from a rebuild of its sources" >&2
          status=1
        fi
      done
    done
    exit $status
    ;;
  --expected)
    for core in $CORES; do
      mcu=cortex-$core
      for p in $PROGRAMS; do
        # The same command the cross-check test runs (bench/qemu.ts, with -icount).
        npx tsx ../../bench/qemu.ts "$mcu" "$p-$core.elf" --icount > "$p-$core.expected"
        echo "$p-$core: $(wc -l < "$p-$core.expected") lines"
      done
    done
    ;;
esac
