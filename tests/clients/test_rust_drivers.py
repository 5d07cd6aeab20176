"""Rust drivers against Keel, compared with PostgreSQL 15: tokio-postgres (prepared statements
whose parameter types the server infers, binary parameters and results of int2/int4/int8/real/
float8/bool/bytea/text[]/jsonb, portals read in chunks, transactions, COPY FROM STDIN and TO
STDOUT through the extended protocol, a COPY that fails on a bad row, the simple protocol,
SQLSTATEs) and sqlx (its statement cache, typed binds and decodes, transactions, database error
codes). The suite is the crate in tests/clients/rust (its own workspace and Cargo.lock, built
here into CARGO_TARGET_DIR); it prints one line per step, and both servers' lines must match."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CRATE = Path(__file__).resolve().parent / "rust"


@pytest.fixture(scope="module")
def rust_suite():
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "--quiet", "--manifest-path",
         str(CRATE / "Cargo.toml")],
        check=True, timeout=1800,
    )
    target = Path(os.environ.get("CARGO_TARGET_DIR", CRATE / "target"))
    return target / "release" / "keel-rust-clients"


def run(binary, driver, port):
    result = subprocess.run([str(binary), driver, str(port)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("driver", ["tokio-postgres", "sqlx"])
def test_rust_driver_matches_postgres(rust_suite, driver, keel, postgres):
    seen = run(rust_suite, driver, keel.port)
    assert seen == run(rust_suite, driver, postgres.port)
    assert len(seen) > 10
