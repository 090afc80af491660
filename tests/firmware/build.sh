#!/bin/sh
# Builds the QEMU/sramlab cross-check firmware in this folder to <name>.elf.
#   ./build.sh            build every program
#   ./build.sh --verify   rebuild into a temporary folder and fail if a committed ELF differs
#   ./build.sh --expected also rewrite <name>.expected from QEMU's output (QEMU is the oracle)
# The ELFs are committed so the test suite runs without a cross compiler; the flags are
# fixed and the source paths mapped to "." so that a rebuild is byte-identical.
set -eu
cd "$(dirname "$0")"

PROGRAMS="exceptions systick faults"
CC=${CC:-arm-none-eabi-gcc}
CFLAGS="-mcpu=cortex-m0 -mthumb -masm-syntax-unified -Os -g -std=c11 -Wall -Wextra -Werror \
  -ffreestanding -nostdlib -fno-tree-loop-distribute-patterns -fno-jump-tables \
  -ffile-prefix-map=$(pwd)=."
LDFLAGS="-T link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments"

out=.
mode=${1:-build}
if [ "$mode" = --verify ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

for p in $PROGRAMS; do
  # shellcheck disable=SC2086
  $CC $CFLAGS startup.c semihost.c "$p.c" $LDFLAGS -o "$out/$p.elf"
done

case "$mode" in
  --verify)
    status=0
    for p in $PROGRAMS; do
      if ! cmp -s "$out/$p.elf" "$p.elf"; then
        echo "tests/firmware/$p.elf differs from a rebuild of its sources" >&2
        status=1
      fi
    done
    exit $status
    ;;
  --expected)
    for p in $PROGRAMS; do
      # The same command the cross-check test runs (bench/qemu.ts, with -icount).
      npx tsx ../../bench/qemu.ts cortex-m0 "$p.elf" --icount > "$p.expected"
      echo "$p: $(wc -l < "$p.expected") lines"
    done
    ;;
esac
