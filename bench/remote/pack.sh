#!/bin/bash
# Packs what bench/remote/*.sh need on a machine that has neither PostgreSQL 15 nor a Rust
# toolchain into .dev/ at the repository root (ignored by git): this machine's PostgreSQL 15
# (Debian's binaries, their share/ and lib/ files, and every shared library they load except
# glibc's and the C++ runtime's), a stripped keel binary, and the UTC zone file.
#
#   bash bench/remote/pack.sh [KEEL_BINARY]     # about 35 MB; then carry .dev to the other machine
set -euo pipefail
cd "$(dirname "$0")/../.."
keel=${1:-${CARGO_TARGET_DIR:-target}/release/keel}
pg=/usr/lib/postgresql/15
work=$(mktemp -d)
chmod 755 "$work"  # the bundle's root: the postgres user must reach the binaries under it
trap 'rm -rf "$work"' EXIT
mkdir -p .dev "$work/usr/lib/postgresql" "$work/usr/share/postgresql" "$work/libs"
cp -a $pg "$work/usr/lib/postgresql/"
rm -rf "$work/usr/lib/postgresql/15/lib/bitcode" "$work/usr/lib/postgresql/15/lib/llvmjit"*
cp -a /usr/share/postgresql/15 "$work/usr/share/postgresql/"
rm -rf "$work/usr/share/postgresql/15/man"
for binary in postgres initdb pg_ctl pgbench psql pg_isready; do ldd $pg/bin/$binary; done |
    awk '{print $3}' | sort -u | grep / | grep -v -E 'libc\.so|libm\.so|libresolv|libgcc_s|libstdc|ld-linux' |
    xargs -I{} cp -L {} "$work/libs/"
tar -cJf .dev/pg.tar.xz -C "$work" .
cp "$keel" .dev/keel && strip .dev/keel
cp /usr/share/zoneinfo/UTC .dev/UTC
git rev-parse HEAD > .dev/commit
ls -la .dev
