#!/usr/bin/env bash
# The whole test suite: format, lints, unit tests, then end-to-end tests with real clients
# (psql, pgbench, psycopg) against a release build of keel and against PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
echo "== cargo test (unit and golden tests beside each layer)"
cargo test --workspace --locked
# The 2 MiB-page paths (hugetlb arenas, userfaultfd regions on huge pages) need a reserved pool.
# As root, reserve a small one for those tests only and give it back afterwards.
pool=/proc/sys/vm/nr_hugepages
if [ "$(id -u)" = 0 ] && [ -w "$pool" ]; then
    echo "== cargo test: 2 MiB huge-page paths (pool of 16 reserved for the run)"
    before=$(cat "$pool")
    trap 'echo "$before" > "$pool"' EXIT
    echo $((before + 16)) > "$pool"
    cargo test -p keel-io --locked --lib -- --ignored huge
    echo "$before" > "$pool"
    trap - EXIT
else
    echo "== skipping the 2 MiB huge-page tests: they need root to reserve a pool"
fi
echo "== cargo build --release"
cargo build --release --locked -p keel-server
# TPC-H data for tests/test_tpch.py comes from tpchgen-cli (crates.io), installed once per machine.
if ! command -v tpchgen-cli >/dev/null; then
    echo "== cargo install tpchgen-cli (TPC-H data generator)"
    cargo install --locked --quiet tpchgen-cli --version 4.0.0
fi
echo "== end-to-end tests (tests/)"
python3 -m pytest -q -p no:cacheprovider tests/
