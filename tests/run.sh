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
echo "== cargo build --release"
cargo build --release --locked -p keel-server
echo "== end-to-end tests (tests/)"
python3 -m pytest -q -p no:cacheprovider tests/
