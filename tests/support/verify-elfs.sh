# Sourced by the build.sh of a test-firmware folder after a --verify rebuild into a temporary
# folder: verify_elfs DIR LABEL compares each ELF in DIR with the committed one of that name in
# the current folder, byte for byte, and the two sets of names; it exits 1 naming every
# difference, 0 when all match.
verify_elfs() {
  status=0
  for f in "$1"/*.elf; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$name"; then
      echo "$2/$name differs from a rebuild of its sources" >&2
      status=1
    fi
  done
  [ "$(ls ./*.elf | wc -l)" -eq "$(ls "$1"/*.elf | wc -l)" ] || {
    echo "$2: the committed ELFs are not the set build.sh makes" >&2
    status=1
  }
  exit $status
}
