#!/bin/sh
# Builds the example for sramlab with Debian 12's own Rust toolchain, offline: the thumbv6m
# (Cortex-M0) and thumbv7m (Cortex-M3) images.
#   ./build.sh            writes target/sramlab/rust-allocator-cortex-m0.elf and -cortex-m3.elf
#   ./build.sh OUTDIR     writes them to OUTDIR instead (the tests build into a temporary one)
#   ./build.sh --check    only checks that the toolchain below is installed (exit 0, or 2 and
#                         the apt-get line for what is missing)
# CARGO_TARGET_DIR moves cargo's work (default: target/ here); CARGO and RUSTC pick the
# toolchain (default: Debian's /usr/bin/cargo and /usr/bin/rustc, not rustup's proxies).
#
# Needs (Debian 12):
#   apt-get install --no-install-recommends rustc cargo rust-src lld-14 \
#     librust-compiler-builtins+rustc-dep-of-std-dev
#
# Debian ships no standard library for thumbv6m-none-eabi or thumbv7m-none-eabi, `rustup target
# add` needs the network, and `cargo -Zbuild-std` cannot work offline: it resolves all of
# std's dependencies (libc, hashbrown, addr2line, dlmalloc, wasi, ... from crates.io) even for
# core and alloc, and Debian's rust-src has no Cargo.lock for it. So step 1 compiles the
# target's sysroot itself, as cargo-xbuild did: core and alloc from rust-src, compiler_builtins
# from Debian's packaged crate source (/usr/share/cargo/registry). Step 2 builds the crate
# against that sysroot with plain `cargo build` and `--sysroot`; the crate itself is stable
# Rust (1.63). rustc links with its default for these targets, rust-lld (Debian's is lld-14).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CARGO=${CARGO:-/usr/bin/cargo}
RUSTC=${RUSTC:-/usr/bin/rustc}
export RUSTC # cargo runs this rustc (and builds build.rs with it), whatever PATH says
REGISTRY=${DEBIAN_CARGO_REGISTRY:-/usr/share/cargo/registry}
TARGETS="thumbv6m-none-eabi thumbv7m-none-eabi"

die() { echo "build.sh: $*" >&2; exit 2; }
"$CARGO" --version >/dev/null 2>&1 || die "no cargo at $CARGO: apt-get install cargo"
"$RUSTC" --version >/dev/null 2>&1 || die "no rustc at $RUSTC: apt-get install rustc"
library=$("$RUSTC" --print sysroot)/lib/rustlib/src/rust/library
[ -f "$library/core/src/lib.rs" ] || die "no rust-src for $RUSTC at $library: apt-get install rust-src"
ls -d "$REGISTRY"/compiler_builtins-* >/dev/null 2>&1 \
  || die "no compiler_builtins source in $REGISTRY: apt-get install librust-compiler-builtins+rustc-dep-of-std-dev"
command -v rust-lld >/dev/null || die "no rust-lld (rustc's linker for thumbv6m/thumbv7m): apt-get install lld-14"
[ "${1:-}" = --check ] && exit 0

mkdir -p "${1:-$here/target/sramlab}"
out=$(cd "${1:-$here/target/sramlab}" && pwd) # OUTDIR is relative to where the script was run from
mkdir -p "${CARGO_TARGET_DIR:-$here/target}"
target_dir=$(cd "${CARGO_TARGET_DIR:-$here/target}" && pwd)
export CARGO_TARGET_DIR="$target_dir"
cd "$here"

# 1. The sysroot: core, alloc, compiler_builtins (with its memcpy & co.: there is no libc).
sysroot=$target_dir/sysroot
proj=$target_dir/sysroot-build
mkdir -p "$proj"
cat >"$proj/Cargo.toml" <<EOF
[package]
name = "sysroot"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
path = "lib.rs"

[dependencies]
core = { path = "$library/core" }
alloc = { path = "$library/alloc" }
compiler_builtins = { version = "0.1", features = ["rustc-dep-of-std", "mem"] }

[patch.crates-io]
rustc-std-workspace-core = { path = "$library/rustc-std-workspace-core" }

# As rust-lang's own build of the standard library.
[profile.release]
panic = "abort"
opt-level = "s"
debug = 1

[profile.release.package.compiler_builtins]
debug-assertions = false
overflow-checks = false
codegen-units = 10000
EOF
echo '#![no_std]' >"$proj/lib.rs"
stamp=$( ("$RUSTC" -vV; cat "$proj/Cargo.toml"; ls "$REGISTRY"; echo "$TARGETS") | cksum)
if [ "$(cat "$sysroot/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$sysroot" "$proj/target"
  # RUSTC_BOOTSTRAP: core and alloc use unstable features. embed-bitcode: the crate's
  # release profile has lto = true, which needs the sysroot's bitcode.
  (cd "$proj" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C embed-bitcode=yes" "$CARGO" build --offline --release \
    --config 'source.crates-io.replace-with="debian"' --config "source.debian.directory=\"$REGISTRY\"" \
    --target-dir "$proj/target" $(for t in $TARGETS; do echo --target "$t"; done))
  for t in $TARGETS; do
    mkdir -p "$sysroot/lib/rustlib/$t/lib"
    cp "$proj/target/$t/release/deps/"lib*.rlib "$sysroot/lib/rustlib/$t/lib/"
    rm -f "$sysroot/lib/rustlib/$t/lib/"libsysroot-*.rlib
    rm -rf "${target_dir:?}/$t/release" # built against the previous sysroot: cargo cannot tell
  done
  echo "$stamp" >"$sysroot/stamp"
fi

# 2. The crate. .cargo/config.toml adds -Tsramlab.x; the source paths in the debug info are
# relative to this folder, so sramlab's reports say src/lib.rs:NN wherever it is checked out.
set --
for t in $TARGETS; do
  set -- "$@" --target "$t" --config "target.$t.rustflags=[\"--sysroot\", \"$sysroot\", \"--remap-path-prefix=$here=.\"]"
done
"$CARGO" build --offline --release --bin sramlab-rust-allocator "$@"

cp "$target_dir/thumbv6m-none-eabi/release/sramlab-rust-allocator" "$out/rust-allocator-cortex-m0.elf"
cp "$target_dir/thumbv7m-none-eabi/release/sramlab-rust-allocator" "$out/rust-allocator-cortex-m3.elf"
echo "build.sh: $out/rust-allocator-cortex-m0.elf $out/rust-allocator-cortex-m3.elf"
