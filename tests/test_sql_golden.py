"""SQL conformance: every tests/sql/*.sql runs through psql against PostgreSQL 15 and against Keel, and
both outputs must equal tests/sql/*.out. Only behaviour PostgreSQL shows is asserted: the expected
files are PostgreSQL's own output (regenerate with UPDATE_GOLDEN=1, which writes what PostgreSQL
prints, never what Keel prints).

Each script resets its tables at the top, so the two servers start from the same state.
"""

import os
import subprocess
from pathlib import Path

import pytest

SQL_DIR = Path(__file__).resolve().parent / "sql"
SCRIPTS = sorted(SQL_DIR.glob("*.sql"))


def run_script(psql_args, script):
    # -a echoes each statement, so the output reads as a transcript; errors go to the same stream.
    result = subprocess.run(
        psql_args + ["-a", "-v", "ON_ERROR_STOP=0", "-f", script.name],
        cwd=SQL_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PGTZ="UTC", PGCLIENTENCODING="UTF8", LC_ALL="C"),
        timeout=300,
    )
    return result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_script_matches_postgres(script, postgres, keel):
    expected_path = script.with_suffix(".out")
    postgres_output = run_script(postgres.psql_args(), script)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(postgres_output)
    expected = expected_path.read_text()
    assert postgres_output == expected, "PostgreSQL itself no longer gives the expected output (regenerate?)"
    keel_output = run_script(keel.psql_args(), script)
    if keel_output != expected:
        (script.parent / (script.stem + ".keel.diff-actual")).write_text(keel_output)
    assert keel_output == expected
